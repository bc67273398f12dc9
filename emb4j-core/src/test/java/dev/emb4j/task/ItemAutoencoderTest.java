package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.nn.Parameter;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link ItemAutoencoder}, {@link ItemAutoencoderTrainer} and {@link FactorizationBlend}. */
class ItemAutoencoderTest {

  /** Four users, three items; item 1 rated by users 0, 2, 3, item 0 by 1 and 3, item 2 by 0. */
  private static ItemAutoencoder.Columns tiny() {
    return ItemAutoencoder.Columns.of(
        3, new int[] {0, 2, 5, 6}, new int[] {1, 3, 0, 2, 3, 0}, new float[] {4, 2, 5, 3, 1, 2});
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    ItemAutoencoder.Columns c = tiny();
    double lambda = 0.7;
    try (ItemAutoencoder model = new ItemAutoencoder(4, 3, 5)) {
      model.lossAndGradient(c, lambda);
      List<float[]> analytic = new ArrayList<>();
      for (Parameter p : model.parameters()) {
        FloatTensor g = p.grad().orElseThrow().toDense();
        analytic.add(g.data().clone());
      }
      model.zeroGrad();
      int checked = 0;
      int k = 0;
      for (Parameter p : model.parameters()) {
        RowStore v = p.value();
        float[] g = analytic.get(k++);
        for (int r = 0; r < v.rows(); r++) {
          for (int j = 0; j < v.dim(); j++) {
            float x = v.get(r, j);
            double h = 1e-2;
            v.set(r, j, (float) (x + h));
            double up = model.lossAndGradient(c, lambda);
            v.set(r, j, (float) (x - h));
            double down = model.lossAndGradient(c, lambda);
            v.set(r, j, x);
            model.zeroGrad();
            double numeric = (up - down) / (2 * h);
            double expected = g[r * v.dim() + j];
            assertEquals(
                numeric, expected, 2e-2 * Math.max(1, Math.abs(numeric)), p.name() + "[" + r + ", " + j + "]");
            checked++;
          }
        }
      }
      assertEquals(4 * 3 + 3 + 4 * 3 + 4, checked); // V, b, W, c: every value
    }
  }

  @Test
  void theMatrixFactorizationFormPredictsWhatTheAutoencoderDoes() {
    ItemAutoencoder.Columns c = tiny();
    try (ItemAutoencoder model = new ItemAutoencoder(4, 6, 9)) {
      dev.emb4j.optim.Adam adam = new dev.emb4j.optim.Adam(model.parameters(), dev.emb4j.optim.Adam.Config.of(0.05));
      for (int step = 0; step < 20; step++) {
        model.zeroGrad();
        model.lossAndGradient(c, 0.1);
        adam.step();
      }
      int[] u = {0, 1, 2, 3, 0, 1, 2, 3, 3};
      int[] i = {0, 0, 0, 0, 1, 1, 2, 2, 1};
      float[] direct = model.predict(c, u, i);
      try (MatrixFactorization mf = model.toMatrixFactorization(c, 3.25f, -100, 100)) {
        float[] folded = mf.predictValues(u, i);
        for (int k = 0; k < u.length; k++) {
          assertEquals(direct[k], folded[k], 1e-4, "pair " + k);
        }
        // an unknown user or item gets the global mean, as the autoencoder's convention has it
        assertArrayEquals(new float[] {3.25f, 3.25f}, mf.predictValues(new int[] {-1, 2}, new int[] {1, -1}));
      }
    }
  }

