package dev.emb4j.internal.kernel;

/**
 * The exact nearest-neighbour scan's inner loop, with two implementations: {@link ScalarScan}, the oracle, and {@link
 * PanamaScan}, its Vector API twin, bit for bit equal to the scalar one at the same lane count.
 */
interface ScanSupport {

  /**
   * {@code out[i] = sum_j rows[(first + i) * stride + j] * q[j]} for {@code i < count}, {@code j < stride}: the dot
   * products of {@code count} consecutive rows with the query, rows and query zero-padded to {@code stride}, a
   * multiple of {@link SimilarityScan#ROW_ALIGN}.
   */
  void dotRows(float[] rows, int first, int count, int stride, float[] q, float[] out);
}
