package dev.emb4j.examples;

import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.util.Locale;

/**
 * A table of dimension 1 is an id -> value dictionary: here prices by product id. An {@code EmbeddingBag} in SUM mode
 * over the same column totals a basket. The names live outside the table, as every vocabulary does.
 */
public final class DictionaryExample {
  private DictionaryExample() {}

  /** Prints the price of each product in a basket and the basket's total. */
  public static void main(String[] args) {
    String[] products = {"apple", "bread", "cheese", "coffee", "milk"};
    float[][] prices = {{0.40f}, {2.10f}, {5.75f}, {7.99f}, {1.15f}}; // row id = product id, one column
    IndexTensor basket = IndexTensor.of(3, 1, 1, 4);
    try (Embedding price = Embedding.fromPretrained(prices).build();
        EmbeddingBag total = EmbeddingBag.fromPretrained(prices).mode(BagMode.SUM).build()) {
      FloatTensor each = price.lookup(basket); // shape [4, 1]
      for (int k = 0; k < basket.numel(); k++) {
        System.out.printf(Locale.ROOT, "%-6s %5.2f%n", products[(int) basket.get(k)], each.get(k));
      }
      FloatTensor sum = total.lookup(basket, IndexTensor.of(0)).output(); // one bag starting at offset 0: [1, 1]
      System.out.printf(Locale.ROOT, "total  %5.2f%n", sum.get(0));
    }
  }
}
