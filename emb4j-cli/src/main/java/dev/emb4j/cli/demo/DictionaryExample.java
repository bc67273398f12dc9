package dev.emb4j.cli.demo;

import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.BagResult;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.util.Locale;

/**
 * A table with {@code embeddingDim = 1} is a plain id -> value dictionary (here: prices by product id), and an
 * EmbeddingBag in SUM mode over it totals a basket. The names live outside the table, as every vocabulary does.
 */
final class DictionaryExample implements DemoExample {
  private static final String[] PRODUCTS = {"apple", "bread", "cheese", "coffee", "milk"};
  private static final float[] PRICES = {0.40f, 2.10f, 5.75f, 7.99f, 1.15f};

  @Override
  public String title() {
    return "A table of dimension 1 is a dictionary: product id -> price";
  }

  @Override
  public void run(DemoReport report, long seed) {
    float[][] column = new float[PRICES.length][];
    for (int id = 0; id < PRICES.length; id++) {
      column[id] = new float[] {PRICES[id]};
    }
    long[] basket = {3, 1, 1, 4};
    try (Embedding prices = Embedding.fromPretrained(column).build();
        EmbeddingBag totals = EmbeddingBag.fromPretrained(column).mode(BagMode.SUM).build()) {
      FloatTensor looked = prices.lookup(IndexTensor.of(basket));
      StringBuilder list = new StringBuilder();
      for (int id = 0; id < PRICES.length; id++) {
        list.append(id == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%d %s %.2f", id, PRODUCTS[id], PRICES[id]));
      }
      report.line("Embedding(%d, 1) from prices by id: %s", PRICES.length, list);
      boolean equal = true;
      float expectedTotal = 0;
      StringBuilder items = new StringBuilder();
      for (int k = 0; k < basket.length; k++) {
        float price = looked.get(k);
        int id = (int) basket[k];
        items.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f", PRODUCTS[id], price));
        equal &= price == PRICES[id];
        expectedTotal += PRICES[id];
      }
      report.line("basket %s -> %s", DemoReport.ids(basket), items);
      report.check("equal", equal);
      BagResult bag = totals.lookup(IndexTensor.of(basket), IndexTensor.of(0L));
      float total = bag.output().get(0);
      report.line("EmbeddingBag(SUM) over the basket: total %.2f (summed by hand: %.2f)", total, expectedTotal);
      report.check("equal", total == expectedTotal);
    }
  }
}
