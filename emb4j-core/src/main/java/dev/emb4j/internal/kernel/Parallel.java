package dev.emb4j.internal.kernel;

import dev.emb4j.Emb4j;

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

  private static WorkerTeam team;

  /** Sets {@link Emb4j#setNumThreads}: the next call makes a team of the new size. */
  static void setThreads(int n) {
    Emb4j.setNumThreads(n);
  }

  static int threads() {
    return Emb4j.getNumThreads();
  }

  /**
   * The team for {@code threads} threads. A team of another size is replaced once it is idle; while a call still uses
   * it (this very thread's, when a kernel runs inside a chunk), it is returned as it is: waiting for it here could
   * wait for ever, and results do not depend on the number of threads.
   */
  private static synchronized WorkerTeam team(int threads) {
    if (team == null || (team.size() + 1 != threads && team.closeIfIdle())) {
      team = new WorkerTeam(threads - 1);
    }
    return team;
  }

  /**
   * Runs {@code task} over {@code [0, n)}, split over up to {@link #threads()} threads when each chunk gets at least
   * {@code minChunk} items; otherwise, or while another call has the threads, in the calling thread.
   */
  static void forRange(int n, int minChunk, RangeTask task) {
    int threads = threads();
    int chunks = (int) Math.min(threads, n / (long) Math.max(minChunk, 1));
    if (chunks <= 1) {
      task.run(0, n);
      return;
    }
    WorkerTeam t = team(threads);
    chunks = Math.min(chunks, t.size() + 1);
    if (chunks <= 1 || !t.tryRun(n, chunks, task)) {
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
