package dev.emb4j.cli.vectors;

import dev.emb4j.cli.JsonOutput;
import dev.emb4j.cli.MemoryBudget;
import dev.emb4j.cli.Ranges;
import dev.emb4j.cli.serve.LuceneLog;
import dev.emb4j.internal.format.Json;
import dev.emb4j.search.NearestNeighbors;
import dev.emb4j.search.Neighbor;
import dev.emb4j.search.Similarity;
import dev.emb4j.serve.ApproximateNeighbors;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import java.io.IOException;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code emb4j vectors bench}: queries per second of exact top-k cosine search over a random table, on one thread and
 * on several, printed as one JSON object. A warm-up round runs first so the JIT has compiled the scan.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure nearest-neighbour queries/sec (exact cosine top-k) over a random table; prints JSON.",
    footerHeading = "%nExamples:%n",
    footer = {"  emb4j vectors bench", "  emb4j vectors bench --rows 1000000 --dim 100 -k 10 --threads 4"})
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
      names = "--approximate",
      description = "Also build an HNSW index (Lucene) and report its build time, queries/sec on one thread and recall@k against the exact search.")
  private boolean approximate;

  @Option(
      names = "--ef",
      defaultValue = "100",
      converter = Ranges.Positive.class,
      description = "Candidates per approximate query (default: ${DEFAULT-VALUE}).")
  private int ef;

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
    RowStore table = HeapRowStore.allocate(rows, dim);
    float[] row = new float[dim];
    for (long r = 0; r < rows; r++) {
      for (int j = 0; j < dim; j++) {
        row[j] = (float) rng.nextGaussian();
      }
      table.writeRow(r, row, 0);
    }
    float[][] qs = new float[queries][dim];
    for (float[] q : qs) {
      for (int j = 0; j < dim; j++) {
        q[j] = (float) rng.nextGaussian();
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("rows", (long) rows);
    result.put("dim", (long) dim);
    result.put("k", (long) k);
    result.put("queries", (long) queries);
    try (NearestNeighbors one = NearestNeighbors.over(table, 1);
        NearestNeighbors many = NearestNeighbors.over(table, parallel)) {
      result.put("qps_1_thread", JsonOutput.rounded(qps(one, qs), 1));
      result.put("threads", (long) parallel);
      result.put("qps_" + parallel + "_threads", JsonOutput.rounded(qps(many, qs), 1));
      if (approximate) {
        LuceneLog.quiet();
        long start = System.nanoTime();
        try (ApproximateNeighbors ann = ApproximateNeighbors.openOrBuild(table, null, ef)) {
          result.put("approximate_build_seconds", JsonOutput.rounded((System.nanoTime() - start) / 1e9, 2));
          result.put("ef", (long) ef);
          result.put("approximate_qps_1_thread", JsonOutput.rounded(qps(q -> ann.search(q, k, null), qs), 1));
          result.put("recall_at_k", JsonOutput.rounded(recall(one, ann, qs), 4));
        }
      }
    }
    spec.commandLine().getOut().println(Json.write(result));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private double qps(NearestNeighbors nn, float[][] qs) {
    return qps(q -> nn.search(q, k, Similarity.COSINE, null), qs);
  }

  private double qps(Function<float[], List<Neighbor>> search, float[][] qs) {
    long sink = 0;
    for (int i = 0; i < Math.min(qs.length, 20); i++) {
      sink += search.apply(qs[i]).size(); // warm-up (and builds the normalised copy)
    }
    long start = System.nanoTime();
    for (float[] q : qs) {
      sink += search.apply(q).size();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (sink < 0) {
      throw new IllegalStateException("unreachable");
    }
    return qs.length / seconds;
  }

  /** The fraction of the exact top k that the approximate search also returns, over all queries. */
  private double recall(NearestNeighbors exact, ApproximateNeighbors ann, float[][] qs) {
    long found = 0;
    long wanted = 0;
    for (float[] q : qs) {
      Set<Long> truth = new HashSet<>();
      exact.search(q, k, Similarity.COSINE, null).forEach(n -> truth.add(n.id()));
      for (Neighbor n : ann.search(q, k, null)) {
        found += truth.contains(n.id()) ? 1 : 0;
      }
      wanted += truth.size();
    }
    return wanted == 0 ? 1 : (double) found / wanted;
  }
}
