package dev.emb4j.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times one operation as {@code torch_embedding_bench.py} does (the median of 7 timed calls), after a warm-up long
 * enough for the JIT to compile the hot loops (PyTorch's kernels are compiled ahead of time; one call warms its caches).
 */
final class Harness {
  static final int REPS = 7;
  /**
   * Warm-up per workload. In the first seconds of a JVM the bag-sum kernels ran now and then at a tenth of their
   * speed, mostly while Linux zeroed fresh heap pages (measured: 1 run in 8 still slow after 2 s of warm-up, none
   * after 3.5 s), so the timing starts after 5 s.
   */
  static final long WARMUP_MILLIS = 5000;
  /** At least this many warm-up calls, however slow. */
  static final int MIN_WARMUP_CALLS = 3;

  private final int reps;
  private final long warmupNanos;

  Harness(int reps, long warmupMillis) {
    if (reps < 1) {
      throw new IllegalArgumentException("--reps must be at least 1, got " + reps);
    }
    if (warmupMillis < 0) {
      throw new IllegalArgumentException("--warmup-ms must not be negative, got " + warmupMillis);
    }
    this.reps = reps;
    this.warmupNanos = warmupMillis * 1_000_000;
  }

  /**
   * The median and the fastest time of one call, the median CPU time of the calling thread in one call (NaN if the JVM
   * cannot measure it), the rows a call processes, the peak resident memory (kB, -1 if unknown) sampled after each
   * timed call, and the anonymous memory backed by transparent huge pages after the last one (kB, -1 if unknown).
   */
  record Result(
      double millis, double bestMillis, double cpuMillis, long rows, long rssAnonKb, long rssFileKb,
      long anonHugeKb) {}

  /**
   * Warms each call up, then times them in {@code rounds} rounds, each round timing {@code reps} calls of each in
   * turn: per call, the median of its rounds' medians (of one round: its median), its fastest call, and the median of
   * its rounds' median CPU times. A machine whose speed drifts over seconds (other tenants, the memory the host backs
   * a process with) then slows every table of a comparison alike, where timing one after the other would not.
   */
  List<Result> time(List<TimedCall> calls, int rounds) {
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
    }
    for (TimedCall c : calls) {
      long start = System.nanoTime();
      for (int k = 0; k < MIN_WARMUP_CALLS || System.nanoTime() - start < warmupNanos; k++) {
        c.call().run();
      }
    }
    ResidentMemory memory = new ResidentMemory();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean cpuClock = threads.isCurrentThreadCpuTimeSupported();
    int n = calls.size();
    double[][] medians = new double[n][rounds];
    double[][] cpuMedians = new double[n][rounds];
    double[] best = new double[n];
    Arrays.fill(best, Double.POSITIVE_INFINITY);
    double[] t = new double[reps];
    double[] cpu = new double[reps];
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < n; i++) {
        Runnable op = calls.get(i).call();
        for (int r = 0; r < reps; r++) {
          long c0 = cpuClock ? threads.getCurrentThreadCpuTime() : 0;
          long t0 = System.nanoTime();
          op.run();
          t[r] = (System.nanoTime() - t0) / 1e6;
          cpu[r] = cpuClock ? (threads.getCurrentThreadCpuTime() - c0) / 1e6 : Double.NaN;
          memory.sample(); // outside the timing
        }
        Arrays.sort(t);
        Arrays.sort(cpu);
        medians[i][round] = t[reps / 2];
        cpuMedians[i][round] = cpu[reps / 2];
        best[i] = Math.min(best[i], t[0]);
      }
    }
    long huge = ResidentMemory.anonHugePagesKb();
    List<Result> results = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      results.add(
          new Result(
              median(medians[i]), best[i], median(cpuMedians[i]), calls.get(i).rowsPerCall(), memory.anonKb(),
              memory.fileKb(), huge));
    }
    return results;
  }

  /** The median of {@code x} (the upper one of an even count, as of the repetitions); sorts {@code x}. */
  private static double median(double[] x) {
    Arrays.sort(x);
    return x[x.length / 2];
  }
}
