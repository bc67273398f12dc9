package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Analytic gradients from {@code backward} against central finite differences of the linear functional {@code L(W) =
 * sum(gradOut * forward(W))}, whose gradient is exactly what backward with {@code gradOut} computes. Steps of
 * {@code h = 1e-2} on float32 tables, differences and sums in double.
 *
 * <p>PyTorch's padding and scaleGradByFreq gradients are not true derivatives (spec 3.1): for an {@link Embedding}
 * the padding row is only checked to be zero. For bags, padding positions are left out of the forward pass, so the
 * true derivative there is zero as well.
 */
public class GradientCheckTest {

  /** The finite-difference step. */
  public static final double H = 1e-2;

  /** For JUnit; other tests use the static helpers. */
  public GradientCheckTest() {}
  static final int TRIES = 50;

  static double dot(FloatTensor a, FloatTensor b) {
    assertEquals(a.shape(), b.shape());
    double s = 0;
    for (int i = 0; i < a.numel(); i++) {
      s += (double) a.get(i) * b.get(i);
    }
    return s;
  }

  /** Central difference of {@code loss} in {@code W[k, j]}, restoring the value afterwards. */
  public static double finiteDifference(RowStore w, long k, int j, DoubleSupplier loss) {
    float orig = w.get(k, j);
    float plus = (float) (orig + H);
    float minus = (float) (orig - H);
    w.set(k, j, plus);
    double lp = loss.getAsDouble();
    w.set(k, j, minus);
    double lm = loss.getAsDouble();
    w.set(k, j, orig);
    return (lp - lm) / ((double) plus - minus);
  }

  static double finiteDifference(float[] x, int i, DoubleSupplier loss) {
    float orig = x[i];
    float plus = (float) (orig + H);
    float minus = (float) (orig - H);
    x[i] = plus;
    double lp = loss.getAsDouble();
    x[i] = minus;
    double lm = loss.getAsDouble();
    x[i] = orig;
    return (lp - lm) / ((double) plus - minus);
  }

  static void assertGradClose(double fd, double analytic, String where) {
    assertEquals(fd, analytic, 1e-3 * Math.max(1, Math.abs(fd)), where + ": finite difference " + fd + ", backward " + analytic);
  }

