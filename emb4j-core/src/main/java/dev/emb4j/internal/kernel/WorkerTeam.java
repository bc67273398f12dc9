package dev.emb4j.internal.kernel;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of daemon threads that run the chunks of one {@link Parallel#forRange} call at a time, handing work
 * over the way OpenMP runtimes do: an idle worker spins on the next job for a short while ({@link #SPIN_NANOS})
 * before it parks, and the caller spins on the job's completion before it parks. A kernel call over a cached table
 * takes a few hundred microseconds, and parking costs a wake-up of tens of microseconds on each side, so waking a
 * parked thread per call would eat most of what a second thread gains.
 *
 * <p>One call uses the team at a time; a call that finds it busy (another thread's call, or a kernel called from
 * inside a chunk) runs its whole range in the calling thread, which gives the same result.
 */
final class WorkerTeam {
  /** How long an idle thread spins before parking, in nanoseconds (system property {@code emb4j.spinMicros}). */
  static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("emb4j.spinMicros", 200));

  /** One forRange call: the task, how many chunks, and how many workers' chunks are still running. */
  private record Job(Parallel.RangeTask task, int n, int chunks, AtomicInteger pending) {}

  private final Thread[] workers;
  /** Set by a worker just before it parks, so that the caller knows to unpark it. */
  private final AtomicInteger[] asleep;

  /** Held by the call that uses the team; not reentrant, so a kernel called from inside a chunk finds it taken. */
  private final AtomicBoolean busy = new AtomicBoolean();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Job job;
  private volatile boolean callerAsleep;
  private volatile Thread caller;
  private volatile boolean closed;

  /** A team of {@code size} worker threads, who run chunks 1 to size of each call. */
  WorkerTeam(int size) {
    workers = new Thread[size];
    asleep = new AtomicInteger[size];
    for (int i = 0; i < size; i++) {
      int chunk = i + 1;
      asleep[i] = new AtomicInteger();
      workers[i] = new Thread(() -> work(chunk), "emb4j-kernel-" + chunk);
      workers[i].setDaemon(true);
      workers[i].start();
    }
  }

  /** The number of worker threads (a call runs at most one chunk more, on the caller). */
  int size() {
    return workers.length;
  }

  /** Waits for a running call to end, then lets the workers exit; later calls find the team in use. */
  void close() {
    while (!closeIfIdle()) {
      LockSupport.parkNanos(50_000);
    }
  }

  /** Lets the workers exit if no call is running, and says whether it did; later calls find the team in use. */
  boolean closeIfIdle() {
    if (!busy.compareAndSet(false, true)) {
      return false;
    }
    closed = true;
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
    busy.set(false);
    return true;
  }

  /**
   * Runs the {@code chunks} chunks of {@code [0, n)} (at most the team's size plus one): chunk 0 in the calling
   * thread, the others on the workers. Returns false, having run nothing, when the team is in use or closed.
   */
  boolean tryRun(int n, int chunks, Parallel.RangeTask task) {
    if (!busy.compareAndSet(false, true)) {
      return false;
    }
    if (closed) {
      busy.set(false);
      return false;
    }
    try {
      Job j = new Job(task, n, chunks, new AtomicInteger(chunks - 1));
      caller = Thread.currentThread();
      failure.set(null);
      job = j;
      for (int i = 0; i < chunks - 1; i++) {
        if (asleep[i].get() != 0) {
          LockSupport.unpark(workers[i]);
        }
      }
      Throwable mine = null;
      try {
        task.run(0, Parallel.boundary(n, 1, chunks));
      } catch (RuntimeException | Error e) {
        mine = e;
      }
      awaitWorkers(j);
      // an Error from any chunk first, then the caller's own exception, then a worker's
      Throwable theirs = failure.get();
      for (Throwable t : new Throwable[] {mine, theirs}) {
        if (t instanceof Error e) {
          throw e;
        }
      }
      Throwable first = mine != null ? mine : theirs;
      if (first != null) {
        throw first instanceof RuntimeException r ? r : new IllegalStateException(first);
      }
      return true;
    } finally {
      caller = null;
      busy.set(false);
    }
  }

  private void awaitWorkers(Job j) {
    long deadline = System.nanoTime() + SPIN_NANOS;
    int spins = 0;
    while (j.pending.get() != 0) {
      if ((++spins & 63) != 0 || System.nanoTime() < deadline) {
        Thread.onSpinWait();
        continue;
      }
      callerAsleep = true;
      if (j.pending.get() != 0) {
        LockSupport.park(this);
      }
      callerAsleep = false;
    }
  }

  private void work(int chunk) {
    AtomicInteger sleepFlag = asleep[chunk - 1];
    Job seen = null;
    while (!closed) {
      Job j = job;
      if (j == seen) {
        idle(sleepFlag, seen);
        continue;
      }
      seen = j;
      if (chunk >= j.chunks) {
        continue;
      }
      try {
        j.task.run(Parallel.boundary(j.n, chunk, j.chunks), Parallel.boundary(j.n, chunk + 1, j.chunks));
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      }
      if (j.pending.decrementAndGet() == 0 && callerAsleep) {
        LockSupport.unpark(caller);
      }
    }
  }

  /** Spins until a job other than {@code seen} is published or the spin time runs out, then parks. */
  private void idle(AtomicInteger sleepFlag, Job seen) {
    long deadline = System.nanoTime() + SPIN_NANOS;
    int spins = 0;
    while (job == seen && !closed) {
      if ((++spins & 63) != 0 || System.nanoTime() < deadline) {
        Thread.onSpinWait();
        continue;
      }
      sleepFlag.set(1);
      if (job == seen && !closed) {
        LockSupport.park(this);
      }
      sleepFlag.set(0);
    }
  }
}
