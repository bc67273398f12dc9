package dev.emb4j.nn;

import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;

/**
 * What one {@link EmbeddingBag#lookup} call produced: the pooled output and the bookkeeping its backward pass needs,
 * the same four results as PyTorch's {@code torch.embedding_bag} ({@code output, offset2bag, bag_size,
 * max_indices}).
 *
 * <p>Pass it back to {@link EmbeddingBag#backward} of the same bag to compute gradients. The arrays returned by the
 * accessors are copies.
 */
public final class BagResult {
  final TableCore owner;
  final long[] ids;
  final int[] bagStarts;
  final float[] perSampleWeights;
  final Shape inputShape;
  private final FloatTensor output;
  /** Made on first use: a pass of inference never needs it. */
  private volatile int[] offset2bag;
  private final int[] bagSizes;
  private final long[] maxIndices;

  BagResult(
      TableCore owner,
      long[] ids,
      int[] bagStarts,
      float[] perSampleWeights,
      Shape inputShape,
      FloatTensor output,
      int[] bagSizes,
      long[] maxIndices) {
    this.owner = owner;
    this.ids = ids;
    this.bagStarts = bagStarts;
    this.perSampleWeights = perSampleWeights;
    this.inputShape = inputShape;
    this.output = output;
    this.bagSizes = bagSizes;
    this.maxIndices = maxIndices;
  }

  /** The pooled rows, shape {@code (B, D)}; empty and all-padding bags are zero rows. */
  public FloatTensor output() {
    return output;
  }

  /** Number of bags. */
  public int bags() {
    return bagSizes.length;
  }

  /** For each input position (flattened), the bag it belongs to. */
  public int[] offset2bag() {
    return offset2bagView().clone();
  }

  /** For each bag, the number of its positions that are not padding (the divisor of a mean). */
  public int[] bagSizes() {
    return bagSizes.clone();
  }

  /**
   * MAX mode only: for bag b and column d, the row id whose value won ({@code [b * D + d]}), or -1 for an empty bag;
   * {@code null} in the other modes.
   */
  public long[] maxIndices() {
    return maxIndices == null ? null : maxIndices.clone();
  }

  int[] bagSizesView() {
    return bagSizes;
  }

  long[] maxIndicesView() {
    return maxIndices;
  }

  int[] offset2bagView() {
    int[] o2b = offset2bag;
    if (o2b == null) {
      o2b = new int[ids.length];
      for (int b = 0; b + 1 < bagStarts.length; b++) {
        java.util.Arrays.fill(o2b, bagStarts[b], bagStarts[b + 1], b);
      }
      offset2bag = o2b;
    }
    return o2b;
  }
}
