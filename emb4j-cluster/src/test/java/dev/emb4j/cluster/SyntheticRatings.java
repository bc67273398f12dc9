package dev.emb4j.cluster;

import dev.emb4j.task.Ratings;
import java.util.SplittableRandom;

/** Ratings of a low-rank model plus noise, 1 to 5, for training tests that need no data file. */
final class SyntheticRatings {
  private SyntheticRatings() {}

  /** {@code n} ratings of {@code users x items} pairs drawn with {@code seed} from a rank-3 model. */
  static Ratings of(int users, int items, int n, long seed) {
    SplittableRandom model = new SplittableRandom(7);
    double[][] p = factors(users, model);
    double[][] q = factors(items, model);
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] u = new long[n];
    long[] i = new long[n];
    float[] v = new float[n];
    for (int k = 0; k < n; k++) {
      int a = rnd.nextInt(users);
      int b = rnd.nextInt(items);
      double dot = 0;
      for (int j = 0; j < 3; j++) {
        dot += p[a][j] * q[b][j];
      }
      u[k] = 1000 + a;
      i[k] = 5000 + b;
      v[k] = (float) Math.max(1, Math.min(5, Math.rint(3 + dot + 0.3 * rnd.nextGaussian())));
    }
    return new Ratings(u, i, v);
  }

  private static double[][] factors(int n, SplittableRandom rnd) {
    double[][] f = new double[n][3];
    for (double[] row : f) {
      for (int j = 0; j < 3; j++) {
        row[j] = rnd.nextGaussian() * 0.8;
      }
    }
    return f;
  }
}
