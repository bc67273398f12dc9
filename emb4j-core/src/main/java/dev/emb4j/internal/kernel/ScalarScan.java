package dev.emb4j.internal.kernel;

import java.util.Arrays;

/**
 * The scalar scan, written as the Vector API twin computes: {@code lanes} running sums per accumulator, two
 * accumulators (even and odd vectors of the row), added lane by lane, then the lanes summed in order from 0 (as {@code PanamaVectors.sumLanes} does). Products
 * and sums, never a fused multiply-add, so that both twins give the same float for every row.
 */
final class ScalarScan implements ScanSupport {
  private final int lanes;

  /** A scan emulating vectors of {@code lanes} floats (a power of two dividing {@link SimilarityScan#ROW_ALIGN}). */
  ScalarScan(int lanes) {
    assert lanes > 0 && SimilarityScan.ROW_ALIGN % lanes == 0;
    this.lanes = lanes;
  }

  @Override
  public void dotRows(float[] rows, int first, int count, int stride, float[] q, float[] out) {
    float[] even = new float[lanes];
    float[] odd = new float[lanes];
    int vectors = stride / lanes;
    for (int i = 0; i < count; i++) {
      int base = (first + i) * stride;
      Arrays.fill(even, 0f);
      Arrays.fill(odd, 0f);
      for (int v = 0; v < vectors; v++) {
        float[] acc = (v & 1) == 0 ? even : odd;
        int o = v * lanes;
        for (int l = 0; l < lanes; l++) {
          acc[l] += rows[base + o + l] * q[o + l];
        }
      }
      // reduce
      float s = 0;
      for (int l = 0; l < lanes; l++) {
        s += even[l] + odd[l];
      }
      out[i] = s;
    }
  }
}
