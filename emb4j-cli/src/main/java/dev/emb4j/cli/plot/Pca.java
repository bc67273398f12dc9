package dev.emb4j.cli.plot;

import dev.emb4j.store.RowStore;
import java.util.SplittableRandom;

/**
 * The first two principal components of a table's rows, by power iteration on the covariance (never formed: each
 * iteration is two passes over the rows), each later component deflated against the earlier ones.
 */
final class Pca {
  private static final int ITERATIONS = 60;

  private Pca() {}

  /** {@code {mean, first, second}}: the rows' mean and the unit directions of the first two components. */
  static double[][] axes(RowStore table) {
    int d = table.dim();
    long n = table.rows();
    double[] mean = new double[d];
    float[] row = new float[d];
    for (long r = 0; r < n; r++) {
      table.readRow(r, row, 0);
      for (int j = 0; j < d; j++) {
        mean[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= Math.max(n, 1);
    }
    double[] first = component(table, mean, null);
    return new double[][] {mean, first, component(table, mean, first)};
  }

  /** The coordinates of {@code row} on the two components of {@code axes}. */
  static double[] project(float[] row, double[][] axes) {
    double x = 0;
    double y = 0;
    for (int j = 0; j < row.length; j++) {
      double c = row[j] - axes[0][j];
      x += c * axes[1][j];
      y += c * axes[2][j];
    }
    return new double[] {x, y};
  }

  /** The unit direction of largest variance, orthogonal to {@code previous} (null for the first). */
  private static double[] component(RowStore table, double[] mean, double[] previous) {
    int d = mean.length;
    SplittableRandom random = new SplittableRandom(previous == null ? 1 : 2);
    double[] v = new double[d];
    for (int j = 0; j < d; j++) {
      v[j] = random.nextGaussian();
    }
    orthogonalize(v, previous);
    float[] row = new float[d];
    for (int it = 0; it < ITERATIONS; it++) {
      double[] w = new double[d];
      for (long r = 0; r < table.rows(); r++) {
        table.readRow(r, row, 0);
        double dot = 0;
        for (int j = 0; j < d; j++) {
          dot += (row[j] - mean[j]) * v[j];
        }
        for (int j = 0; j < d; j++) {
          w[j] += (row[j] - mean[j]) * dot;
        }
      }
      orthogonalize(w, previous);
      if (!normalize(w)) {
        return v; // no variance left in this direction: keep the start
      }
      v = w;
    }
    return v;
  }

  private static void orthogonalize(double[] v, double[] previous) {
    if (previous == null) {
      normalize(v);
      return;
    }
    double dot = 0;
    for (int j = 0; j < v.length; j++) {
      dot += v[j] * previous[j];
    }
    for (int j = 0; j < v.length; j++) {
      v[j] -= dot * previous[j];
    }
    normalize(v);
  }

  private static boolean normalize(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    if (s == 0 || !Double.isFinite(s)) {
      return false;
    }
    double norm = Math.sqrt(s);
    for (int j = 0; j < v.length; j++) {
      v[j] /= norm;
    }
    return true;
  }
}
