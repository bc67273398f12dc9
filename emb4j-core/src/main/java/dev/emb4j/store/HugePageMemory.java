package dev.emb4j.store;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Large off-heap allocations on Linux transparent huge pages: an anonymous {@code mmap} (zero-filled by the kernel),
 * its start rounded up to 2 MiB, marked {@code madvise(MADV_HUGEPAGE)} before anything touches it, and unmapped when
 * its arena closes. Random rows of a table of hundreds of megabytes otherwise cost a TLB miss each, as heap tables
 * did before the launcher gave the JVM {@code -XX:+UseTransparentHugePages}.
 *
 * <p>Used only where it can work: on Linux with transparent huge pages in {@code always} or {@code madvise} mode,
 * for at least {@link #MIN_BYTES}, and when this code may call native functions ({@code
 * --enable-native-access=ALL-UNNAMED}, or the module emb4j is loaded as; the {@code emb4j} launcher passes it), so
 * that no JVM warning is printed. Otherwise, or if a call fails, {@link #allocate} returns null and the caller
 * allocates from its arena as usual.
 */
@SuppressWarnings("restricted") // mmap, madvise and munmap through the FFM linker; only called with native access enabled
final class HugePageMemory {
  private HugePageMemory() {}

  /** Allocations below this size are left to the arena. */
  static final long MIN_BYTES = 8L << 20;

  static final long HUGE_PAGE_BYTES = 2L << 20;

  private static final int PROT_READ_WRITE = 0x1 | 0x2;
  private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
  private static final int MADV_HUGEPAGE = 14;

  /** mmap, madvise and munmap, or null where huge pages are not to be used. */
  private static final MethodHandle[] CALLS = lookUp();

  /** Whether {@link #allocate} can return huge-page memory in this JVM. */
  static boolean available() {
    return CALLS != null;
  }

  private static MethodHandle[] lookUp() {
    try {
      if (!System.getProperty("os.name", "").startsWith("Linux")
          || !HugePageMemory.class.getModule().isNativeAccessEnabled()
          || !offered(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"))
          || Boolean.getBoolean("emb4j.noHugePages")) {
        return null;
      }
      Linker linker = Linker.nativeLinker();
      SymbolLookup libc = linker.defaultLookup();
      ValueLayout.OfLong size = ValueLayout.JAVA_LONG;
      MethodHandle mmap =
          linker.downcallHandle(
              libc.find("mmap").orElseThrow(),
              FunctionDescriptor.of(
                  ValueLayout.ADDRESS, ValueLayout.ADDRESS, size, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                  ValueLayout.JAVA_INT, size));
      MethodHandle madvise =
          linker.downcallHandle(
              libc.find("madvise").orElseThrow(),
              FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, size, ValueLayout.JAVA_INT));
      MethodHandle munmap =
          linker.downcallHandle(
              libc.find("munmap").orElseThrow(),
              FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, size));
      return new MethodHandle[] {mmap, madvise, munmap};
    } catch (RuntimeException | java.io.IOException e) {
      return null;
    }
  }

  /** Whether the THP mode file says {@code [always]} or {@code [madvise]}. */
  static boolean offered(Path modeFile) throws java.io.IOException {
    if (!Files.isReadable(modeFile)) {
      return false;
    }
    String mode = Files.readString(modeFile);
    return mode.contains("[always]") || mode.contains("[madvise]");
  }

  /**
   * {@code bytes} of zeroed memory starting on a 2 MiB boundary, advised onto huge pages and unmapped when {@code
   * arena} closes; null when huge pages are unavailable, {@code bytes} is below {@link #MIN_BYTES}, or a call fails.
   */
  static MemorySegment allocate(long bytes, Arena arena) {
    if (CALLS == null || bytes < MIN_BYTES) {
      return null;
    }
    long mapped = bytes + HUGE_PAGE_BYTES; // room to round the start up to a huge page
    try {
      MemorySegment base =
          (MemorySegment) CALLS[0].invokeExact(MemorySegment.NULL, mapped, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1,
              0L);
      if (base.address() == -1L || base.address() == 0L) {
        return null; // MAP_FAILED
      }
      long start = (base.address() + HUGE_PAGE_BYTES - 1) & -HUGE_PAGE_BYTES;
      MemorySegment rows = MemorySegment.ofAddress(start);
      int advised = (int) CALLS[1].invokeExact(rows, bytes, MADV_HUGEPAGE);
      if (advised != 0) {
        unmap(base, mapped);
        return null;
      }
      return rows.reinterpret(bytes, arena, ignored -> unmap(base, mapped));
    } catch (Throwable e) {
      return null;
    }
  }

  private static void unmap(MemorySegment base, long mapped) {
    try {
      int ignored = (int) CALLS[2].invokeExact(base, mapped);
    } catch (Throwable e) {
      throw new IllegalStateException("munmap of " + mapped + " bytes at " + base.address() + " failed", e);
    }
  }
}
