package dev.emb4j.cli.demo;

import dev.emb4j.nn.Embedding;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.util.Arrays;

/**
 * {@code Embedding.fromPretrained(W)} copies W, is frozen by default, and its lookup equals indexing W directly.
 */
final class PretrainedExample implements DemoExample {

  /** The fixture of the behavioural specification: {@code arange(1, 11).view(5, 2)}. */
  static final float[][] W5 = {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}};

  @Override
  public String title() {
    return "Embedding.fromPretrained(W): a lookup is W indexed by the ids";
  }

  @Override
  public void run(DemoReport report, long seed) {
    try (Embedding table = Embedding.fromPretrained(W5).build()) {
      long[] ids = {4, 0, 2, 2};
      FloatTensor out = table.lookup(IndexTensor.of(ids));
      report.line("W = %s, frozen: %s", render(W5), table.frozen());
      boolean equal = true;
      for (int k = 0; k < ids.length; k++) {
        float[] direct = W5[(int) ids[k]];
        report.line(
            "forward(%s)[%d] = %s   W[%d] = %s",
            DemoReport.ids(ids), k, DemoReport.vector(out.row(k)), ids[k], DemoReport.vector(direct));
        equal &= Arrays.equals(out.row(k), direct);
      }
      report.check("equal", equal);
    }
  }

  private static String render(float[][] rows) {
    StringBuilder sb = new StringBuilder("[");
    for (int r = 0; r < rows.length; r++) {
      sb.append(r == 0 ? "" : ", ").append(DemoReport.vector(rows[r]));
    }
    return sb.append(']').toString();
  }
}
