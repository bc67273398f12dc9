package dev.emb4j.examples;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.Variable;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Linear;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.util.Map;

/**
 * An embedding is a bias-free linear layer applied to one-hot vectors, computed without the multiplications by zero:
 * {@code embedding(ids) == oneHot(ids) @ W}. The orientation differs: an Embedding's weight is {@code (V, D)} (one row
 * per id), a Linear's is {@code (out, in)}, so a Linear from V inputs to D outputs holds {@code W}'s transpose.
 */
public final class OneHotExample {
  private OneHotExample() {}

  /** Prints both weight shapes and compares the lookup with {@code oneHot(ids) @ W} and a Linear holding W^T. */
  public static void main(String[] args) {
    Emb4j.manualSeed(7);
    try (Embedding embedding = new Embedding(6, 3); // W: (V, D) = (6, 3)
        Linear linear = new Linear(6, 3, false)) { // L: (out, in) = (3, 6)
      System.out.println("Embedding(6, 3).weight: " + embedding.weightTensor().shape() + " = (V, D)");
      System.out.println("Linear(6, 3).weight:    " + linear.weight().shape() + " = (out, in)");

      IndexTensor ids = IndexTensor.of(5, 0, 3, 3);
      FloatTensor oneHot = FloatTensor.oneHot(ids, 6); // shape [4, 6]
      FloatTensor w = embedding.weightTensor();
      System.out.println("oneHot(ids):");
      System.out.println(oneHot);
      System.out.println("embedding(ids) == oneHot(ids) @ W: " + embedding.lookup(ids).equals(oneHot.matmul(w)));

      // The same lookup through the Linear layer, once its weight holds W^T (PyTorch: linear.weight.data = W.T).
      linear.loadStateDict(Map.of("weight", w.t()));
      FloatTensor viaLinear = linear.forward(Variable.constant(oneHot)).value();
      System.out.println("linear(oneHot(ids)) == embedding(ids): " + viaLinear.equals(embedding.lookup(ids)));
    }
  }
}
