package dev.emb4j.cli.demo;

import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Initializer;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.util.Arrays;

/** A lookup of ids {@code [1, 2, 3]} returns exactly rows 1, 2 and 3 of the table: an embedding is a row gather. */
final class LookupExample implements DemoExample {

  @Override
  public String title() {
    return "A lookup returns rows of the table, unchanged";
  }

  @Override
  public void run(DemoReport report, long seed) {
    try (Embedding table = Embedding.builder(10, 4).initializer(Initializer.normal(seed)).build()) {
      IndexTensor ids = IndexTensor.of(1, 2, 3);
      FloatTensor out = table.lookup(ids);
      FloatTensor weight = table.weightTensor();
      report.line(
          "Embedding(10, 4), N(0, 1) rows from seed %d; forward(%s) has shape %s",
          seed, DemoReport.ids(ids.toLongArray()), out.shape());
      boolean equal = true;
      for (int k = 0; k < ids.numel(); k++) {
        int id = Math.toIntExact(ids.get(k));
        float[] looked = out.row(k);
        float[] row = weight.row(id);
        report.line("out[%d] = %s   W[%d] = %s", k, DemoReport.vector(looked), id, DemoReport.vector(row));
        equal &= Arrays.equals(looked, row);
      }
      report.check("equal", equal);
    }
  }
}
