package dev.emb4j.cli;

import dev.emb4j.task.EpochSummary;
import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.TrainingStep;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionStrategy;

/**
 * Checks, before a command allocates a large table, that the memory it needs is there, so that a size typed by
 * mistake ({@code --dim 1000000}) fails at once with one line instead of after minutes with an {@link
 * OutOfMemoryError}: {@code "the model (--dim 1000, --buckets 2000000) needs 7.5 GB, the JVM may use 3.9 GB;
 * raise it with EMB4J_JAVA_OPTS=-Xmx9g"}, or, when even the machine is too small, {@code "the model (--dim 1000000,
 * --buckets 200000) needs 745.1 GB, the JVM may use 3.9 GB and this machine has only 15.5 GB"}.
 */
public final class MemoryBudget {
  private static final double GB = 1L << 30;

  /** What the launcher's users set to give the JVM more heap. */
  private static final String HOW_TO_RAISE = "EMB4J_JAVA_OPTS=-Xmx";

  private MemoryBudget() {}

  /**
   * Fails unless {@code bytes} more fit in the Java heap.
   *
   * @param what what needs the memory, for the message (e.g. {@code "the model (--dim 1000000)"})
   * @param bytes the estimated bytes
   * @throws InsufficientMemoryException if they do not fit, saying how much is needed and available
   */
  public static void requireHeap(String what, long bytes) {
    Runtime rt = Runtime.getRuntime();
    if (bytes <= rt.maxMemory() - used(rt)) {
      return;
    }
    System.gc(); // only when short: garbage counts as used until collected
    String problem = heapShortfall(what, bytes, rt.maxMemory(), used(rt), physicalMemory());
    if (problem != null) {
      throw new InsufficientMemoryException(problem, null);
    }
  }

  /**
   * Fails unless {@code bytes} of memory outside the Java heap (off-heap tables) fit in the machine's memory.
   *
   * @param what what needs the memory, for the message
   * @param bytes the estimated bytes
   * @throws InsufficientMemoryException if they exceed the machine's memory
   */
  public static void requireOffHeap(String what, long bytes) {
    long physical = physicalMemory();
    if (bytes > physical) {
      throw new InsufficientMemoryException(
          what + " needs " + gigabytes(bytes) + " outside the Java heap, more than this machine's "
              + gigabytes(physical),
          null);
    }
  }

  /**
   * {@code listener}, preceded by a {@link #requireHeap} check of the trainer's estimate before it allocates the model.
   *
   * @param what the model, for the message (e.g. {@code "the model (--dim 64)"})
   * @param listener what hears about the run otherwise
   * @return the checking listener
   */
  public static TrainingListener checking(String what, TrainingListener listener) {
    return new TrainingListener() {
      @Override
      public void beforeAllocating(long bytes) {
        requireHeap(what, bytes);
        listener.beforeAllocating(bytes);
      }

      @Override
      public void onStep(TrainingStep step) {
        listener.onStep(step);
      }

      @Override
      public void onEpoch(EpochSummary epoch) {
        listener.onEpoch(epoch);
      }
    };
  }

  /**
   * The message when {@code bytes} do not fit beside {@code used} bytes in a heap of {@code maxHeap} on a machine of
   * {@code physical} bytes, or null when they fit.
   */
  static String heapShortfall(String what, long bytes, long maxHeap, long used, long physical) {
    if (bytes <= maxHeap - used) {
      return null;
    }
    String shortfall =
        what + " needs " + gigabytes(bytes) + ", the JVM may use " + gigabytes(maxHeap)
            + (used > maxHeap / 10 ? " (" + gigabytes(used) + " of it in use)" : "");
    double wanted = Math.ceil(((double) bytes + used) * 1.1 / GB);
    if (wanted * GB > physical) {
      return shortfall + " and this machine has only " + gigabytes(physical);
    }
    return shortfall + "; raise it with " + HOW_TO_RAISE + (long) wanted + "g";
  }

  /** The one-line message for an {@link OutOfMemoryError} that happened despite the checks. */
  static String outOfMemory(OutOfMemoryError e) {
    long max = Runtime.getRuntime().maxMemory();
    String reason = e.getMessage() == null || e.getMessage().isBlank() ? "" : " (" + e.getMessage() + ")";
    return "out of memory" + reason + ": the JVM may use " + gigabytes(max) + "; raise it with " + HOW_TO_RAISE
        + Math.max(1, (long) Math.ceil(2 * max / GB)) + "g";
  }

  /**
   * {@code inner}, with an {@link OutOfMemoryError} turned into an {@link InsufficientMemoryException}, which the
   * failure handler reports in one line like any other failure.
   */
  static IExecutionStrategy reportingOutOfMemory(IExecutionStrategy inner) {
    return parseResult -> {
      try {
        return inner.execute(parseResult);
      } catch (OutOfMemoryError e) {
        String message = outOfMemory(e);
        throw new CommandLine.ExecutionException(
            parseResult.commandSpec().commandLine(), message, new InsufficientMemoryException(message, e));
      }
    };
  }

  /** {@code 12.5 GB}, or {@code 0.06 GB} below a tenth of one. */
  static String gigabytes(long bytes) {
    double gb = bytes / GB;
    return String.format(Locale.ROOT, gb < 0.1 ? "%.2f GB" : "%.1f GB", gb);
  }

  private static long used(Runtime rt) {
    return rt.totalMemory() - rt.freeMemory();
  }

  private static long physicalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return Long.MAX_VALUE; // unknown: only the heap limit applies
  }
}
