package dev.emb4j.store;

/**
 * Where the first row of a large {@code float[]} chunk should start so that rows begin on a 64-byte cache line.
 *
 * <p>A row of 128 floats is 512 bytes, eight cache lines when it starts on a line boundary and nine when it does not;
 * a gather or bag sum over a table in L3 or DRAM moves whole lines, so a misaligned table costs one line in eight
 * (measured here with a bare bag-sum loop over a 512 MB table: 60 vs 81 M rows/s). The JVM gives no address for a heap array, but
 * the garbage collectors place large arrays at the start of a region or page (G1's humongous objects, ZGC's large
 * pages), so the elements begin {@link #arrayBaseOffset() the array header} after a line boundary: 16 bytes with the
 * default object headers, 12 with {@code -XX:+UseCompactObjectHeaders}. Skipping the floats up to the next line
 * aligns the rows. Where the guess is wrong (another collector, a small array that moves) the rows are only as
 * misaligned as they would be anyway, at a cost of at most 60 bytes per chunk.
 */
final class HeapAlignment {
  /** Cache line size in bytes. */
  static final int LINE_BYTES = 64;
  /**
   * Smallest chunk that is padded: G1 allocates objects of half a region (regions are at least 1 MiB) or more as
   * humongous objects at a region start; smaller arrays go wherever the allocator is, so padding would not help.
   */
  static final long MIN_PADDED_BYTES = 1L << 20;

  private HeapAlignment() {}

  /** Floats to skip at the start of a chunk of {@code chunkFloats} floats so that the element after them is aligned. */
  static int leadingFloats(long chunkFloats) {
    return leadingElements(chunkFloats, Float.BYTES);
  }

  /**
   * Elements of {@code elementBytes} bytes to skip at the start of a chunk of {@code chunkElements} so that the
   * element after them is aligned (the header offset is a multiple of 4, so also of 2).
   */
  static int leadingElements(long chunkElements, int elementBytes) {
    if (chunkElements * elementBytes < MIN_PADDED_BYTES) {
      return 0;
    }
    return Math.floorMod(-Header.ARRAY_BASE_OFFSET, LINE_BYTES) / elementBytes;
  }

  /** Bytes from the start of a {@code float[]} object to its first element. */
  static int arrayBaseOffset() {
    return Header.ARRAY_BASE_OFFSET;
  }

  /** Reads the object header layout once, when the first large chunk is made (the management beans cost ~20 ms). */
  private static final class Header {
    static final int ARRAY_BASE_OFFSET = probe();

    private static int probe() {
      try {
        var vm =
            java.lang.management.ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class);
        if (vm == null) {
          return 16;
        }
        if (flag(vm, "UseCompactObjectHeaders")) {
          return 12; // 8-byte header word, then the 4-byte length
        }
        return flag(vm, "UseCompressedClassPointers") ? 16 : 20;
      } catch (RuntimeException | LinkageError e) {
        return 16; // not HotSpot, or the management modules are left out of this runtime: assume the default
      }
    }

    private static boolean flag(com.sun.management.HotSpotDiagnosticMXBean vm, String name) {
      try {
        return Boolean.parseBoolean(vm.getVMOption(name).getValue());
      } catch (IllegalArgumentException e) {
        return false; // the flag does not exist in this JVM
      }
    }
  }
}
