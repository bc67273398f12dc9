package dev.emb4j.cli.demo;

import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Initializer;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;

/**
 * {@code embedding(idx) == oneHot(idx) @ W}: an embedding is a bias-free linear layer applied to one-hot vectors,
 * computed without the multiplications by zero.
 */
final class LinearEquivalenceExample implements DemoExample {
  private static final int V = 6;
  private static final int D = 3;

  @Override
  public String title() {
    return "An embedding is a linear layer on one-hot vectors: embedding(idx) == oneHot(idx) @ W";
  }

  @Override
  public void run(DemoReport report, long seed) {
    try (Embedding table = Embedding.builder(V, D).initializer(Initializer.normal(seed + 1)).build()) {
      long[] ids = {5, 0, 3, 3};
      FloatTensor looked = table.lookup(IndexTensor.of(ids));
      float[] w = table.weightTensor().data();
      report.line("Embedding(%d, %d), N(0, 1) rows from seed %d; idx = %s", V, D, seed + 1, DemoReport.ids(ids));
      double maxDiff = 0;
      for (int k = 0; k < ids.length; k++) {
        float[] oneHot = oneHot(ids[k]);
        float[] product = times(oneHot, w);
        float[] row = looked.row(k);
        for (int c = 0; c < D; c++) {
          maxDiff = Math.max(maxDiff, Math.abs((double) row[c] - product[c]));
        }
        report.line(
            "oneHot(%d) = %s   @ W = %s   embedding = %s",
            ids[k], DemoReport.vector(oneHot), DemoReport.vector(product), DemoReport.vector(row));
      }
      report.line("max abs difference: %s", maxDiff);
      report.check("equal", maxDiff == 0);
    }
  }

  private static float[] oneHot(long id) {
    float[] v = new float[V];
    v[(int) id] = 1;
    return v;
  }

  /** The row vector {@code x} (1 x V) times the row-major matrix {@code w} (V x D), summed in row order. */
  private static float[] times(float[] x, float[] w) {
    float[] out = new float[D];
    for (int r = 0; r < V; r++) {
      for (int c = 0; c < D; c++) {
        out[c] += x[r] * w[r * D + c];
      }
    }
    return out;
  }
}
