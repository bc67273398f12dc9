package dev.emb4j.cli.vectors;

import dev.emb4j.cli.JsonOutput;
import dev.emb4j.cli.MemoryBudget;
import dev.emb4j.cli.Ranges;
import dev.emb4j.cli.serve.GraphOptions;
import dev.emb4j.cli.serve.LuceneLog;
import dev.emb4j.internal.format.Json;
import dev.emb4j.search.NearestNeighbors;
import dev.emb4j.search.Neighbor;
import dev.emb4j.search.Similarity;
import dev.emb4j.serve.ApproximateNeighbors;
import dev.emb4j.serve.HnswSettings;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code emb4j vectors bench}: queries per second of exact top-k cosine search over a random table, on one thread and
 * on several, one query at a time and all the queries at once ({@code _blocked}: scored in blocks that read each row
 * once per block), and with {@code --approximate} the HNSW index's build time, queries per second and recall@k beside it,
 * printed as one JSON object. A warm-up round over the same queries runs before each timed one, so that the JIT has
 * compiled the search.
 *
 * <p>The table is independent Gaussian rows, or with {@code --clusters N} a mixture of N Gaussian clusters (centres
 * drawn from N(0, 1) per coordinate, rows a centre plus N(0, 0.5²) noise), which has the neighbourhood structure of
 * trained embeddings that a graph index relies on. The queries are fresh draws from the same distribution.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure nearest-neighbour queries/sec (exact cosine top-k) over a random table, one query at a time and in",
      "blocks of queries (_blocked); with --approximate also the",
      "HNSW index's build time, queries/sec and recall@k for each --ef. Prints JSON."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j vectors bench",
      "  emb4j vectors bench --rows 1000000 --dim 100 -k 10 --threads 4",
      "  emb4j vectors bench --rows 1000000 --dim 100 --clusters 1000 --threads 1 --approximate --ef 50,100,200"
    })