  /** Every value distinct, at least 0.1 apart: a step of h never changes which row wins a max. */
  static float[][] distinctWeights(SplittableRandom rng, int v, int d) {
    int n = v * d;
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int r = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[r];
      perm[r] = t;
    }
    float[][] w = new float[v][d];
    for (int i = 0; i < n; i++) {
      w[i / d][i % d] = (float) ((perm[i] - n / 2) * 0.1);
    }
    return w;
  }

  @Property(tries = TRIES)
  void embeddingGradientMatchesFiniteDifferences(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 8);
    int d = rng.nextInt(1, 6);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    Embedding.Builder b = Embedding.fromPretrained(EmbeddingPropertiesTest.randomWeights(rng, v, d)).freeze(false);
    if (pad >= 0) {
      b.paddingIdx(pad);
    }
    try (Embedding e = b.build()) {
      IndexTensor idx = EmbeddingPropertiesTest.randomIndices(rng, EmbeddingPropertiesTest.randomShape(rng, 3), v);
      FloatTensor go = EmbeddingPropertiesTest.randomTensor(rng, idx.shape().append(d));
      e.backward(idx, go);
      FloatTensor g = e.grad().toDense();
      DoubleSupplier loss = () -> dot(go, e.lookup(idx));
      for (int k = 0; k < v; k++) {
        for (int j = 0; j < d; j++) {
          if (k == pad) {
            assertEquals(0f, g.at(k, j), "padding row " + k + " must get no gradient");
            continue;
          }
          assertGradClose(finiteDifference(e.weight(), k, j, loss), g.at(k, j), "W[" + k + ", " + j + "]");
        }
      }
    }
  }

  @Property(tries = TRIES)
  void bagSumAndMeanGradientsMatchFiniteDifferences(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 8);
    int d = rng.nextInt(1, 6);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    BagMode mode = rng.nextBoolean() ? BagMode.SUM : BagMode.MEAN;
    EmbeddingBagPropertiesTest.Bags bags = EmbeddingBagPropertiesTest.randomBags(rng, v, pad);
    boolean withPsw = mode == BagMode.SUM && rng.nextBoolean();
    float[] psw = new float[bags.n()];
    for (int i = 0; i < psw.length; i++) {
      psw[i] = (float) rng.nextDouble(-2, 2);
    }
    float[][] w = EmbeddingPropertiesTest.randomWeights(rng, v, d);
    try (EmbeddingBag bag = EmbeddingBagPropertiesTest.builder(w, mode, pad, bags.includeLastOffset()).build()) {
      FloatTensor go = EmbeddingPropertiesTest.randomTensor(rng, Shape.of(bags.bags(), d));
      BagResult r = bag.lookup(bags.input(), bags.offsetTensor(), withPsw ? FloatTensor.vector(psw) : null);
      Optional<FloatTensor> dpsw = bag.backward(r, go);
      assertEquals(withPsw, dpsw.isPresent(), "a per-sample weight gradient exactly when weights were given");
      FloatTensor g = bag.hasGrad() ? bag.grad().toDense() : FloatTensor.zeros(Shape.of(v, d));
      DoubleSupplier loss =
          () -> dot(go, bag.lookup(bags.input(), bags.offsetTensor(), withPsw ? FloatTensor.vector(psw) : null).output());
      for (int k = 0; k < v; k++) {
        for (int j = 0; j < d; j++) {
          String where = mode + (withPsw ? "+psw" : "") + " W[" + k + ", " + j + "] of " + bags;
          if (k == pad) {
            assertEquals(0f, g.at(k, j), where + ": padding row");
          }
          assertGradClose(finiteDifference(bag.weight(), k, j, loss), g.at(k, j), where);
        }
      }
      if (withPsw) {
        FloatTensor gp = dpsw.orElseThrow();
        assertEquals(Shape.of(bags.n()), gp.shape());
        for (int i = 0; i < bags.n(); i++) {
          double fd = finiteDifference(psw, i, loss);
          if (bags.ids()[i] == pad) {
            assertEquals(0f, gp.get(i), "psw gradient at padding position " + i);
          }
          assertGradClose(fd, gp.get(i), "psw[" + i + "] of " + bags);
        }
      }
    }
  }

  @Property(tries = TRIES)
  void bagMaxGradientMatchesFiniteDifferencesAwayFromTies(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 8);
    int d = rng.nextInt(1, 6);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    EmbeddingBagPropertiesTest.Bags bags = EmbeddingBagPropertiesTest.randomBags(rng, v, pad);
    float[][] w = distinctWeights(rng, v, d);
    try (EmbeddingBag bag = EmbeddingBagPropertiesTest.builder(w, BagMode.MAX, pad, bags.includeLastOffset()).build()) {
      FloatTensor go = EmbeddingPropertiesTest.randomTensor(rng, Shape.of(bags.bags(), d));
      BagResult r = bag.lookup(bags.input(), bags.offsetTensor());
      bag.backward(r, go);
      FloatTensor g = bag.hasGrad() ? bag.grad().toDense() : FloatTensor.zeros(Shape.of(v, d));
      DoubleSupplier loss = () -> dot(go, bag.lookup(bags.input(), bags.offsetTensor()).output());
      double total = 0;
      for (int k = 0; k < v; k++) {
        for (int j = 0; j < d; j++) {
          if (k == pad) {
            assertEquals(0f, g.at(k, j), "padding row");
          }
          assertGradClose(finiteDifference(bag.weight(), k, j, loss), g.at(k, j), "MAX W[" + k + ", " + j + "] of " + bags);
          total += g.at(k, j);
        }
      }
      // each column of each non-empty bag routes its gradient to exactly one row
      double expectedTotal = 0;
      int[] sizes = r.bagSizes();
      for (int b = 0; b < bags.bags(); b++) {
        if (sizes[b] > 0) {
          for (int j = 0; j < d; j++) {
            expectedTotal += go.at(b, j);
          }
        }
      }
      assertEquals(expectedTotal, total, 1e-4);
    }
  }

  @Property(tries = TRIES)
  void scaleGradByFreqStillGivesThePaddingRowNothing(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 8);
    int d = rng.nextInt(1, 6);
    long pad = rng.nextLong(v);
    try (Embedding e = Embedding.builder(v, d).paddingIdx(pad).scaleGradByFreq(true).build();
        EmbeddingBag bag = EmbeddingBag.builder(v, d).paddingIdx(pad).scaleGradByFreq(true).mode(BagMode.SUM).build()) {
      long[] ids = new long[rng.nextInt(1, 12)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = rng.nextInt(3) == 0 ? pad : rng.nextLong(v);
      }
      ids[0] = pad;
      IndexTensor idx = IndexTensor.of(ids);
      e.backward(idx, EmbeddingPropertiesTest.randomTensor(rng, Shape.of(ids.length, d)));
      BagResult r = bag.lookup(idx, IndexTensor.of(0L));
      bag.backward(r, EmbeddingPropertiesTest.randomTensor(rng, Shape.of(1, d)));
      FloatTensor ge = e.grad().toDense();
      FloatTensor gb = bag.grad().toDense();
      for (int j = 0; j < d; j++) {
        assertEquals(0f, ge.at((int) pad, j), "Embedding padding row");
        assertEquals(0f, gb.at((int) pad, j), "EmbeddingBag padding row");
      }
      // and the non-padding rows did receive something when they occur
      boolean any = false;
      for (long k : ids) {
        if (k != pad) {
          for (int j = 0; j < d; j++) {
            any |= ge.at((int) k, j) != 0;
          }
        }
      }
      boolean hasNonPad = java.util.Arrays.stream(ids).anyMatch(k -> k != pad);
      assertTrue(any || !hasNonPad, "non-padding rows got no gradient");
    }
  }
}
