package dev.emb4j.cli.bench;

import java.util.Locale;

/**
 * The result line of {@code emb4j bench}, field for field as {@code torch_embedding_bench.py} prints it, plus {@code
 * best_ms}: the fastest timed call, to set beside {@code gather_limit.c}, which reports its best repetition, {@code
 * jvm}: what the JVM had run before the figure was taken ({@code fresh}: nothing; {@code after-others}: the workloads
 * listed before it; {@code after-all}: every workload of the run, see {@code --after-all}), and the {@link Setup} and
 * peak resident memory of the run.
 */
final class Json {
  private Json() {}

  /**
   * What a run was measured on besides V and D, printed after the PyTorch script's fields: where the table's rows
   * lived ({@code heap}, {@code offheap}, {@code mapped}), their element type ({@code fp32}, {@code fp16}, {@code
   * bf16}, {@code int8}, {@code int4}), the id stream ({@code uniform}, {@code zipf}), the id sets used in turn
   * ({@code --id-sets}; 1: every call the same ids) and the rounds the tables were timed in together ({@code
   * --rounds}; 1: each table alone).
   *
   * @param store the storage's label
   * @param dtype the element type's command-line name
   * @param ids the id stream's name
   * @param idSets the id sets the calls used in turn
   * @param rounds the alternated rounds
   */
  record Setup(String store, String dtype, String ids, int idSets, int rounds) {}

  /**
   * {@code {"impl": ..., "workload": ..., "V": ..., "D": ..., "threads": ..., "ms": ..., "mrows_per_s": ...,
   * "best_ms": ..., "cpu_ms": ..., "jvm": ..., "store": ..., "dtype": ..., "ids": ..., "id_sets": ..., "rounds": ...,
   * "rss_anon_kb": ..., "rss_file_kb": ..., "anon_huge_kb": ..., "table": ...}}, and for a dynamic table {@code
   * "ids_admitted"}, {@code "evictions"}, {@code "map_bytes"} (the id map) and {@code "rows_bytes"} (its rows), {@code
   * ms} and {@code mrows_per_s} from the median call, the resident memory figures as peaks over the timed calls; {@code
   * cpu_ms} the calling thread's CPU time in the median call (other processes' load does not count in it, though their
   * use of the shared caches does), {@code anon_huge_kb} the anonymous memory on transparent huge pages after the timed
   * calls; a figure that is not finite (a call too fast for the clock) or not known (no /proc) is {@code null}.
   */
  static String line(
      String impl,
      String workload,
      long v,
      int d,
      int threads,
      Harness.Result r,
      String jvm,
      Setup setup,
      String table,
      DynamicTable.Stats stats) {
    String dynamic =
        stats == null
            ? ""
            : String.format(
                Locale.ROOT,
                ", \"ids_admitted\": %d, \"evictions\": %d, \"map_bytes\": %d, \"rows_bytes\": %d",
                stats.idsAdmitted(), stats.evictions(), stats.mapBytes(), stats.rowsBytes());
    return String.format(
        Locale.ROOT,
        "{\"impl\": \"%s\", \"workload\": \"%s\", \"V\": %d, \"D\": %d, \"threads\": %d, \"ms\": %s,"
            + " \"mrows_per_s\": %s, \"best_ms\": %s, \"cpu_ms\": %s, \"jvm\": \"%s\", \"store\": \"%s\","
            + " \"dtype\": \"%s\", \"ids\": \"%s\", \"id_sets\": %d, \"rounds\": %d, \"rss_anon_kb\": %s,"
            + " \"rss_file_kb\": %s, \"anon_huge_kb\": %s, \"table\": \"%s\"%s}",
        impl, workload, v, d, threads, number(r.millis(), 3), number(r.rows() / r.millis() / 1e3, 2),
        number(r.bestMillis(), 3), number(r.cpuMillis(), 3), jvm, setup.store(), setup.dtype(), setup.ids(),
        setup.idSets(), setup.rounds(), kilobytes(r.rssAnonKb()), kilobytes(r.rssFileKb()),
        kilobytes(r.anonHugeKb()), table, dynamic);
  }

  private static String kilobytes(long kb) {
    return kb < 0 ? "null" : Long.toString(kb);
  }

  /** {@code v} with {@code decimals} places, or {@code null} when it is NaN or infinite. */
  private static String number(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "null";
  }
}