  /** A rank-2 rating matrix with noise, each user rating about half of the items, on the scale 1..5. */
  private static Ratings synthetic(long seed, boolean heldOut) {
    SplittableRandom rng = new SplittableRandom(7);
    int users = 200;
    int items = 40;
    double[][] a = new double[users][2];
    double[][] b = new double[items][2];
    for (double[] row : a) {
      row[0] = rng.nextGaussian();
      row[1] = rng.nextGaussian();
    }
    for (double[] row : b) {
      row[0] = rng.nextGaussian();
      row[1] = rng.nextGaussian();
    }
    SplittableRandom pick = new SplittableRandom(seed);
    List<long[]> pairs = new ArrayList<>();
    List<Float> values = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      for (int i = 0; i < items; i++) {
        double draw = pick.nextDouble();
        boolean test = draw < 0.1;
        if (draw < 0.5 && test == heldOut) {
          double r = 3 + 0.8 * (a[u][0] * b[i][0] + a[u][1] * b[i][1]) + 0.2 * rng.nextGaussian();
          pairs.add(new long[] {1000 + u, 500 + i});
          values.add((float) Math.round(Math.max(1, Math.min(5, r))));
        }
      }
    }
    long[] us = new long[pairs.size()];
    long[] is = new long[pairs.size()];
    float[] vs = new float[pairs.size()];
    for (int k = 0; k < vs.length; k++) {
      us[k] = pairs.get(k)[0];
      is[k] = pairs.get(k)[1];
      vs[k] = values.get(k);
    }
    return new Ratings(us, is, vs);
  }

  private static final ItemAutoencoderTrainer.Config SMALL =
      ItemAutoencoderTrainer.Config.builder().hidden(20).l2(10).learningRate(0.01).epochs(300).seed(3).build();

  @Test
  void onSyntheticRatingsTheAutoencoderLearnsTheBlendLiesBetweenAndTheRunIsDeterministic() {
    Ratings train = synthetic(11, false);
    Ratings test = synthetic(11, true);
    MatrixFactorizationTrainer.Result mf =
        new MatrixFactorizationTrainer(MatrixFactorizationTrainer.Config.builder().dim(8).epochs(30).build())
            .train(train);
    MatrixFactorizationTrainer.Result ae = new ItemAutoencoderTrainer(SMALL).train(train, test, TrainingListener.NONE);
    double mfRmse = mf.evaluate(test).rmse();
    double aeRmse = ae.evaluate(test).rmse();
    double blendRmse = FactorizationBlend.of(mf, 0.5, ae).evaluate(test).rmse();
    double meanRmse = 0;
    for (float v : test.values()) {
      meanRmse += (v - train.mean()) * (v - train.mean());
    }
    meanRmse = Math.sqrt(meanRmse / test.size());
    assertTrue(aeRmse < 0.7 * meanRmse, "autoencoder " + aeRmse + " against the mean's " + meanRmse);
    // the blend of two fair models sits below the worse, and below the root of their mean squared errors' mean
    assertTrue(blendRmse < Math.max(mfRmse, aeRmse), "blend " + blendRmse + ", parts " + mfRmse + " and " + aeRmse);
    assertTrue(
        blendRmse <= Math.sqrt((mfRmse * mfRmse + aeRmse * aeRmse) / 2),
        "blend " + blendRmse + ", parts " + mfRmse + " and " + aeRmse);
    assertEquals(SMALL.epochs(), ae.history().size());
    assertEquals(aeRmse, ae.history().getLast().validation().get("rmse"), 1e-6);

    MatrixFactorizationTrainer.Result again = new ItemAutoencoderTrainer(SMALL).train(train, null, TrainingListener.NONE);
    int[] u = new int[test.size()];
    int[] i = new int[test.size()];
    for (int k = 0; k < u.length; k++) {
      u[k] = ae.users().indexOf(test.users()[k]);
      i[k] = ae.items().indexOf(test.items()[k]);
    }
    assertArrayEquals(ae.model().predictValues(u, i), again.model().predictValues(u, i));
  }

  @Test
  void theBlendIsTheWeightedSumOfItsPartsWhateverTheirNumbering() {
    Ratings train = synthetic(5, false);
    MatrixFactorizationTrainer.Result first =
        new MatrixFactorizationTrainer(MatrixFactorizationTrainer.Config.builder().dim(4).epochs(5).build())
            .train(train);
    int n = train.size();
    long[] us = new long[n];
    long[] is = new long[n];
    float[] vs = new float[n];
    for (int k = 0; k < n; k++) { // reversed: the second part numbers users and items otherwise
      us[k] = train.users()[n - 1 - k];
      is[k] = train.items()[n - 1 - k];
      vs[k] = train.values()[n - 1 - k];
    }
    MatrixFactorizationTrainer.Result second =
        new ItemAutoencoderTrainer(SMALL.toBuilder().epochs(30).build())
            .train(new Ratings(us, is, vs), null, TrainingListener.NONE);
    double w = 0.3;
    MatrixFactorizationTrainer.Result blend = FactorizationBlend.of(first, w, second);
    assertEquals(4 + SMALL.hidden() + 1, blend.model().userFactors().embeddingDim());
    int inside = 0;
    for (int u = 0; u < first.users().size(); u += 3) {
      for (int i = 0; i < first.items().size(); i += 2) {
        float a = first.model().predictValues(new int[] {u}, new int[] {i})[0];
        int u2 = second.users().indexOf(first.users().rawId(u));
        int i2 = second.items().indexOf(first.items().rawId(i));
        float b = second.model().predictValues(new int[] {u2}, new int[] {i2})[0];
        float mixed = blend.model().predictValues(new int[] {u}, new int[] {i})[0];
        if (a > 1 && a < 5 && b > 1 && b < 5) { // neither part clipped
          assertEquals(w * a + (1 - w) * b, mixed, 1e-4, "user " + u + ", item " + i);
          inside++;
        }
      }
    }
    assertTrue(inside > 100, inside + " pairs compared");
    float unknownItem = blend.model().predictValues(new int[] {0}, new int[] {-1})[0];
    float expected =
        (float) (w * first.model().predictValues(new int[] {0}, new int[] {-1})[0]
            + (1 - w) * second.model().predictValues(new int[] {second.users().indexOf(first.users().rawId(0))},
                new int[] {-1})[0]);
    assertEquals(expected, unknownItem, 1e-4);
  }

  @Test
  void badInputIsRefusedWithAClearMessage() {
    String m =
        assertThrows(IllegalArgumentException.class, () -> ItemAutoencoderTrainer.Config.builder().hidden(0).build())
            .getMessage();
    assertTrue(m.contains("hidden"), m);
    m = assertThrows(IllegalArgumentException.class, () -> ItemAutoencoderTrainer.Config.builder().l2(-1).build())
        .getMessage();
    assertTrue(m.contains("l2"), m);
    m = assertThrows(
            IllegalArgumentException.class,
            () -> ItemAutoencoderTrainer.Config.builder().learningRate(Double.NaN).build())
        .getMessage();
    assertTrue(m.contains("learningRate"), m);
    ItemAutoencoderTrainer trainer = new ItemAutoencoderTrainer(SMALL);
    m = assertThrows(
            IllegalArgumentException.class,
            () -> trainer.train(new Ratings(new long[0], new long[0], new float[0]), null, TrainingListener.NONE))
        .getMessage();
    assertTrue(m.contains("no ratings"), m);
    Ratings train = synthetic(5, false);
    MatrixFactorizationTrainer.Result a = fewEpochs(train);
    for (double w : new double[] {-0.1, 1.5, Double.NaN}) {
      m = assertThrows(IllegalArgumentException.class, () -> FactorizationBlend.of(a, w, a)).getMessage();
      assertTrue(m.contains("blend weight must be in [0, 1]"), m);
    }
    float[] few = java.util.Arrays.copyOf(train.values(), 30);
    few[0] = 1; // the whole scale, so that the parts clip alike
    few[1] = 5;
    Ratings fewer =
        new Ratings(java.util.Arrays.copyOf(train.users(), 30), java.util.Arrays.copyOf(train.items(), 30), few);
    MatrixFactorizationTrainer.Result small = fewEpochs(fewer);
    m = assertThrows(IllegalArgumentException.class, () -> FactorizationBlend.of(small, 0.5, a)).getMessage();
    assertTrue(m.contains("is known to the second part but not to the first"), m);
    // the other way round, each user and item the second part lacks gets its fallback there: mu plus the known bias
    MatrixFactorizationTrainer.Result mf =
        new MatrixFactorizationTrainer(MatrixFactorizationTrainer.Config.builder().dim(4).epochs(5).build())
            .train(train); // its predictions lie inside 1..5, unclipped, unlike those of two epochs of the autoencoder
    MatrixFactorizationTrainer.Result subset = FactorizationBlend.of(mf, 0.5, small);
    int item = -1;
    for (int i = 0; i < mf.items().size() && item < 0; i++) {
      item = small.items().indexOf(mf.items().rawId(i)) < 0 ? i : -1;
    }
    assertTrue(item >= 0, "the first 30 ratings leave some item out");
    int user = small.users().indexOf(mf.users().rawId(0));
    assertTrue(user >= 0);
    float expected =
        0.5f * mf.model().predictValues(new int[] {0}, new int[] {item})[0]
            + 0.5f * small.model().predictValues(new int[] {user}, new int[] {-1})[0];
    assertEquals(expected, subset.model().predictValues(new int[] {0}, new int[] {item})[0], 1e-4);
    float[] shifted = train.values().clone();
    shifted[0] = 9;
    MatrixFactorizationTrainer.Result wider = fewEpochs(new Ratings(train.users(), train.items(), shifted));
    m = assertThrows(IllegalArgumentException.class, () -> FactorizationBlend.of(a, 0.5, wider)).getMessage();
    assertTrue(m.contains("different rating ranges: 1.0..5.0 and 1.0..9.0"), m);
  }

  @Test
  void ofAPairRatedTwiceTheLastRatingCounts() {
    ItemAutoencoderTrainer trainer = new ItemAutoencoderTrainer(SMALL.toBuilder().epochs(5).build());
    Ratings twice = new Ratings(new long[] {1, 2, 1, 3}, new long[] {7, 7, 7, 8}, new float[] {3, 4, 5, 1});
    Ratings once = new Ratings(new long[] {1, 2, 3}, new long[] {7, 7, 8}, new float[] {5, 4, 1});
    int[] u = {0, 1, 2};
    int[] i = {0, 0, 1};
    float[] a = trainer.train(twice, null, TrainingListener.NONE).model().predictValues(u, i);
    float[] b = trainer.train(once, null, TrainingListener.NONE).model().predictValues(u, i);
    assertArrayEquals(b, a);
  }

  private static MatrixFactorizationTrainer.Result fewEpochs(Ratings train) {
    return new ItemAutoencoderTrainer(SMALL.toBuilder().epochs(2).build()).train(train, null, TrainingListener.NONE);
  }
}
