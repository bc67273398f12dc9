package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.Variable;
import dev.emb4j.nn.GradientCheckTest;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** The feature L2 of {@link FeatureFactorizationTrainer#withFeatureReg}: its gradient, its effect, its checks. */
class FeatureRegularizationTest {
  /** Bags of {@code keys[b]} with {@code weights[b]}, the first key of each the id, as the trainer batches them. */
  private static FeatureFactorization.Bags bags(long[][] keys, float[][] weights) {
    SideFeatures.Bag[] all = new SideFeatures.Bag[keys.length];
    int[] rows = new int[keys.length];
    for (int b = 0; b < keys.length; b++) {
      all[b] = new SideFeatures.Bag(keys[b], weights[b]);
      rows[b] = b;
    }
    return FeatureFactorizationTrainer.batch(all, rows);
  }

  @Test
  void featureL2GradientMatchesFiniteDifferences() {
    // two users sharing a feature key (gender), two items sharing a genre; the feature weights are not 1
    FeatureFactorization.Bags users =
        bags(new long[][] {{11, 1L << 56 | 5}, {12, 1L << 56 | 5, 2L << 56 | 7}},
            new float[][] {{1, 0.5f}, {1, 0.5f, 2}});
    FeatureFactorization.Bags items =
        bags(new long[][] {{21, 3L << 56 | 1}, {22, 3L << 56 | 1}}, new float[][] {{1, 0.7f}, {1, 0.3f}});
    float[] ratings = {4, 2};
    float[] userReg = {0.3f, 0.1f};
    float[] itemReg = {0.2f, 0.4f};
    double featureReg = 0.9;
    try (FeatureFactorization model = new FeatureFactorization(4, 3, 3, 3.5f, 0.5, 7, DType.F32)) {
      model.loss(users, items, ratings, userReg, itemReg, 0, featureReg); // admits every key
      Map<String, Map<Long, double[]>> analytic = new HashMap<>();
      Variable loss = model.loss(users, items, ratings, userReg, itemReg, 0, featureReg);
      loss.backward();
      for (Parameter p : model.parameters()) {
        if (p.name().endsWith(".weight") && p.grad().isPresent()) {
          FloatTensor g = p.grad().get().toDense();
          Map<Long, double[]> rows = new HashMap<>();
          for (long r = 0; r < p.value().rows(); r++) {
            double[] row = new double[p.value().dim()];
            for (int j = 0; j < row.length; j++) {
              row[j] = g.at((int) r, j);
            }
            rows.put(r, row);
          }
          analytic.put(p.name(), rows);
        }
      }
      model.zeroGrad();
      DoubleSupplier value = () -> model.loss(users, items, ratings, userReg, itemReg, 0, featureReg).item();
      int checked = 0;
      for (Parameter p : model.parameters()) {
        if (!analytic.containsKey(p.name())) {
          continue;
        }
        RowStore w = p.value();
        for (long r = 0; r < w.rows(); r++) {
          for (int j = 0; j < w.dim(); j++) {
            double fd = GradientCheckTest.finiteDifference(w, r, j, value);
            double a = analytic.get(p.name()).get(r)[j];
            assertEquals(fd, a, 2e-3 * Math.max(1, Math.abs(fd)), p.name() + "[" + r + ", " + j + "]");
            checked++;
          }
        }
      }
      assertTrue(checked >= (4 + 3) * 3, "every factor row checked, got " + checked);
    }
  }

  @Test
  void featureL2AddsExactlyItsTermAndLeavesTheIdsAlone() {
    FeatureFactorization.Bags users = bags(new long[][] {{11, 1L << 56 | 5}}, new float[][] {{1, 0.5f}});
    FeatureFactorization.Bags items = bags(new long[][] {{21}}, new float[][] {{1}});
    float[] ratings = {4};
    float[] reg = {0};
    try (FeatureFactorization model = new FeatureFactorization(2, 1, 4, 3f, 0.5, 3, DType.F32)) {
      double without = model.loss(users, items, ratings, reg, reg, 0, 0).item();
      double with = model.loss(users, items, ratings, reg, reg, 0, 2.0).item();
      // the user's feature part is 0.5 * v_gender; the item has no features, so its part is 0
      FloatTensor gender =
          model.userVectors(bags(new long[][] {{1L << 56 | 5}}, new float[][] {{1}}))[0];
      double norm2 = 0;
      for (int j = 0; j < 4; j++) {
        norm2 += 0.25 * gender.at(0, j) * gender.at(0, j);
      }
      assertTrue(norm2 > 0.01, "the feature's factors are not zero");
      assertEquals(2.0 * norm2, with - without, 1e-4);
    }
  }

  /**
   * Users of two ages rating items of two genres: the young like genre 1, the old genre 2. Item 99 has a genre but no
   * rating, so its folded vector is its genre's factors alone.
   */
  private static MatrixFactorizationTrainer.Result train(double featureReg) {
    SplittableRandom rng = new SplittableRandom(5);
    int n = 2000;
    long[] u = new long[n];
    long[] i = new long[n];
    float[] r = new float[n];
    for (int k = 0; k < n; k++) {
      u[k] = 1 + rng.nextInt(40);
      i[k] = 1 + rng.nextInt(30);
      boolean young = u[k] <= 20;
      boolean first = i[k] <= 15;
      r[k] = young == first ? 5 : 1;
    }
    Map<Long, SideFeatures.Bag> users = new HashMap<>();
    for (long id = 1; id <= 40; id++) {
      users.put(id, new SideFeatures.Bag(new long[] {SideFeatures.key(1, id <= 20 ? 18 : 56)}, new float[] {1}));
    }
    Map<Long, SideFeatures.Bag> items = new HashMap<>();
    for (long id = 1; id <= 30; id++) {
      items.put(id, new SideFeatures.Bag(new long[] {SideFeatures.key(5, id <= 15 ? 1 : 2)}, new float[] {1}));
    }
    items.put(99L, new SideFeatures.Bag(new long[] {SideFeatures.key(5, 1)}, new float[] {1}));
    MatrixFactorizationTrainer.Config config =
        MatrixFactorizationTrainer.Config.builder().dim(8).epochs(10).batchSize(32).reg(0.05).initStd(0.1).build();
    FeatureFactorizationTrainer trainer =
        new FeatureFactorizationTrainer(config, SideFeatures.of(users), SideFeatures.of(items))
            .withFeatureReg(featureReg);
    return trainer.train(new Ratings(u, i, r), null, TrainingListener.NONE);
  }

  private static double coldItemNorm(MatrixFactorizationTrainer.Result result) {
    int row = result.items().indexOf(99);
    double s = 0;
    for (int j = 0; j < result.model().itemFactors().embeddingDim(); j++) {
      float v = result.model().itemFactors().weight().get(row, j);
      s += v * v;
    }
    return Math.sqrt(s);
  }

  @Test
  void aStrongFeatureL2ShrinksWhatAnItemKnownByItsGenreAloneLearns() {
    MatrixFactorizationTrainer.Result plain = train(0);
    MatrixFactorizationTrainer.Result strong = train(50);
    try (var a = plain.model(); var b = strong.model()) {
      double free = coldItemNorm(plain);
      double shrunk = coldItemNorm(strong);
      assertTrue(free > 0.1, "without the feature L2 the genre learns factors, norm " + free);
      assertTrue(shrunk < free / 10, "the feature L2 shrinks them: " + shrunk + " against " + free);
      int u = plain.users().indexOf(1);
      int i = plain.items().indexOf(99);
      assertNotEquals(
          a.predictValues(new int[] {u}, new int[] {i})[0], b.predictValues(new int[] {u}, new int[] {i})[0]);
    }
  }

  @Test
  void aNegativeOrNonFiniteFeatureL2IsRefused() {
    FeatureFactorizationTrainer t =
        new FeatureFactorizationTrainer(
            MatrixFactorizationTrainer.Config.defaults(), SideFeatures.none(), SideFeatures.none());
    for (double bad : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.withFeatureReg(bad));
      assertTrue(e.getMessage().contains("feature L2"), e.getMessage());
    }
    t.withFeatureReg(0);
  }
}
