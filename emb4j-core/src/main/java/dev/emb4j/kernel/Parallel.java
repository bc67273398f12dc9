package dev.emb4j.kernel;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits a kernel's range of work (ids, bags, touched rows) into contiguous chunks, one per thread: the caller runs
 * the first chunk itself and a fixed pool of daemon threads the others. Each chunk writes only its own output rows,
 * so results do not depend on the number of threads, and chunk boundaries fall on multiples of {@link #ALIGN} items
 * so that two threads share at most one cache line of output, once per call (no false sharing in the loops).
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
  private static ExecutorService pool;

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
    if (n != threads && pool != null) {
      pool.shutdown(); // running chunks finish; the next call makes a pool of the new size
      pool = null;
    }
    threads = n;
  }

  static synchronized int threads() {
    return threads;
  }

  private static synchronized ExecutorService pool() {
    if (pool == null) {
      AtomicInteger id = new AtomicInteger();
      pool =
          Executors.newFixedThreadPool(
              threads - 1,
              r -> {
                Thread t = new Thread(r, "emb4j-kernel-" + id.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
    }
    return pool;
  }

  /**
   * Runs {@code task} over {@code [0, n)}, split over up to {@link #threads()} threads when each chunk gets at least
   * {@code minChunk} items; otherwise in the calling thread.
   */
  static void forRange(int n, int minChunk, RangeTask task) {
    int t = threads();
    int chunks = (int) Math.min(t, n / (long) Math.max(minChunk, 1));
    if (chunks <= 1) {
      task.run(0, n);
      return;
    }
    ExecutorService executor = pool();
    Future<?>[] futures = new Future<?>[chunks - 1];
    for (int c = 1; c < chunks; c++) {
      int from = boundary(n, c, chunks);
      int to = boundary(n, c + 1, chunks);
      futures[c - 1] = executor.submit(() -> task.run(from, to));
    }
    RuntimeException failure = null;
    try {
      task.run(0, boundary(n, 1, chunks));
    } catch (RuntimeException e) {
      failure = e;
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure == null) {
          failure = new IllegalStateException("interrupted while waiting for kernel threads", e);
        }
      }
    }
    if (failure != null) {
      throw failure;
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
