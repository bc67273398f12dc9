package dev.emb4j.examples;

import dev.emb4j.metrics.RegressionMetrics;
import dev.emb4j.task.MatrixFactorizationTrainer;
import dev.emb4j.task.Ratings;
import dev.emb4j.task.Recommender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Biased matrix factorisation ({@code rating ~ mu + b_user + b_item + p_user . q_item}) with the library's
 * recommender: trains on MovieLens-100k's {@code u1.base}, prints the RMSE on {@code u1.test} and one user's top 5
 * unseen items. The data set may not be redistributed, so it is read from where it lies: {@code
 * ../shared/data/movielens-100k} or the folder given as the first argument. When it is absent, the example makes a
 * small synthetic ratings set from hidden user and item factors and uses that instead.
 *
 * <p>Usage: {@code RecommenderExample [DIR [EPOCHS]]} (default 25 epochs, the trainer's default).
 */
public final class RecommenderExample {
  private RecommenderExample() {}

  /** Trains, evaluates and recommends; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "../shared/data/movielens-100k");
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    Ratings train;
    Ratings test;
    if (Files.isReadable(dir.resolve("u1.base")) && Files.isReadable(dir.resolve("u1.test"))) {
      System.out.println("data: MovieLens-100k u1 split from " + dir);
      train = Ratings.read(dir.resolve("u1.base")); // "user item rating timestamp" per line
      test = Ratings.read(dir.resolve("u1.test"));
    } else {
      System.out.println("data: synthetic (no MovieLens-100k under " + dir + ")");
      Ratings[] split = synthetic(300, 200, 4);
      train = split[0];
      test = split[1];
    }
    System.out.println("ratings: " + train.size() + " train, " + test.size() + " test");

    var config = MatrixFactorizationTrainer.Config.builder().dim(64).epochs(epochs).seed(42).build();
    MatrixFactorizationTrainer.Result result = new MatrixFactorizationTrainer(config).train(train);
    Recommender recommender = Recommender.of(result, train);
    RegressionMetrics metrics = recommender.evaluate(test);
    System.out.printf(Locale.ROOT, "test RMSE %.4f, MAE %.4f%n", metrics.rmse(), metrics.mae());

    long user = train.users()[0];
    System.out.println("top 5 items for user " + user + " (not rated by them in training):");
    for (Recommender.Scored item : recommender.topK(user, 5)) {
      System.out.printf(Locale.ROOT, "  item %4d  predicted %.2f%n", item.id(), item.score());
    }
  }

  /**
   * Ratings from {@code users x items} hidden factors of size {@code rank}: each pair is rated with probability 1/4,
   * the rating rounded and clipped to 1..5; every fifth rating goes to the test set.
   */
  static Ratings[] synthetic(int users, int items, int rank) {
    SplittableRandom random = new SplittableRandom(7);
    double[][] p = gaussian(random, users, rank);
    double[][] q = gaussian(random, items, rank);
    long[] u = new long[users * items];
    long[] i = new long[users * items];
    float[] v = new float[users * items];
    int n = 0;
    for (int user = 0; user < users; user++) {
      for (int item = 0; item < items; item++) {
        if (random.nextInt(4) == 0) {
          double dot = 0;
          for (int k = 0; k < rank; k++) {
            dot += p[user][k] * q[item][k];
          }
          u[n] = user + 1;
          i[n] = item + 1;
          v[n++] = (float) Math.clamp(Math.round(3.5 + 0.5 * dot + 0.3 * random.nextGaussian()), 1, 5);
        }
      }
    }
    Ratings all = new Ratings(Arrays.copyOf(u, n), Arrays.copyOf(i, n), Arrays.copyOf(v, n));
    return new Ratings[] {subset(all, k -> k % 5 != 0), subset(all, k -> k % 5 == 0)};
  }

  private static double[][] gaussian(SplittableRandom random, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (double[] row : m) {
      for (int k = 0; k < cols; k++) {
        row[k] = random.nextGaussian();
      }
    }
    return m;
  }

  private static Ratings subset(Ratings all, IntPredicate keep) {
    int[] picked = IntStream.range(0, all.size()).filter(keep).toArray();
    long[] u = new long[picked.length];
    long[] i = new long[picked.length];
    float[] v = new float[picked.length];
    for (int k = 0; k < picked.length; k++) {
      u[k] = all.users()[picked[k]];
      i[k] = all.items()[picked[k]];
      v[k] = all.values()[picked[k]];
    }
    return new Ratings(u, i, v);
  }
}
