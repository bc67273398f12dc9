package dev.emb4j.cli.vectors;

import dev.emb4j.cli.JsonOutput;
import dev.emb4j.cli.MemoryBudget;
import dev.emb4j.cli.Ranges;
import dev.emb4j.internal.format.Json;
import dev.emb4j.search.NearestNeighbors;
import dev.emb4j.search.Similarity;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
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

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random table (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Override
  public Integer call() {
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
    }
    spec.commandLine().getOut().println(Json.write(result));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private double qps(NearestNeighbors nn, float[][] qs) {
    long sink = 0;
    for (int i = 0; i < Math.min(qs.length, 20); i++) {
      sink += nn.search(qs[i], k, Similarity.COSINE, null).size(); // warm-up (and builds the normalised copy)
    }
    long start = System.nanoTime();
    for (float[] q : qs) {
      sink += nn.search(q, k, Similarity.COSINE, null).size();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (sink < 0) {
      throw new IllegalStateException("unreachable");
    }
    return qs.length / seconds;
  }
}
