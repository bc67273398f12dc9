package dev.emb4j.cluster;

import com.hazelcast.map.IMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Makes the workers of one training run wait for each other at its end, so that each saves the model only when every
 * worker has finished its epochs: a barrier kept in the cluster's metadata map under {@code barrier/<name>}, using
 * the map's per-key lock only (no CP subsystem).
 *
 * <p>The entry holds a generation, the number of workers, the workers that {@link #join joined} this generation and
 * those that {@link #arriveAndAwait arrived}, and the last generation every worker arrived at. A worker that joins
 * and finds its own number among the joined (a run before this one used it, and finished or died) or another worker
 * count starts a new generation: so a run that died half way does not hold the next one. A worker still training
 * when another run starts a new generation under the same name learns it when it arrives, and fails.
 */
final class WorkerBarrier {
  private static final long POLL_MILLIS = 100;

  private final IMap<String, String> meta;
  private final String name;
  private final String key;
  private final int worker;
  private final int workers;
  private long generation = -1;

  WorkerBarrier(IMap<String, String> meta, String name, int worker, int workers) {
    this.meta = meta;
    this.name = name;
    this.key = "barrier/" + name;
    this.worker = worker;
    this.workers = workers;
  }

  /**
   * Checks a training worker's place in its run and its wait at the end.
   *
   * @throws IllegalArgumentException if {@code worker} is not in {@code 0..workers-1} or the wait is not positive
   */
  static void checkWorker(int worker, int workers, Duration waitForWorkers) {
    if (workers < 1 || worker < 0 || worker >= workers) {
      throw new IllegalArgumentException(
          "worker must be in 0.." + (workers - 1) + " and workers >= 1, got worker " + worker + " of " + workers);
    }
    if (!waitForWorkers.isPositive()) {
      throw new IllegalArgumentException("the wait for the other workers must be positive, got " + waitForWorkers);
    }
  }

  /** Registers this worker in the run: the current generation, or a new one (see the class comment). */
  void join() {
    meta.lock(key);
    try {
      State s = State.decode(meta.get(key));
      if (s.workers != workers || s.joined.contains(worker)) {
        s = new State(s.generation + 1, workers, s.completed, new TreeSet<>(), new TreeSet<>());
      }
      s.joined.add(worker);
      meta.put(key, s.encode());
      generation = s.generation;
    } finally {
      meta.unlock(key);
    }
  }

  /**
   * Says that this worker has finished and waits until every worker of its generation has.
   *
   * @param timeout how long to wait for the others
   * @throws ClusterException if they do not all arrive in time, or another run took over the barrier
   * @throws IllegalStateException if this worker did not {@link #join}
   */
  void arriveAndAwait(Duration timeout) {
    if (generation < 0) {
      throw new IllegalStateException("worker " + worker + " arrives at barrier '" + name + "' without joining");
    }
    meta.lock(key);
    try {
      State s = State.decode(meta.get(key));
      if (s.generation != generation) {
        throw takenOver();
      }
      s.arrived.add(worker);
      if (s.arrived.size() == workers) {
        s = new State(s.generation, workers, s.generation, s.joined, s.arrived);
      }
      meta.put(key, s.encode());
    } finally {
      meta.unlock(key);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      State s = State.decode(meta.get(key));
      if (s.completed >= generation) {
        return;
      }
      if (s.generation != generation) {
        throw takenOver();
      }
      if (System.nanoTime() > deadline) {
        List<Integer> missing = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
          if (!s.arrived.contains(w)) {
            missing.add(w);
          }
        }
        throw new ClusterException(
            "worker " + worker + " of " + workers + " waited " + timeout.toSeconds() + " s at the end of run '" + name
                + "' for worker(s) " + missing + " to finish their epochs; the model is not saved");
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the other workers", e);
      }
    }
  }

  private ClusterException takenOver() {
    return new ClusterException(
        "another training run on '" + name + "' started while worker " + worker + " of " + workers
            + " trained; run one set of workers per table prefix at a time");
  }

  /** The entry's value: {@code generation;workers;completed;joined;arrived}, the sets as comma-separated numbers. */
  private record State(long generation, int workers, long completed, TreeSet<Integer> joined, TreeSet<Integer> arrived) {
    static State decode(String value) {
      if (value == null) {
        return new State(0, 0, -1, new TreeSet<>(), new TreeSet<>());
      }
      String[] f = value.split(";", -1);
      return new State(Long.parseLong(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]), set(f[3]), set(f[4]));
    }

    private static TreeSet<Integer> set(String csv) {
      TreeSet<Integer> s = new TreeSet<>();
      for (String x : csv.split(",")) {
        if (!x.isEmpty()) {
          s.add(Integer.parseInt(x));
        }
      }
      return s;
    }

    String encode() {
      return generation + ";" + workers + ";" + completed + ";" + csv(joined) + ";" + csv(arrived);
    }

    private static String csv(TreeSet<Integer> s) {
      StringBuilder b = new StringBuilder();
      for (int x : s) {
        b.append(b.isEmpty() ? "" : ",").append(x);
      }
      return b.toString();
    }
  }
}
