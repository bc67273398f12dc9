package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.S;
import static dev.emb4j.internal.kernel.PanamaVectors.sumLanes;

import jdk.incubator.vector.FloatVector;

/** The dot product and {@code y += s * x} of the dense layers ({@code Linear}) with the Vector API. */
final class PanamaDenseMath {
  private PanamaDenseMath() {}

  private static final ScalarKernels SCALAR = new ScalarKernels();

  static float dot(float[] a, int ao, float[] b, int bo, int len) {
    if (len < 2 * L) {
      return SCALAR.dot(a, ao, b, bo, len);
    }
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    int j = 0;
    for (; j + 2 * L <= len; j += 2 * L) {
      s0 = FloatVector.fromArray(S, a, ao + j).fma(FloatVector.fromArray(S, b, bo + j), s0);
      s1 = FloatVector.fromArray(S, a, ao + j + L).fma(FloatVector.fromArray(S, b, bo + j + L), s1);
    }
    // reduce
    float s = sumLanes(s0.add(s1));
    // scalar tail
    for (; j < len; j++) {
      s += a[ao + j] * b[bo + j];
    }
    return s;
  }

  static void axpy(float s, float[] x, int xo, float[] y, int yo, int len) {
    int j = 0;
    for (; j + L <= len; j += L) {
      FloatVector.fromArray(S, y, yo + j).add(FloatVector.fromArray(S, x, xo + j).mul(s)).intoArray(y, yo + j);
    }
    // scalar tail
    for (; j < len; j++) {
      y[yo + j] += s * x[xo + j];
    }
  }
}
