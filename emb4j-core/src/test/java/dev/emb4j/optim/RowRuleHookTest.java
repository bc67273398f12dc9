package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Optimizer#rowRule}, {@link Optimizer#stateSlots} and {@link Optimizer#initState}: applied by hand to rows kept
 * outside the optimizer, they give bit for bit what {@link Optimizer#step()} gives on a parameter.
 */
class RowRuleHookTest {
  private static final int D = 5;

  private static float[][] rows(long seed, int n) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[][] out = new float[n][D];
    for (float[] r : out) {
      for (int j = 0; j < D; j++) {
        r[j] = (float) (rnd.nextDouble() * 2 - 1);
      }
    }
    return out;
  }

  private static void sameAsStep(Function<List<TestParameter>, Optimizer> make) {
    float[][] start = rows(1, 3);
    TestParameter p = TestParameter.of("w", start);
    Optimizer stepped = make.apply(List.of(p));
    Optimizer byHand = make.apply(List.of());
    float[][] w = rows(1, 3);
    List<Optimizer.Slot> slots = byHand.stateSlots();
    RowStore[] state = new RowStore[slots.size()];
    for (int k = 0; k < state.length; k++) {
      state[k] = HeapRowStore.allocate(3, slots.get(k).perRow() ? 1 : D);
    }
    byHand.initState(state);
    for (int step = 1; step <= 4; step++) {
      float[][] g = rows(100 + step, 1);
      p.sparseGrad(new long[] {1}, g);
      stepped.step();
      float[][] st = new float[state.length][];
      for (int k = 0; k < state.length; k++) {
        st[k] = new float[state[k].dim()];
        state[k].readRow(1, st[k], 0);
      }
      byHand.rowRule(step, step == 1).apply(w[1], g[0].clone(), st);
      for (int k = 0; k < state.length; k++) {
        state[k].writeRow(1, st[k], 0);
      }
    }
    float[] expected = new float[D];
    for (int r = 0; r < 3; r++) {
      p.value().readRow(r, expected, 0);
      assertArrayEquals(expected, w[r], stepped.kind() + " row " + r);
    }
  }

  @Test
  void adagradByHandEqualsStep() {
    sameAsStep(ps -> new Adagrad(ps, Adagrad.Config.builder().lr(0.3).initialAccumulatorValue(0.1).build()));
  }

  @Test
  void sparseAdamByHandEqualsStep() {
    sameAsStep(ps -> new SparseAdam(ps, SparseAdam.Config.of(0.05)));
  }

  @Test
  void sgdByHandEqualsStep() {
    sameAsStep(ps -> new Sgd(ps, Sgd.Config.of(0.2)));
  }

  @Test
  void refusesBadArguments() {
    Optimizer opt = new Adagrad(List.of(), Adagrad.Config.of(0.1));
    assertEquals(List.of(new Optimizer.Slot("sum", false)), opt.stateSlots());
    assertThrows(IllegalArgumentException.class, () -> opt.rowRule(0, true));
    assertThrows(IllegalArgumentException.class, () -> opt.initState(new RowStore[0]));
  }
}
