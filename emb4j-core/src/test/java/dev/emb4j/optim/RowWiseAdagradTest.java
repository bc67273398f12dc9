package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emb4j.store.RowStore;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Row-wise Adagrad against a hand-written double-precision reference of FBGEMM's formula. */
class RowWiseAdagradTest {
  private static final int V = 9;
  private static final int D = 7;

  /**
   * The reference, in double: for each touched row (dense: every row), with the row's summed gradient {@code g},
   * {@code g += wd * w; state += mean(g^2); w -= lr * g / (sqrt(state) + eps)}.
   */
  private static void reference(
      double[][] w, double[] state, long[] ids, float[][] g, boolean dense, double lr, double wd, double eps) {
    double[][] summed = new double[V][D];
    boolean[] touched = new boolean[V];
    for (int i = 0; i < ids.length; i++) {
      touched[(int) ids[i]] = true;
      for (int j = 0; j < D; j++) {
        summed[(int) ids[i]][j] += g[i][j];
      }
    }
    for (int r = 0; r < V; r++) {
      if (!touched[r] && !dense) {
        continue;
      }
      double meanSq = 0;
      for (int j = 0; j < D; j++) {
        summed[r][j] += wd * w[r][j];
        meanSq += summed[r][j] * summed[r][j];
      }
      state[r] += meanSq / D;
      for (int j = 0; j < D; j++) {
        w[r][j] -= lr * summed[r][j] / (Math.sqrt(state[r]) + eps);
      }
    }
  }

  private static void check(boolean dense, double lr, double wd, double init, double eps) {
    SplittableRandom rnd = new SplittableRandom(17);
    float[][] w0 = new float[V][D];
    double[][] w = new double[V][D];
    for (int r = 0; r < V; r++) {
      for (int j = 0; j < D; j++) {
        w0[r][j] = (float) rnd.nextGaussian();
        w[r][j] = w0[r][j];
      }
    }
    double[] state = new double[V];
    java.util.Arrays.fill(state, init);
    TestParameter p = TestParameter.of("table", w0);
    RowWiseAdagrad opt =
        new RowWiseAdagrad(
            List.of(p),
            RowWiseAdagrad.Config.builder().lr(lr).weightDecay(wd).initialAccumulatorValue(init).eps(eps).build());
    for (int step = 0; step < 6; step++) {
      long[] ids = {1, 4, 4, 2, (step * 3) % V, 4, 8};
      float[][] g = new float[ids.length][D];
      for (float[] row : g) {
        for (int j = 0; j < D; j++) {
          row[j] = (float) (rnd.nextGaussian() * (step + 1));
        }
      }
      if (dense) {
        p.denseGrad(ids, g);
      } else {
        p.sparseGrad(ids, g);
      }
      opt.step();
      opt.zeroGrad();
      reference(w, state, ids, g, dense, lr, wd, eps);
      float[][] actual = p.rows();
      RowStore sum = opt.exportState().slots().get("table/sum");
      for (int r = 0; r < V; r++) {
        assertEquals(state[r], sum.get(r, 0), 1e-5 * (1 + state[r]), "state of row " + r + " at step " + step);
        for (int j = 0; j < D; j++) {
          assertEquals(w[r][j], actual[r][j], 1e-5 * (1 + Math.abs(w[r][j])), "w[" + r + "][" + j + "] step " + step);
        }
      }
    }
  }

  @Test
  void sparseMatchesReference() {
    check(false, 0.1, 0, 0, 1e-10);
  }

  @Test
  void sparseWithWeightDecayAndInitialAccumulatorMatchesReference() {
    check(false, 0.05, 0.1, 0.5, 1e-6);
  }

  @Test
  void denseMatchesReferenceOnEveryRow() {
    check(true, 0.1, 0, 0.1, 1e-10);
  }

  @Test
  void denseWithWeightDecayUpdatesUntouchedRowsToo() {
    check(true, 0.2, 0.05, 0, 1e-8);
  }

  @Test
  void configDefaultsAndValidation() {
    RowWiseAdagrad.Config c = RowWiseAdagrad.Config.builder().build();
    assertEquals(new RowWiseAdagrad.Config(0.01, 0, 0, 1e-10), c);
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> RowWiseAdagrad.Config.builder().eps(0).build());
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> RowWiseAdagrad.Config.builder().initialAccumulatorValue(-1).build());
  }
}
