package dev.emb4j.cluster;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Initializer;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measures a sharded table's pull and push on loopback against a local table, for docs/performance.md: {@code
 * ClusterProbe MEMBERS ROWS DIM BATCH STEPS} with MEMBERS 0 for the local table (an {@link Embedding} and {@link
 * Adagrad}); otherwise it starts that many member JVMs on 127.0.0.1. Each step looks up BATCH uniform random ids,
 * pulls their blocks, and pushes a gradient of those rows (Adagrad). Prints one JSON line.
 */
public final class ClusterProbe {
  private ClusterProbe() {}

  /** Runs the probe. */
  public static void main(String[] args) throws IOException {
    int members = Integer.parseInt(args[0]);
    long rows = Long.parseLong(args[1]);
    int dim = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    int steps = Integer.parseInt(args[4]);
    Embedding local = Embedding.builder(rows, dim).sparse(true).initializer(Initializer.normal(0, 0.1, 1)).build();
    Adagrad opt = new Adagrad(local.parameters(), Adagrad.Config.of(0.05));
    SplittableRandom rnd = new SplittableRandom(5);
    List<ChildJvm> children = new ArrayList<>();
    Cluster cluster = null;
    ShardedTable table = null;
    try {
      if (members > 0) {
        StringBuilder all = new StringBuilder();
        int[] ports = new int[members];
        for (int k = 0; k < members; k++) {
          ports[k] = ShardedTableTest.freePort();
          all.append(k == 0 ? "" : ",").append("127.0.0.1:").append(ports[k]);
        }
        for (int port : ports) {
          children.add(ChildJvm.member(port, all.toString()));
        }
        cluster = Cluster.connect(Addresses.parseList(all.toString()));
        table = cluster.openOrCreate(TableSpec.of("probe", rows, dim), local::weight);
      }
      long pullNanos = 0;
      long pushNanos = 0;
      long stepNanos = 0;
      long pulledRows = 0;
      long pushedRows = 0;
      long pulledBlocks = 0;
      int warmup = steps / 5;
      for (int s = 0; s < warmup + steps; s++) {
        long[] ids = new long[batch];
        for (int k = 0; k < batch; k++) {
          ids[k] = rnd.nextLong(rows);
        }
        long unique = Arrays.stream(ids).distinct().count();
        long blocks = Arrays.stream(ids).map(r -> r / TableSpec.DEFAULT_BLOCK_ROWS).distinct().count();
        long t0 = System.nanoTime();
        if (table != null) {
          table.pull(ids);
        }
        long t1 = System.nanoTime();
        FloatTensor out = local.forward(IndexTensor.of(ids)).value();
        FloatTensor grad = FloatTensor.zeros(Shape.of(batch, dim));
        Arrays.fill(grad.data(), 0.01f);
        local.backward(IndexTensor.of(ids), grad);
        long t2 = System.nanoTime();
        if (table != null) {
          table.push((SparseGradient) local.grad(), new OptimizerSpec(OptimizerSpec.Kind.ADAGRAD, 0.05), s + 1);
        } else {
          opt.step();
        }
        opt.zeroGrad();
        long t3 = System.nanoTime();
        if (s >= warmup && out.numel() > 0) {
          pullNanos += t1 - t0;
          pushNanos += t3 - t2;
          stepNanos += t3 - t0;
          pulledRows += unique;
          pushedRows += unique;
          pulledBlocks += blocks;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "{\"members\": %d, \"rows\": %d, \"dim\": %d, \"batch\": %d, \"steps\": %d, \"unique_rows_per_step\": %.1f,"
              + " \"blocks_per_step\": %.1f, \"pull_rows_per_s\": %s, \"push_rows_per_s\": %.0f,"
              + " \"step_ms\": %.3f, \"pull_ms\": %.3f, \"push_ms\": %.3f}%n",
          members, rows, dim, batch, steps, (double) pulledRows / steps, (double) pulledBlocks / steps,
          members == 0 ? "null" : String.format(Locale.ROOT, "%.0f", pulledRows / (pullNanos / 1e9)),
          pushedRows / (pushNanos / 1e9),
          stepNanos / 1e6 / steps, pullNanos / 1e6 / steps, pushNanos / 1e6 / steps);
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      for (ChildJvm c : children) {
        c.close();
      }
    }
  }
}
