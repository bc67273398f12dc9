package dev.emb4j.cli.demo;

import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.BagResult;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.util.Arrays;

/**
 * EmbeddingBag pools the rows of each bag (given by offsets) to one row by SUM, MEAN or MAX, and SUM takes
 * per-sample weights; each result is compared with the same pooling done by hand over W.
 */
final class BagPoolingExample implements DemoExample {
  private static final float[][] W = PretrainedExample.W5;
  private static final long[] INPUT = {0, 2, 4, 1, 3};
  private static final long[] OFFSETS = {0, 3};
  private static final float[] WEIGHTS = {1f, 0.5f, 2f, 1f, -1f};

  @Override
  public String title() {
    return "EmbeddingBag pools each bag to one row: SUM, MEAN, MAX";
  }

  @Override
  public void run(DemoReport report, long seed) {
    report.line(
        "W as in 2; input = %s, offsets = %s: bags {0, 2, 4} and {1, 3}",
        DemoReport.ids(INPUT), DemoReport.ids(OFFSETS));
    for (BagMode mode : BagMode.values()) {
      try (EmbeddingBag bag = EmbeddingBag.fromPretrained(W).mode(mode).build()) {
        BagResult result = bag.lookup(IndexTensor.of(INPUT), IndexTensor.of(OFFSETS));
        show(report, mode.name(), result.output(), byHand(mode, null));
      }
    }
    try (EmbeddingBag bag = EmbeddingBag.fromPretrained(W).mode(BagMode.SUM).build()) {
      BagResult result =
          bag.lookup(IndexTensor.of(INPUT), IndexTensor.of(OFFSETS), FloatTensor.vector(WEIGHTS));
      show(report, "SUM, weights " + DemoReport.vector(WEIGHTS), result.output(), byHand(BagMode.SUM, WEIGHTS));
    }
  }

  private static void show(DemoReport report, String label, FloatTensor output, float[][] expected) {
    report.line(
        "%-4s bag 0 = %s  bag 1 = %s", label, DemoReport.vector(output.row(0)), DemoReport.vector(output.row(1)));
    report.check("equal", Arrays.equals(output.row(0), expected[0]) && Arrays.equals(output.row(1), expected[1]));
  }

  /** The pooling done by hand, in input order, as PyTorch does it. */
  private static float[][] byHand(BagMode mode, float[] weights) {
    int d = W[0].length;
    float[][] out = new float[OFFSETS.length][d];
    for (int b = 0; b < OFFSETS.length; b++) {
      int start = (int) OFFSETS[b];
      int end = b + 1 < OFFSETS.length ? (int) OFFSETS[b + 1] : INPUT.length;
      if (mode == BagMode.MAX) {
        Arrays.fill(out[b], Float.NEGATIVE_INFINITY);
      }
      for (int i = start; i < end; i++) {
        float[] row = W[(int) INPUT[i]];
        float scale = weights == null ? 1f : weights[i];
        for (int c = 0; c < d; c++) {
          out[b][c] = mode == BagMode.MAX ? Math.max(out[b][c], row[c]) : out[b][c] + scale * row[c];
        }
      }
      if (mode == BagMode.MEAN) {
        for (int c = 0; c < d; c++) {
          out[b][c] /= end - start;
        }
      }
    }
    return out;
  }
}
