package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Fused sparse updates: equal to the dense path where PyTorch says so, lazy where it should be, O(touched rows). */
class SparseUpdateTest {
  private static final int V = 11;
  private static final int D = 6;

  private static float[][] randomRows(int rows, int dim, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[][] out = new float[rows][dim];
    for (float[] r : out) {
      for (int j = 0; j < dim; j++) {
        r[j] = (float) (rnd.nextDouble() * 2 - 1);
      }
    }
    return out;
  }

  /** A batch with duplicate ids (and rows 0, 9, 10 never touched). */
  private static long[] batchIds(int step) {
    return new long[] {3, 1, 3, 5, 8, 3, 1, (step % 4) + 2, 7, 5};
  }

  private static void sparseEqualsDense(Function<List<Parameter>, Optimizer> factory) {
    float[][] w0 = randomRows(V, D, 1);
    TestParameter sparse = TestParameter.of("w", w0);
    TestParameter dense = TestParameter.of("w", w0);
    Optimizer onSparse = factory.apply(List.of(sparse));
    Optimizer onDense = factory.apply(List.of(dense));
    for (int step = 0; step < 5; step++) {
      long[] ids = batchIds(step);
      float[][] g = randomRows(ids.length, D, 100 + step);
      sparse.sparseGrad(ids, g);
      dense.denseGrad(ids, g);
      onSparse.step();
      onDense.step();
      onSparse.zeroGrad();
      onDense.zeroGrad();
      float[][] a = sparse.rows();
      float[][] b = dense.rows();
      for (int r = 0; r < V; r++) {
        // duplicates are summed in the same order on both paths, so the results are bit-identical
        assertArrayEquals(b[r], a[r], onSparse.kind() + " row " + r + " after step " + step);
      }
    }
  }

  @Test
  void plainSgdSparseStepEqualsDenseStep() {
    sparseEqualsDense(p -> new Sgd(p, Sgd.Config.of(0.3)));
  }

  @Test
  void adagradSparseStepEqualsDenseStep() {
    sparseEqualsDense(
        p -> new Adagrad(p, Adagrad.Config.builder().lr(0.2).lrDecay(0.1).initialAccumulatorValue(0.05).build()));
  }

  @Test
  void rowWiseAdagradSparseStepEqualsDenseStepWithoutWeightDecay() {
    sparseEqualsDense(p -> new RowWiseAdagrad(p, RowWiseAdagrad.Config.builder().lr(0.2).build()));
  }

  @Test
  void sparseAdamLeavesUntouchedRowsAndTheirStateUnchanged() {
    float[][] w0 = randomRows(V, D, 2);
    TestParameter p = TestParameter.of("emb", w0);
    SparseAdam opt = new SparseAdam(List.of(p), SparseAdam.Config.of(0.05));
    p.sparseGrad(new long[] {1, 4, 1}, randomRows(3, D, 3));
    opt.step();
    OptimizerState before = opt.exportState();
    float[][] wBefore = p.rows();
    p.sparseGrad(new long[] {4, 6, 6}, randomRows(3, D, 4));
    opt.step();
    OptimizerState after = opt.exportState();
    float[][] wAfter = p.rows();
    for (int r = 0; r < V; r++) {
      boolean touched = r == 4 || r == 6;
      for (String slot : List.of("exp_avg", "exp_avg_sq")) {
        float[] s0 = row(before.slots().get("emb/" + slot), r);
        float[] s1 = row(after.slots().get("emb/" + slot), r);
        if (touched) {
          assertFalse(Arrays.equals(s0, s1), slot + " of touched row " + r + " changed");
        } else {
          assertArrayEquals(s0, s1, slot + " of untouched row " + r + " is unchanged");
        }
      }
      if (!touched) {
        assertArrayEquals(wBefore[r], wAfter[r], "untouched row " + r + " keeps its values");
      }
    }
    // row 1 has momentum from step 1 but no gradient in step 2: lazy Adam leaves it alone (dense Adam would not)
    assertArrayEquals(wBefore[1], wAfter[1]);
    assertEquals(2.0, after.scalars().get("emb/step"));
  }

  @Test
  void sparseAdamMatchesHandComputedFirstStep() {
    float[][] w0 = {{1f, -2f}, {0.5f, 0.25f}, {3f, 3f}};
    TestParameter p = TestParameter.of("w", w0);
    p.sparseGrad(new long[] {0}, new float[][] {{0.5f, -4f}});
    new SparseAdam(List.of(p), SparseAdam.Config.builder().lr(0.1).build()).step();
    // step 1: m = 0.1 g, v = 0.001 g^2, step size = lr * sqrt(0.001) / 0.1; update = lr * g / (|g| + eps / sqrt(.001))
    float[][] w = p.rows();
    double g0 = 0.5;
    double g1 = -4;
    assertEquals(1 - 0.1 * g0 / (Math.abs(g0) + 1e-8 / Math.sqrt(0.001)), w[0][0], 1e-6);
    assertEquals(-2 - 0.1 * g1 / (Math.abs(g1) + 1e-8 / Math.sqrt(0.001)), w[0][1], 1e-6);
    assertArrayEquals(w0[1], w[1]);
    assertArrayEquals(w0[2], w[2]);
  }

