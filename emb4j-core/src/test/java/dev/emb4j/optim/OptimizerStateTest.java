package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.nn.Parameter;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** exportState / importState: exact resumption, and strict validation that changes nothing on failure. */
class OptimizerStateTest {
  private static final int V = 7;
  private static final int D = 5;

  private record Kind(String name, boolean sparse, Function<List<Parameter>, Optimizer> factory) {}

  private static final List<Kind> KINDS =
      List.of(
          new Kind("SGD plain sparse", true, p -> new Sgd(p, Sgd.Config.of(0.1))),
          new Kind(
              "SGD nesterov dense",
              false,
              p -> new Sgd(p, Sgd.Config.builder().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01).build())),
          new Kind(
              "Adagrad sparse",
              true,
              p -> new Adagrad(p, Adagrad.Config.builder().lr(0.1).lrDecay(0.05).initialAccumulatorValue(0.1).build())),
          new Kind(
              "Adagrad dense",
              false,
              p -> new Adagrad(p, Adagrad.Config.builder().lr(0.1).lrDecay(0.05).weightDecay(0.01).build())),
          new Kind("RowWiseAdagrad sparse", true, p -> new RowWiseAdagrad(p, RowWiseAdagrad.Config.of(0.1))),
          new Kind("Adam amsgrad", false, p -> new Adam(p, Adam.Config.builder().lr(0.01).amsgrad(true).build())),
          new Kind("AdamW", false, p -> new AdamW(p, AdamW.Config.of(0.01))),
          new Kind("SparseAdam", true, p -> new SparseAdam(p, SparseAdam.Config.of(0.01))));

  private static float[][] rows(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[][] out = new float[n][D];
    for (float[] r : out) {
      for (int j = 0; j < D; j++) {
        r[j] = (float) rnd.nextGaussian();
      }
    }
    return out;
  }

  /** Step {@code k}: a gradient for "a" always, for "b" only on even steps (so its step count lags). */
  private static void setGrads(Kind kind, List<TestParameter> params, int k) {
    for (int i = 0; i < params.size(); i++) {
      if (i == 1 && k % 2 == 1) {
        params.get(i).zeroGrad();
        continue;
      }
      long[] ids = {k % V, 2, 2, (3 * k + i) % V};
      float[][] g = rows(ids.length, 100L * k + i);
      if (kind.sparse()) {
        params.get(i).sparseGrad(ids, g);
      } else {
        params.get(i).denseGrad(ids, g);
      }
    }
  }

  private static List<TestParameter> freshParams() {
    return List.of(TestParameter.of("a", rows(V, 1)), TestParameter.of("b", rows(V, 2)));
  }

  private static void train(Kind kind, Optimizer opt, List<TestParameter> params, int from, int to) {
    for (int k = from; k < to; k++) {
      setGrads(kind, params, k);
      opt.step();
      opt.zeroGrad();
    }
  }

  @TestFactory
  Stream<DynamicTest> resumingFromExportedStateIsBitIdentical() {
    return KINDS.stream().map(kind -> DynamicTest.dynamicTest(kind.name(), () -> roundTrip(kind)));
  }

  private static void roundTrip(Kind kind) {
    List<TestParameter> straight = freshParams();
    Optimizer a = kind.factory().apply(List.copyOf(straight));
    train(kind, a, straight, 0, 7);

    List<TestParameter> first = freshParams();
    Optimizer b = kind.factory().apply(List.copyOf(first));
    train(kind, b, first, 0, 3);
    OptimizerState saved = b.exportState();
    List<TestParameter> resumed =
        List.of(TestParameter.of("a", first.get(0).rows()), TestParameter.of("b", first.get(1).rows()));
    train(kind, b, first, 3, 5); // later steps of b do not change the snapshot

    Optimizer c = kind.factory().apply(List.copyOf(resumed));
    c.setLearningRate(123);
    c.importState(saved);
    assertEquals(b.learningRate(), c.learningRate(), "the learning rate is restored");
    train(kind, c, resumed, 3, 7);
    for (int i = 0; i < 2; i++) {
      float[][] x = straight.get(i).rows();
      float[][] y = resumed.get(i).rows();
      for (int r = 0; r < V; r++) {
        assertArrayEquals(x[r], y[r], kind.name() + ": parameter " + i + " row " + r);
      }
    }
    assertStateEquals(a.exportState(), c.exportState());
  }

  static void assertStateEquals(OptimizerState x, OptimizerState y) {
    assertEquals(x.optimizer(), y.optimizer());
    assertEquals(x.scalars(), y.scalars());
    assertEquals(x.slots().keySet(), y.slots().keySet());
    for (String k : x.slots().keySet()) {
      assertEquals(x.slots().get(k).toTensor(), y.slots().get(k).toTensor(), k);
    }
  }

  @Test
  void exportedKeysAndScalars() {
    List<TestParameter> ps = freshParams();
    Adam adam = new Adam(List.copyOf(ps), Adam.Config.of(0.01));
    assertEquals(Map.of("lr", 0.01), adam.exportState().scalars());
    setGrads(KINDS.get(5), ps, 1); // only "a" gets a gradient on odd steps
    adam.step();
    OptimizerState s = adam.exportState();
    assertEquals("Adam", s.optimizer());
    assertEquals(Map.of("lr", 0.01, "a/step", 1.0), s.scalars());
    assertEquals(java.util.Set.of("a/exp_avg", "a/exp_avg_sq"), s.slots().keySet());
  }

  @Test
  void parametersSharingANameAreKeyedByPosition() {
    TestParameter w1 = TestParameter.of("weight", rows(V, 1));
    TestParameter w2 = TestParameter.of("weight", rows(V, 2));
    TestParameter bias = TestParameter.of("bias", rows(1, 3));
    Adagrad opt = new Adagrad(List.of(w1, bias, w2), Adagrad.Config.of(0.1));
    assertEquals(List.of("weight#0", "bias", "weight#2"), opt.keys());
    w2.sparseGrad(new long[] {1}, rows(1, 4));
    opt.step();
    assertEquals(java.util.Set.of("weight#2/sum"), opt.exportState().slots().keySet());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Rejections
  // ---------------------------------------------------------------------------------------------------------------

  private static Adam trainedAdam(List<TestParameter> ps) {
    Adam adam = new Adam(List.copyOf(ps), Adam.Config.of(0.01));
    train(KINDS.get(5), adam, ps, 0, 2);
    return adam;
  }

  private static void assertRejectedWithoutChange(OptimizerState bad, String... messageParts) {
    List<TestParameter> ps = freshParams();
    Adam adam = trainedAdam(ps);
    OptimizerState before = adam.exportState();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adam.importState(bad));
    for (String part : messageParts) {
      assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
    }
    assertStateEquals(before, adam.exportState());
  }

  private static OptimizerState goodState() {
    return trainedAdam(freshParams()).exportState();
  }

  private static OptimizerState with(OptimizerState s, String slot, RowStore value, String scalar, Double v) {
    Map<String, RowStore> slots = new HashMap<>(s.slots());
    if (slot != null) {
      if (value == null) {
        slots.remove(slot);
      } else {
        slots.put(slot, value);
      }
    }
    Map<String, Double> scalars = new HashMap<>(s.scalars());
    if (scalar != null) {
      if (v == null) {
        scalars.remove(scalar);
      } else {
        scalars.put(scalar, v);
      }
    }
    return new OptimizerState(s.optimizer(), scalars, slots);
  }

  @Test
  void wrongKindIsRejected() {
    OptimizerState s = goodState();
    assertRejectedWithoutChange(new OptimizerState("AdamW", s.scalars(), s.slots()), "AdamW", "Adam");
  }

  @Test
  void wrongShapeIsRejectedNamingSlotAndShapes() {
    assertRejectedWithoutChange(
        with(goodState(), "b/exp_avg_sq", HeapRowStore.allocate(V, D - 1), null, null),
        "b/exp_avg_sq",
        V + " x " + (D - 1),
        "needs " + V + " x " + D);
  }

  @Test
  void wrongRowCountIsRejected() {
    assertRejectedWithoutChange(
        with(goodState(), "a/exp_avg", HeapRowStore.allocate(V + 1, D), null, null), "a/exp_avg", "8 x 5");
  }

  @Test
  void missingSlotIsRejected() {
    assertRejectedWithoutChange(with(goodState(), "a/exp_avg_sq", null, null, null), "a/exp_avg_sq", "lacks");
  }

  @Test
  void slotThisConfigurationDoesNotKeepIsRejected() {
    assertRejectedWithoutChange(
        with(goodState(), "a/max_exp_avg_sq", HeapRowStore.allocate(V, D), null, null), "max_exp_avg_sq");
  }

  @Test
  void unknownParameterIsRejected() {
    assertRejectedWithoutChange(with(goodState(), "c/exp_avg", HeapRowStore.allocate(V, D), null, null), "c/exp_avg");
  }

  @Test
  void stepWithoutSlotsAndSlotsWithoutStepAreRejected() {
    assertRejectedWithoutChange(with(goodState(), null, null, "a/step", null), "a/step");
    OptimizerState noSlots =
        with(with(goodState(), "b/exp_avg", null, null, null), "b/exp_avg_sq", null, null, null);
    assertRejectedWithoutChange(noSlots, "b", "step count but no slots");
  }

  @Test
  void badScalarsAreRejected() {
    assertRejectedWithoutChange(with(goodState(), null, null, "a/step", 1.5), "a/step", "integer");
    assertRejectedWithoutChange(with(goodState(), null, null, "lr", -1.0), "lr");
    assertRejectedWithoutChange(with(goodState(), null, null, "epoch", 3.0), "epoch");
  }

  @Test
  void importedStateIsCopiedNotAliased() {
    List<TestParameter> ps = freshParams();
    Adam adam = trainedAdam(ps);
    OptimizerState s = adam.exportState();
    float before = s.slots().get("a/exp_avg").get(2, 0);
    adam.importState(s);
    train(KINDS.get(5), adam, ps, 2, 4);
    assertEquals(before, s.slots().get("a/exp_avg").get(2, 0), "training after import does not write the snapshot");
  }

  @Test
  void importingAnEmptyStateResetsTheOptimizer() {
    List<TestParameter> ps = freshParams();
    Adam adam = trainedAdam(ps);
    adam.importState(new OptimizerState("Adam", Map.of(), Map.of()));
    assertEquals(Map.of("lr", 0.01), adam.exportState().scalars());
    assertTrue(adam.exportState().slots().isEmpty());
  }
}
