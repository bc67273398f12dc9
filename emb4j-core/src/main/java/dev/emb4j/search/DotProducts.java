package dev.emb4j.search;

/** The norms the search divides rows by (its dot products run in {@code internal.kernel.SimilarityScan}). */
final class DotProducts {
  private DotProducts() {}

  /** The Euclidean norm of {@code n} values, accumulated in double. */
  static double norm(float[] a, int offset, int n) {
    double s = 0;
    for (int j = 0; j < n; j++) {
      s += (double) a[offset + j] * a[offset + j];
    }
    return Math.sqrt(s);
  }
}
