package dev.emb4j.examples;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.Ops;
import dev.emb4j.nn.Embedding;
import dev.emb4j.optim.Sgd;
import dev.emb4j.tensor.IndexTensor;

/**
 * The padding row starts at zero, gets no gradient however often it occurs, and so stays zero through training,
 * while every other row gets one gradient row per occurrence. An id outside the table fails before anything changes,
 * with a message that names it, its position and the valid range.
 */
public final class PaddingExample {
  private PaddingExample() {}

  /** Prints the padding row, the gradient of {@code sum(embedding(ids))}, the row after a step, and the error. */
  public static void main(String[] args) {
    Emb4j.manualSeed(3);
    try (Embedding embedding = Embedding.builder(5, 3).paddingIdx(0).build()) {
      IndexTensor ids = IndexTensor.fromArray(new int[][] {{1, 2, 0, 0}, {3, 2, 4, 0}}); // padded with id 0
      System.out.println("weight[0] (padding): " + embedding.weightTensor().index(IndexTensor.of(0)));

      Ops.sum(embedding.forward(ids)).backward(); // d sum / d row = its number of occurrences, but 0 for padding
      System.out.println("grad of sum(embedding(ids)):");
      System.out.println(embedding.grad().toDense());

      new Sgd(embedding.parameters(), Sgd.Config.of(0.5)).step();
      System.out.println("weight[0] after a step: " + embedding.weightTensor().index(IndexTensor.of(0)));

      try {
        embedding.lookup(IndexTensor.fromArray(new int[][] {{1, 2}, {7, 0}}));
      } catch (IndexOutOfBoundsException e) {
        System.out.println("out of range: " + e.getMessage());
      }
    }
  }
}