  @Test
  void slotsExistOnlyAsNeeded() {
    assertEquals(Map.of(), slotShapes(p -> new Sgd(p, Sgd.Config.of(0.1))), "plain SGD keeps no state");
    assertEquals(
        Map.of("weight/sum", List.of((long) V, 1L)),
        slotShapes(p -> new RowWiseAdagrad(p, RowWiseAdagrad.Config.of(0.1))),
        "row-wise Adagrad keeps one float per row");
    assertEquals(
        Map.of("weight/sum", List.of((long) V, (long) D)), slotShapes(p -> new Adagrad(p, Adagrad.Config.of(0.1))));
    assertEquals(
        Map.of("weight/exp_avg", List.of((long) V, (long) D), "weight/exp_avg_sq", List.of((long) V, (long) D)),
        slotShapes(p -> new SparseAdam(p, SparseAdam.Config.of(0.1))));
  }

  /** Slot shapes after one sparse step of an embedding, and none before it (state is lazy). */
  private static Map<String, List<Long>> slotShapes(Function<List<Parameter>, Optimizer> factory) {
    try (Embedding emb =
        Embedding.fromPretrained(randomRows(V, D, 5)).freeze(false).sparse(true).paddingIdx(0).build()) {
      Optimizer opt = factory.apply(emb.parameters());
      assertTrue(opt.exportState().slots().isEmpty(), "no state before the first step");
      IndexTensor ids = IndexTensor.of(2, 0, 2, 5);
      emb.backward(ids, FloatTensor.wrap(Shape.of(4, D), new float[4 * D]));
      opt.step();
      Map<String, List<Long>> shapes = new TreeMap<>();
      opt.exportState().slots().forEach((k, s) -> shapes.put(k, List.of(s.rows(), (long) s.dim())));
      return shapes;
    }
  }

  @Test
  void plainSgdOnATrillionRowTableTouchesOnlyTheGradientRows() {
    MapRowStore store = new MapRowStore(1_000_000_000_000L, 64);
    TestParameter p = new TestParameter("huge", store);
    Sgd opt = new Sgd(List.of(p), Sgd.Config.of(0.5));
    long[] ids = {999_999_999_999L, 7, 42, 7, 123_456_789_012L};
    float[][] g = randomRows(ids.length, 64, 6);
    p.sparseGrad(ids, g);
    opt.step();
    assertEquals(4, store.materialisedRows(), "only the 4 distinct rows are read");
    assertEquals(4, store.writes, "each touched row is written once");
    assertEquals(-0.5f * (g[1][3] + g[3][3]), store.get(7, 3), 0f);
    assertTrue(opt.exportState().slots().isEmpty());
  }

  @Test
  void rowWiseAdagradStateIsOneFloatPerRowOnALargeTable() {
    long rows = 4_000_000; // the values would take 16 GiB at D = 1024; the row-wise state takes 16 MB
    MapRowStore store = new MapRowStore(rows, 1024);
    TestParameter p = new TestParameter("big", store);
    RowWiseAdagrad opt = new RowWiseAdagrad(List.of(p), RowWiseAdagrad.Config.of(0.1));
    p.sparseGrad(new long[] {rows - 1, 0, rows - 1}, randomRows(3, 1024, 7));
    opt.step();
    assertEquals(2, store.materialisedRows());
    RowStore sum = opt.exportState().slots().get("big/sum");
    assertEquals(rows, sum.rows());
    assertEquals(1, sum.dim());
  }

  @Test
  void embeddingBackwardThenFusedStepEqualsCoalescedReference() {
    // The gradient of an Embedding with duplicates and padding, applied by plain SGD, equals w - lr * coalesce(g).
    float[][] w0 = randomRows(V, D, 8);
    try (Embedding emb = Embedding.fromPretrained(w0).freeze(false).sparse(true).paddingIdx(3).build()) {
      Sgd opt = new Sgd(emb.parameters(), Sgd.Config.of(0.25));
      IndexTensor ids = IndexTensor.of(Shape.of(2, 4), new long[] {5, 3, 5, 1, 1, 5, 9, 3});
      float[] g = new float[8 * D];
      SplittableRandom rnd = new SplittableRandom(9);
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) rnd.nextGaussian();
      }
      emb.backward(ids, FloatTensor.wrap(Shape.of(2, 4, D), g));
      SparseGradient coalesced = ((SparseGradient) emb.grad()).coalesce();
      opt.step();
      float[][] w = TestParameter.of("x", w0).rows();
      for (int u = 0; u < coalesced.nnz(); u++) {
        int r = (int) coalesced.indices()[u];
        for (int j = 0; j < D; j++) {
          w[r][j] += -0.25f * coalesced.values().data()[u * D + j];
        }
      }
      assertArrayEquals(flatten(w), emb.weightTensor().data());
    }
  }

  private static float[] flatten(float[][] rows) {
    float[] out = new float[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, out, r * rows[0].length, rows[0].length);
    }
    return out;
  }

  static float[] row(RowStore s, long r) {
    float[] out = new float[s.dim()];
    s.readRow(r, out, 0);
    return out;
  }
}
