package dev.emb4j.cli.bench;

import java.util.Locale;

/** The result line of {@code emb4j bench}, field for field as {@code torch_embedding_bench.py} prints it. */
final class Json {
  private Json() {}

  /** {@code {"impl": ..., "workload": ..., "V": ..., "D": ..., "threads": ..., "ms": ..., "mrows_per_s": ...}}. */
  static String line(String impl, String workload, long v, int d, int threads, double ms, double mrowsPerSecond) {
    return String.format(
        Locale.ROOT,
        "{\"impl\": \"%s\", \"workload\": \"%s\", \"V\": %d, \"D\": %d, \"threads\": %d, \"ms\": %.3f,"
            + " \"mrows_per_s\": %.2f}",
        impl, workload, v, d, threads, ms, mrowsPerSecond);
  }
}
