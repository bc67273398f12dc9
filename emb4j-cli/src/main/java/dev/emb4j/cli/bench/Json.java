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
   * "best_ms": ..., "jvm": ...}}, {@code ms} and {@code mrows_per_s} from the median call.
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
        "{\"impl\": \"%s\", \"workload\": \"%s\", \"V\": %d, \"D\": %d, \"threads\": %d, \"ms\": %.3f,"
            + " \"mrows_per_s\": %.2f, \"best_ms\": %.3f, \"jvm\": \"%s\"}",
        impl, workload, v, d, threads, ms, mrowsPerSecond, bestMs, jvm);
  }
}
