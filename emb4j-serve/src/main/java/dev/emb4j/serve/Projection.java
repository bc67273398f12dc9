package dev.emb4j.serve;

import dev.emb4j.store.RowStore;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * A 2-D map of a table's rows by PCA: the first two principal components, by power iteration on the covariance (formed
 * in one pass over the rows up to 256 dimensions; above, each iteration is a pass over the rows), the second deflated
 * against the first. Drawn by {@code emb4j
 * vectors plot} and the projector page of {@code emb4j serve}.
 */
public final class Projection {
  private static final int ITERATIONS = 60;
  /** Up to this dimension the covariance matrix is formed: one pass over the rows instead of one per iteration. */
  private static final int MAX_FORMED_DIM = 256;

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
    UnaryOperator<double[]> covarianceTimes = covarianceTimes(table, mean);
    double[] first = component(covarianceTimes, d, null);
    return new Projection(mean, first, component(covarianceTimes, d, first));
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
  private static double[] component(UnaryOperator<double[]> covarianceTimes, int d, double[] previous) {
    SplittableRandom random = new SplittableRandom(previous == null ? 1 : 2);
    double[] v = new double[d];
    for (int j = 0; j < d; j++) {
      v[j] = random.nextGaussian();
    }
    orthogonalize(v, previous);
    for (int it = 0; it < ITERATIONS; it++) {
      double[] w = covarianceTimes.apply(v);
      orthogonalize(w, previous);
      if (!normalize(w)) {
        return v; // no variance left in this direction: keep the start
      }
      v = w;
    }
    return v;
  }

  /**
   * {@code v -> C v} for the covariance C of the rows: C itself, formed in one pass, where its d² / 2 multiply-adds a
   * row cost less than the 2 d of each of the power iteration's passes over the rows; else a pass per product.
   */
  private static UnaryOperator<double[]> covarianceTimes(RowStore table, double[] mean) {
    int d = mean.length;
    float[] row = new float[d];
    double[] c = new double[d];
    if (d > MAX_FORMED_DIM) {
      return v -> {
        double[] w = new double[d];
        for (long r = 0; r < table.rows(); r++) {
          table.readRow(r, row, 0);
          double dot = 0;
          for (int j = 0; j < d; j++) {
            c[j] = row[j] - mean[j];
            dot += c[j] * v[j];
          }
          for (int j = 0; j < d; j++) {
            w[j] += c[j] * dot;
          }
        }
        return w;
      };
    }
    double[][] cov = new double[d][d];
    for (long r = 0; r < table.rows(); r++) {
      table.readRow(r, row, 0);
      for (int j = 0; j < d; j++) {
        c[j] = row[j] - mean[j];
      }
      for (int i = 0; i < d; i++) {
        double ci = c[i];
        double[] line = cov[i];
        for (int j = i; j < d; j++) {
          line[j] += ci * c[j];
        }
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < i; j++) {
        cov[i][j] = cov[j][i];
      }
    }
    return v -> {
      double[] w = new double[d];
      for (int i = 0; i < d; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += cov[i][j] * v[j];
        }
        w[i] = s;
      }
      return w;
    };
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
