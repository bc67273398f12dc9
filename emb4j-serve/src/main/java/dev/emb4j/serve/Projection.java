package dev.emb4j.serve;

import dev.emb4j.store.RowStore;
import java.util.SplittableRandom;

/**
 * A 2-D map of a table's rows by PCA: the first two principal components, by power iteration on the covariance (never
 * formed: each iteration is two passes over the rows), the second deflated against the first. Drawn by {@code emb4j
 * vectors plot} and the projector page of {@code emb4j serve}.
 */
public final class Projection {
  private static final int ITERATIONS = 60;

  private final double[] mean;
  private final double[] first;
  private final double[] second;

  private Projection(double[] mean, double[] first, double[] second) {
    this.mean = mean;
    this.first = first;
    this.second = second;
  }

  /**
   * The projection on the first two principal components of {@code table}'s rows.
   *
   * @param table the rows (at least one)
   * @return the projection
   */
  public static Projection pca(RowStore table) {
    if (table.rows() < 1) {
      throw new IllegalArgumentException("a projection needs at least one row");
    }
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
    return new Projection(mean, first, component(table, mean, first));
  }

  /**
   * The coordinates of a row on the two components.
   *
   * @param row a row of the table's dimension
   * @return {@code {x, y}}
   */
  public double[] project(float[] row) {
    if (row.length != mean.length) {
      throw new IllegalArgumentException("row has " + row.length + " values, the projection " + mean.length);
    }
    double x = 0;
    double y = 0;
    for (int j = 0; j < row.length; j++) {
      double c = row[j] - mean[j];
      x += c * first[j];
      y += c * second[j];
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
