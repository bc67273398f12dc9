package dev.emb4j.examples;

import dev.emb4j.nn.Embedding;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;

/**
 * {@code Embedding.fromPretrained(w)} copies {@code w} into a frozen table whose lookup equals indexing {@code w}
 * directly. PyTorch: {@code nn.Embedding.from_pretrained(w)(ids)} equals {@code w[ids]}.
 */
public final class PretrainedExample {
  private PretrainedExample() {}

  /** Prints the lookup, {@code w[ids]}, and whether they are equal. */
  public static void main(String[] args) {
    FloatTensor w = FloatTensor.fromArray(new float[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}});
    IndexTensor ids = IndexTensor.of(4, 0, 2, 2);
    try (Embedding embedding = Embedding.fromPretrained(w).build()) { // freeze(false) to fine-tune it
      FloatTensor looked = embedding.lookup(ids);
      FloatTensor indexed = w.index(ids);
      System.out.println("embedding(ids):");
      System.out.println(looked);
      System.out.println("w[ids]:");
      System.out.println(indexed);
      System.out.println("equal: " + looked.equals(indexed));
      System.out.println("frozen: " + embedding.frozen());
    }
  }
}
