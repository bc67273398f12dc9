package dev.emb4j.cli.bench;

import java.util.Locale;

/**
 * The result line of {@code emb4j bench}, field for field as {@code torch_embedding_bench.py} prints it, plus {@code
 * best_ms}: the fastest timed call, to set beside {@code gather_limit.c}, which reports its best repetition, and
 * {@code jvm}: what the JVM had run before the figure was taken ({@code fresh}: nothing; {@code after-others}: the
 * workloads listed before it; {@code after-all}: every workload of the run, see {@code --after-all}).
 */
final class Json {
  private Json() {}

  /**
   * {@code {"impl": ..., "workload": ..., "V": ..., "D": ..., "threads": ..., "ms": ..., "mrows_per_s": ...,
   * "best_ms": ..., "jvm": ...}}, {@code ms} and {@code mrows_per_s} from the median call; a figure that is not
   * finite (a call too fast for the clock) is {@code null}.
   */
  static String line(
      String impl,
      String workload,
      long v,
      int d,
      int threads,
      double ms,
      double mrowsPerSecond,
      double bestMs,
      String jvm) {
    return String.format(
        Locale.ROOT,
        "{\"impl\": \"%s\", \"workload\": \"%s\", \"V\": %d, \"D\": %d, \"threads\": %d, \"ms\": %s,"
            + " \"mrows_per_s\": %s, \"best_ms\": %s, \"jvm\": \"%s\"}",
        impl, workload, v, d, threads, number(ms, 3), number(mrowsPerSecond, 2), number(bestMs, 3), jvm);
  }

  /** {@code v} with {@code decimals} places, or {@code null} when it is NaN or infinite. */
  private static String number(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "null";
  }
}
