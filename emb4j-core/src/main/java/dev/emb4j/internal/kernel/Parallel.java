package dev.emb4j.internal.kernel;

/**
 * Splits a kernel's range of work (ids, bags, touched rows) into contiguous chunks, one per thread: the caller runs
 * the first chunk itself and a {@link WorkerTeam} of daemon threads the others. Each chunk writes only its own output
 * rows, so results do not depend on the number of threads, and chunk boundaries fall on multiples of {@link #ALIGN}
 * items so that two threads share at most one cache line of output, once per call (no false sharing in the loops).
 */
final class Parallel {
  private Parallel() {}

  /** Work on the range {@code [from, to)}. */
  @FunctionalInterface
  interface RangeTask {
    void run(int from, int to);
  }

  /** Chunk boundaries are multiples of this many items. */
  static final int ALIGN = 16;

  /** The system property that sets the initial number of threads (default: available processors). */
  static final String THREADS_PROPERTY = "emb4j.threads";

  private static int threads = initialThreads();
  private static WorkerTeam team;

  private static int initialThreads() {
    String value = System.getProperty(THREADS_PROPERTY);
    if (value == null || value.isBlank()) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      return checkThreads(Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "system property " + THREADS_PROPERTY + " must be a positive integer, got '" + value + "'", e);
    }
  }

  static int checkThreads(int n) {
    if (n < 1 || n > 1024) {
      throw new IllegalArgumentException("the number of kernel threads must be in 1..1024, got " + n);
    }
    return n;
  }

  static synchronized void setThreads(int n) {
    checkThreads(n);
    if (n != threads && team != null) {
      team.close(); // waits for a running call; the next call makes a team of the new size
      team = null;
    }
    threads = n;
  }

  static synchronized int threads() {
    return threads;
  }

  private static synchronized WorkerTeam team() {
    if (team == null) {
      team = new WorkerTeam(threads - 1);
    }
    return team;
  }

  /**
   * Runs {@code task} over {@code [0, n)}, split over up to {@link #threads()} threads when each chunk gets at least
   * {@code minChunk} items; otherwise, or while another call has the threads, in the calling thread.
   */
  static void forRange(int n, int minChunk, RangeTask task) {
    int chunks = (int) Math.min(threads(), n / (long) Math.max(minChunk, 1));
    if (chunks <= 1 || !team().tryRun(n, chunks, task)) {
      task.run(0, n);
    }
  }

  /** The start of chunk {@code c} of {@code chunks} over {@code [0, n)}, rounded down to a multiple of ALIGN. */
  static int boundary(int n, int c, int chunks) {
    if (c >= chunks) {
      return n;
    }
    int b = (int) ((long) n * c / chunks);
    return b / ALIGN * ALIGN;
  }
}
