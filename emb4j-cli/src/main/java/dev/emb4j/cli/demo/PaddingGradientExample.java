package dev.emb4j.cli.demo;

import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Initializer;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.Arrays;

/**
 * The padding row is zeroed at initialisation and receives no gradient, however often it occurs, while every other
 * row receives one gradient row per occurrence.
 */
final class PaddingGradientExample implements DemoExample {
  private static final int V = 5;
  private static final int D = 3;
  private static final int PADDING = 0;

  @Override
  public String title() {
    return "The padding row gets no gradient; its neighbours do";
  }

  @Override
  public void run(DemoReport report, long seed) {
    try (Embedding table =
        Embedding.builder(V, D).paddingIdx(PADDING).initializer(Initializer.normal(seed + 2)).build()) {
      // Two sentences padded to length 4 with id 0.
      int[] flat = {1, 2, 0, 0, 3, 2, 4, 0};
      IndexTensor ids = IndexTensor.of(Shape.of(2, 4), flat);
      FloatTensor out = table.lookup(ids);
      report.line(
          "Embedding(%d, %d, paddingIdx=%d); ids = [[1, 2, 0, 0], [3, 2, 4, 0]]; W[0] = %s",
          V, D, PADDING, DemoReport.vector(table.weightTensor().row(PADDING)));
      // loss = out.sum(), so dLoss/dOut is all ones and each row's gradient counts its occurrences.
      float[] ones = new float[out.numel()];
      Arrays.fill(ones, 1f);
      table.backward(ids, FloatTensor.wrap(out.shape(), ones));
      FloatTensor grad = table.grad().toDense();
      boolean paddingZero = true;
      boolean othersCounted = true;
      report.line("backward of loss = out.sum():");
      for (int row = 0; row < V; row++) {
        int occurrences = count(flat, row);
        float[] g = grad.row(row);
        report.line(
            "  grad[%d] = %s   (id %d occurs %d time%s%s)",
            row, DemoReport.vector(g), row, occurrences, occurrences == 1 ? "" : "s", row == PADDING ? ", padding" : "");
        float[] expected = new float[D];
        Arrays.fill(expected, row == PADDING ? 0f : occurrences);
        if (row == PADDING) {
          paddingZero &= Arrays.equals(g, expected);
        } else {
          othersCounted &= Arrays.equals(g, expected);
        }
      }
      report.check("padding row has no gradient", paddingZero);
      report.check("other rows have one gradient per occurrence", othersCounted);
    }
  }

  private static int count(int[] ids, int id) {
    int n = 0;
    for (int x : ids) {
      n += x == id ? 1 : 0;
    }
    return n;
  }
}
