package dev.emb4j.examples;

import dev.emb4j.Emb4j;
import dev.emb4j.nn.Embedding;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;

/**
 * A lookup of ids {@code [1, 2, 3]} in a seeded 10 x 4 table returns rows 1, 2 and 3 of its weight: an embedding is a
 * row gather. PyTorch: {@code torch.manual_seed(42); emb = nn.Embedding(10, 4); emb(torch.tensor([1, 2, 3]))}.
 */
public final class LookupExample {
  private LookupExample() {}

  /** Prints the ids, the rows they look up, and whether those equal {@code weight[ids]}. */
  public static void main(String[] args) {
    Emb4j.manualSeed(42);
    try (Embedding embedding = new Embedding(10, 4)) { // 10 rows of dimension 4, N(0, 1) as in PyTorch
      IndexTensor ids = IndexTensor.of(1, 2, 3);
      FloatTensor rows = embedding.lookup(ids); // shape [3, 4]; forward(ids) would also record the graph
      System.out.println("ids: " + ids);
      System.out.println("embedding(ids), shape " + rows.shape() + ":");
      System.out.println(rows);
      System.out.println("equals weight[ids]: " + rows.equals(embedding.weightTensor().index(ids)));
    }
  }
}
