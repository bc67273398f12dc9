package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A user's optimizer on the open {@link Optimizer} base: signSGD ({@code w -= lr * sign(g)}), and a stateful variant
 * that keeps a per-row step count, trained on dense and sparse gradients.
 */
class CustomOptimizerTest {
  private static final float LR = 0.25f;

  /** signSGD as a user would write it, outside the library. */
  static final class SignSgd extends Optimizer {
    SignSgd(List<? extends Parameter> parameters, double lr) {
      super(parameters, lr);
    }

    @Override
    public String kind() {
      return "SignSGD";
    }

    @Override
    protected RowRule rule(long step, boolean fresh) {
      float lr = (float) learningRate();
      return (w, g, state) -> {
        for (int j = 0; j < w.length; j++) {
          w[j] -= lr * Math.signum(g[j]);
        }
      };
    }
  }

  /** signSGD that also counts, per row, how often the row was updated (a per-row state slot), dense gradients only. */
  static final class CountingSignSgd extends Optimizer {
    CountingSignSgd(List<? extends Parameter> parameters, double lr) {
      super(parameters, lr);
    }

    @Override
    public String kind() {
      return "CountingSignSGD";
    }

    @Override
    protected List<Slot> slots() {
      return List.of(new Slot("updates", true));
    }

    @Override
    protected boolean countsSteps() {
      return true;
    }

    @Override
    protected void checkGradient(Parameter p, TableGradient grad) {
      if (grad instanceof SparseGradient) {
        throw new IllegalArgumentException("CountingSignSGD takes dense gradients only ('" + p.name() + "')");
      }
    }

    @Override
    protected RowRule rule(long step, boolean fresh) {
      float lr = (float) (learningRate() / step);
      return (w, g, state) -> {
        for (int j = 0; j < w.length; j++) {
          w[j] -= lr * Math.signum(g[j]);
        }
        state[0][0] += 1;
      };
    }
  }

  private static final float[][] W = {{1f, -1f, 0.5f}, {2f, 0f, -3f}, {0f, 0f, 0f}, {4f, 4f, 4f}};

  @Test
  void signSgdOnADenseGradientMovesEveryRowBySignTimesLr() {
    TestParameter p = TestParameter.of("w", W);
    // rows 1 and 3 gathered once each, row 1 twice more: the dense gradient sums them
    p.denseGrad(new long[] {1, 3, 1}, new float[][] {{0.5f, -2f, 0f}, {-1f, 1f, 1f}, {0.25f, 0f, -1f}});
    SignSgd opt = new SignSgd(List.of(p), LR);
    opt.step();
    float[][] w = p.rows();
    assertArrayEquals(W[0], w[0], "a row with a zero gradient: sign 0, unchanged");
    assertArrayEquals(new float[] {2f - LR, 0f + LR, -3f + LR}, w[1]);
    assertArrayEquals(W[2], w[2]);
    assertArrayEquals(new float[] {4f + LR, 4f - LR, 4f - LR}, w[3]);
  }

  @Test
  void signSgdOnASparseGradientSumsDuplicatesFirstAndLeavesOtherRows() {
    TestParameter sparse = TestParameter.of("w", W);
    TestParameter dense = TestParameter.of("w", W);
    long[] ids = {1, 3, 1, 1};
    float[][] g = {{0.5f, -2f, 0f}, {-1f, 1f, 1f}, {-1f, 3f, 0f}, {0.25f, 0f, -1f}};
    SignSgd onSparse = new SignSgd(List.of(sparse), LR);
    SignSgd onDense = new SignSgd(List.of(dense), LR);
    for (int step = 0; step < 3; step++) {
      sparse.sparseGrad(ids, g);
      dense.denseGrad(ids, g);
      onSparse.step();
      onDense.step();
      onSparse.zeroGrad();
      onDense.zeroGrad();
    }
    // row 1's summed gradient is (-0.25, 1, -1): the sign of the sum, not the sum of signs
    assertArrayEquals(new float[] {2f + 3 * LR, 0f - 3 * LR, -3f + 3 * LR}, sparse.rows()[1]);
    for (int r = 0; r < W.length; r++) {
      assertArrayEquals(dense.rows()[r], sparse.rows()[r], "row " + r + ": sparse step equals dense step");
    }
    assertArrayEquals(W[0], sparse.rows()[0]);
    assertArrayEquals(W[2], sparse.rows()[2]);
  }

  @Test
  void aUserRuleTrainsAQuadraticToItsMinimum() {
    float[][] target = {{3f, -2f}, {0.5f, 1f}};
    TestParameter p = TestParameter.of("w", new float[][] {{0f, 0f}, {0f, 0f}});
    SignSgd opt = new SignSgd(List.of(p), 0.125);
    for (int step = 0; step < 40; step++) {
      float[][] w = p.rows();
      float[][] grad = new float[2][2];
      for (int r = 0; r < 2; r++) {
        for (int j = 0; j < 2; j++) {
          grad[r][j] = w[r][j] - target[r][j]; // d/dw of (w - target)^2 / 2
        }
      }
      p.sparseGrad(new long[] {0, 1}, grad);
      opt.step();
      opt.zeroGrad();
    }
    for (int r = 0; r < 2; r++) {
      assertArrayEquals(target[r], p.rows()[r], 0.125f, "row " + r);
    }
  }

  @Test
  void stateSlotsStepCountsAndCheckGradientWorkForAUserOptimizer() {
    TestParameter p = TestParameter.of("emb", W);
    CountingSignSgd opt = new CountingSignSgd(List.of(p), 0.5);
    p.denseGrad(new long[] {0, 1}, new float[][] {{1f, 1f, 1f}, {-1f, -1f, -1f}});
    opt.step();
    opt.step(); // the same gradient again, at half the learning rate (lr / step)
    OptimizerState state = opt.exportState();
    assertEquals("CountingSignSGD", state.optimizer());
    assertEquals(2.0, state.scalars().get("emb/step"));
    assertArrayEquals(new float[] {2f, 2f, 2f, 2f}, state.slots().get("emb/updates").toTensor().data());
    assertArrayEquals(new float[] {1f - 0.75f, -1f - 0.75f, 0.5f - 0.75f}, p.rows()[0]);

    CountingSignSgd resumed = new CountingSignSgd(List.of(TestParameter.of("emb", W)), 0.5);
    resumed.importState(state);
    assertEquals(2.0, resumed.exportState().scalars().get("emb/step"));

    float[][] before = p.rows();
    p.sparseGrad(new long[] {0}, new float[][] {{1f, 1f, 1f}});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, opt::step);
    assertEquals("CountingSignSGD takes dense gradients only ('emb')", e.getMessage());
    assertArrayEquals(before[0], p.rows()[0], "a refused step changes nothing");
  }

  @Test
  void aSlotNameMustBeUsableAsAStateKey() {
    assertThrows(IllegalArgumentException.class, () -> new Optimizer.Slot("a/b", false));
    assertThrows(IllegalArgumentException.class, () -> new Optimizer.Slot("", true));
  }
}