public final class VectorsBenchCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--rows",
      defaultValue = "100000",
      converter = Ranges.Positive.class,
      description = "Table rows (default: ${DEFAULT-VALUE}).")
  private int rows;

  @Option(
      names = "--dim",
      defaultValue = "300",
      converter = Ranges.Positive.class,
      description = "Dimension (default: ${DEFAULT-VALUE}).")
  private int dim;

  @Option(
      names = "--queries",
      defaultValue = "200",
      converter = Ranges.Positive.class,
      description = "Timed queries per setting (default: ${DEFAULT-VALUE}).")
  private int queries;

  @Option(
      names = "-k",
      defaultValue = "10",
      converter = Ranges.Positive.class,
      description = "Neighbours per query (default: ${DEFAULT-VALUE}).")
  private int k;

  @Option(
      names = "--threads",
      defaultValue = "0",
      converter = Ranges.NonNegative.class,
      description = "Threads for the parallel run (default: all processors).")
  private int threads;

  @Option(
      names = "--clusters",
      paramLabel = "N",
      defaultValue = "0",
      converter = Ranges.NonNegative.class,
      description = "Draw the rows from a mixture of N Gaussian clusters, as trained embeddings group; 0: independent Gaussian rows (default: ${DEFAULT-VALUE}).")
  private int clusters;

  @Option(
      names = "--approximate",
      description = "Also build an HNSW index (Lucene) and report its build time, queries/sec on one thread and recall@k against the exact search.")
  private boolean approximate;

  @Option(
      names = "--ef",
      split = ",",
      paramLabel = "EF",
      defaultValue = "100",
      converter = Ranges.Positive.class,
      description = "Candidates per approximate query; a list (50,100,200) measures each on the same index (default: ${DEFAULT-VALUE}).")
  private List<Integer> efs;

  @Mixin private GraphOptions graph;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random table (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Override
  public Integer call() throws IOException {
    int parallel = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    // the table, the normalised copy that cosine search builds, and the queries
    MemoryBudget.requireHeap(
        "a table of --rows " + rows + " x --dim " + dim,
        (long) ((2.0 * rows + queries) * dim * Float.BYTES)); // the cast saturates
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int j = 0; j < dim; j++) {
        c[j] = (float) rng.nextGaussian();
      }
    }
    RowStore table = HeapRowStore.allocate(rows, dim);
    float[] row = new float[dim];
    for (long r = 0; r < rows; r++) {
      draw(rng, centres, row);
      table.writeRow(r, row, 0);
    }
    float[][] qs = new float[queries][dim];
    for (float[] q : qs) {
      draw(rng, centres, q);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("rows", (long) rows);
    result.put("dim", (long) dim);
    result.put("clusters", (long) clusters);
    result.put("k", (long) k);
    result.put("queries", (long) queries);
    try (NearestNeighbors one = NearestNeighbors.over(table, 1);
        NearestNeighbors many = NearestNeighbors.over(table, parallel)) {
      Rate exactRate = rate(q -> one.search(q, k, Similarity.COSINE, null), qs);
      result.put("qps_1_thread", JsonOutput.rounded(exactRate.perSecond(), 1));
      result.put("qps_1_thread_per_cpu_second", JsonOutput.rounded(exactRate.perCpuSecond(), 1));
      Rate blockedRate = blockedRate(one, qs);
      result.put("qps_1_thread_blocked", JsonOutput.rounded(blockedRate.perSecond(), 1));
      result.put("qps_1_thread_blocked_per_cpu_second", JsonOutput.rounded(blockedRate.perCpuSecond(), 1));
      result.put("blocked_speedup_per_cpu_second", JsonOutput.rounded(blockedRate.perCpuSecond() / exactRate.perCpuSecond(), 2));
      result.put("threads", (long) parallel);
      result.put("qps_" + parallel + "_threads", JsonOutput.rounded(rate(q -> many.search(q, k, Similarity.COSINE, null), qs).perSecond(), 1));
      result.put("qps_" + parallel + "_threads_blocked", JsonOutput.rounded(blockedRate(many, qs).perSecond(), 1));
      if (approximate) {
        LuceneLog.quiet();
        HnswSettings settings = graph.settings(efs.getFirst());
        long start = System.nanoTime();
        try (ApproximateNeighbors ann = ApproximateNeighbors.openOrBuild(table, null, settings)) {
          result.put("approximate_build_seconds", JsonOutput.rounded((System.nanoTime() - start) / 1e9, 2));
          result.put("hnsw_m", (long) settings.maxConnections());
          result.put("hnsw_beam_width", (long) settings.beamWidth());
          List<Map<String, Object>> sweep = new ArrayList<>();
          for (int ef : efs) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("ef", (long) ef);
            Rate rate = rate(q -> ann.search(q, k, ef, null), qs);
            point.put("approximate_qps_1_thread", JsonOutput.rounded(rate.perSecond(), 1));
            point.put("approximate_qps_per_cpu_second", JsonOutput.rounded(rate.perCpuSecond(), 1));
            point.put("speedup_per_cpu_second", JsonOutput.rounded(rate.perCpuSecond() / exactRate.perCpuSecond(), 2));
            point.put("recall_at_k", JsonOutput.rounded(recall(one, q -> ann.search(q, k, ef, null), qs), 4));
            sweep.add(point);
          }
          result.putAll(sweep.getFirst()); // ef, approximate_qps_1_thread and recall_at_k of the first --ef
          result.put("approximate", sweep);
        }
      }
    }
    spec.commandLine().getOut().println(Json.write(result));
    spec.commandLine().getOut().flush();
    return 0;
  }

  /**
   * Queries per second of wall time, and per second of this process's CPU time: on a machine that other work keeps
   * busy the second is the steadier figure of a one-thread search.
   */
  private record Rate(double perSecond, double perCpuSecond) {}

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private Rate rate(Function<float[], List<Neighbor>> search, float[][] qs) {
    long sink = 0;
    for (float[] q : qs) {
      sink += search.apply(q).size(); // warm-up: a whole round, so that the JIT has compiled what the timed one runs
    }
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    for (float[] q : qs) {
      sink += search.apply(q).size();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
    if (sink < 0) {
      throw new IllegalStateException("unreachable");
    }
    return new Rate(qs.length / seconds, qs.length / cpuSeconds);
  }

  /**
   * The rate of {@link NearestNeighbors#searchAll} over all the queries at once (scored in blocks, each row read once
   * per block), after a warm-up round; its results equal one search per query.
   */
  private Rate blockedRate(NearestNeighbors nn, float[][] qs) {
    List<float[]> all = List.of(qs);
    long sink = nn.searchAll(all, k, Similarity.COSINE, null).size(); // warm-up
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    sink += nn.searchAll(all, k, Similarity.COSINE, null).size();
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
    if (sink < 0) {
      throw new IllegalStateException("unreachable");
    }
    return new Rate(qs.length / seconds, qs.length / cpuSeconds);
  }

  /** A row of independent N(0, 1) values, or a random centre of {@code centres} plus N(0, 0.5²) noise. */
  private static void draw(SplittableRandom rng, float[][] centres, float[] out) {
    float[] centre = centres.length == 0 ? null : centres[rng.nextInt(centres.length)];
    for (int j = 0; j < out.length; j++) {
      out[j] = centre == null ? (float) rng.nextGaussian() : centre[j] + 0.5f * (float) rng.nextGaussian();
    }
  }

  /** The fraction of the exact top k that the approximate search also returns, over all queries. */
  private double recall(NearestNeighbors exact, Function<float[], List<Neighbor>> approximate, float[][] qs) {
    long found = 0;
    long wanted = 0;
    for (float[] q : qs) {
      Set<Long> truth = new HashSet<>();
      exact.search(q, k, Similarity.COSINE, null).forEach(n -> truth.add(n.id()));
      for (Neighbor n : approximate.apply(q)) {
        found += truth.contains(n.id()) ? 1 : 0;
      }
      wanted += truth.size();
    }
    return wanted == 0 ? 1 : (double) found / wanted;
  }
}
