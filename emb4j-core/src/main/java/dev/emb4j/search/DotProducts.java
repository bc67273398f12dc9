package dev.emb4j.search;

/**
 * The scalar inner-product kernel of the search: a plain loop with four independent accumulators (so the JIT can
 * overlap the additions), then a reduce step and a scalar tail. A Vector API twin can replace it later behind the same
 * signature; this one stays the oracle.
 */
final class DotProducts {
  private DotProducts() {}

  /** {@code sum_j a[aOffset + j] * q[j]} for {@code j < n}. */
  static float dot(float[] a, int aOffset, float[] q, int n) {
    assert aOffset >= 0 && aOffset + n <= a.length && n <= q.length;
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    int bound = n & ~3;
    for (; j < bound; j += 4) {
      s0 += a[aOffset + j] * q[j];
      s1 += a[aOffset + j + 1] * q[j + 1];
      s2 += a[aOffset + j + 2] * q[j + 2];
      s3 += a[aOffset + j + 3] * q[j + 3];
    }
    // reduce
    float s = (s0 + s1) + (s2 + s3);
    // scalar tail
    for (; j < n; j++) {
      s += a[aOffset + j] * q[j];
    }
    return s;
  }

  /** The Euclidean norm of {@code n} values, accumulated in double. */
  static double norm(float[] a, int offset, int n) {
    double s = 0;
    for (int j = 0; j < n; j++) {
      s += (double) a[offset + j] * a[offset + j];
    }
    return Math.sqrt(s);
  }
}
