package dev.emb4j.kernel;

import dev.emb4j.store.RowStore;

/**
 * The row kernels behind {@link Kernels}, one implementation per instruction set. Arguments are valid by contract:
 * {@link Kernels} and the tables check them at the public boundary, implementations only assert.
 *
 * <p>Bags are given in CSR form: bag {@code b} covers positions {@code [bagStarts[b], bagStarts[b + 1])} of {@code
 * ids}. A {@code paddingIdx} of {@code -1} means "no padding row".
 */
interface KernelSupport {

  /** {@code out[i * D .. (i + 1) * D) = W[ids[i]]}. */
  void gatherRows(RowStore w, long[] ids, float[] out);

  /**
   * {@code out[b] = sum of psw[i] * W[ids[i]]} over the non-padding positions i of bag b ({@code psw == null} means
   * weight 1); {@code bagSizes[b]} receives the number of those positions. {@code out} must be zero on entry.
   */
  void poolSum(RowStore w, long[] ids, int[] bagStarts, float[] psw, long paddingIdx, float[] out, int[] bagSizes);

  /**
   * Element-wise maximum over the non-padding positions of each bag; the first such position seeds the maximum and a
   * later value replaces it only when strictly greater (ties and a NaN after the first keep the earlier value).
   * {@code maxIndices[b * D + d]} receives the row id of the winner, or -1 for an empty bag, whose output stays zero.
   */
  void poolMax(
      RowStore w, long[] ids, int[] bagStarts, long paddingIdx, float[] out, long[] maxIndices, int[] bagSizes);

  /** The p-norm of {@code row[off .. off + len)} with PyTorch's {@code torch.norm} conventions, in double. */
  double norm(float[] row, int off, int len, double p);

  /** {@code target[ids[i]] += scales[i] * src[srcRows[i] * D ..]} for every i whose id is not padding. */
  void scatterAddRows(RowStore target, long[] ids, float[] src, int[] srcRows, float[] scales, long paddingIdx);

  /** {@code target[maxIndices[b * D + d], d] += grad[b * D + d]} for every non-empty bag b and column d. */
  void scatterMaxGrad(RowStore target, long[] maxIndices, int[] bagSizes, float[] grad);
}
