package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.DenseGradient;
import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.nn.DenseParameter;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The contract of {@link Optimizer}: which parameters it updates, what it rejects, and its configurations. */
class OptimizerTest {
  private static final float[][] W = {{1, 2, 3}, {4, 5, 6}, {-1, -2, -3}, {0.5f, 0.25f, 0.125f}};
  private static final float[][] G = {{0.1f, -0.2f, 0.3f}, {1, 1, 1}};
  private static final long[] IDS = {2, 0};

  private static void assertIae(Executable e, String... parts) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    for (String part : parts) {
      assertTrue(x.getMessage().contains(part), "message '" + x.getMessage() + "' should contain '" + part + "'");
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Hyper-parameters
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void hyperParametersAreCheckedAtTheBoundary() {
    assertIae(() -> Sgd.Config.of(0), "lr", "0.0");
    assertIae(() -> Sgd.Config.of(Double.NaN), "lr");
    assertIae(() -> Sgd.Config.builder().build(), "lr(");
    assertIae(() -> Sgd.Config.builder().lr(0.1).momentum(-0.1).build(), "momentum");
    assertIae(() -> Sgd.Config.builder().lr(0.1).nesterov(true).build(), "Nesterov");
    assertIae(() -> Sgd.Config.builder().lr(0.1).momentum(0.9).dampening(0.1).nesterov(true).build(), "dampening");
    assertIae(() -> Sgd.Config.builder().lr(0.1).weightDecay(-1).build(), "weightDecay");
    assertIae(() -> Adagrad.Config.builder().lrDecay(-1).build(), "lrDecay");
    assertIae(() -> Adagrad.Config.builder().eps(0).build(), "eps");
    assertIae(() -> Adagrad.Config.builder().initialAccumulatorValue(-0.5).build(), "initialAccumulatorValue");
    assertIae(() -> Adam.Config.builder().betas(1.0, 0.999).build(), "beta1", "[0, 1)");
    assertIae(() -> Adam.Config.builder().betas(0.9, -0.1).build(), "beta2");
    assertIae(() -> AdamW.Config.builder().eps(-1e-8).build(), "eps");
    assertIae(() -> AdamW.Config.builder().lr(Double.POSITIVE_INFINITY).build(), "lr");
    assertIae(() -> SparseAdam.Config.builder().betas(0.9, 1).build(), "beta2");
  }

  @Test
  void defaultsAreTorchDefaults() {
    assertEquals(new Sgd.Config(0.1, 0, 0, false, 0), Sgd.Config.of(0.1));
    assertEquals(new Adagrad.Config(0.01, 0, 0, 0, 1e-10), Adagrad.Config.builder().build());
    assertEquals(new Adam.Config(1e-3, 0.9, 0.999, 1e-8, 0, false), Adam.Config.builder().build());
    assertEquals(new AdamW.Config(1e-3, 0.9, 0.999, 1e-8, 0.01, false), AdamW.Config.builder().build());
    assertEquals(new SparseAdam.Config(1e-3, 0.9, 0.999, 1e-8), SparseAdam.Config.builder().build());
    Sgd nesterov = new Sgd(List.of(), Sgd.Config.builder().lr(0.1).momentum(0.9).nesterov(true).build());
    assertTrue(nesterov.config().nesterov());
  }

  @Test
  void learningRateCanBeChangedButNotMadeNegative() {
    Adam adam = new Adam(List.of(), Adam.Config.of(0.01));
    assertEquals(0.01, adam.learningRate());
    adam.setLearningRate(0);
    assertEquals(0, adam.learningRate());
    assertIae(() -> adam.setLearningRate(-1e-3), "-0.001");
    assertIae(() -> adam.setLearningRate(Double.NaN), "NaN");
    assertEquals("Adam", adam.kind());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Which parameters are updated
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void frozenParametersAndParametersWithoutGradientAreSkipped() {
    TestParameter frozen = TestParameter.of("frozen", W).denseGrad(IDS, G);
    frozen.setRequiresGrad(false);
    TestParameter noGrad = TestParameter.of("nograd", W);
    TestParameter live = TestParameter.of("live", W).denseGrad(IDS, G);
    Adam adam = new Adam(List.of(frozen, noGrad, live), Adam.Config.of(0.1));
    adam.step();
    assertArrayEquals(W, frozen.rows());
    assertArrayEquals(W, noGrad.rows());
    assertFalse(java.util.Arrays.deepEquals(W, live.rows()));
    assertEquals(Map.of("lr", 0.1, "live/step", 1.0), adam.exportState().scalars(), "state only where needed");
  }

  @Test
  void frozenEmbeddingIsSkipped() {
    try (Embedding emb = Embedding.fromPretrained(W).build()) {
      Sgd sgd = new Sgd(emb.parameters(), Sgd.Config.of(1));
      emb.backward(IndexTensor.of(1), FloatTensor.wrap(Shape.of(1, 3), new float[] {1, 1, 1}));
      sgd.step();
      assertEquals(FloatTensor.fromArray(W), emb.weightTensor());
    }
  }

  @Test
  void zeroGradClearsEveryGradient() {
    TestParameter a = TestParameter.of("a", W).denseGrad(IDS, G);
    TestParameter b = TestParameter.of("b", W).sparseGrad(IDS, G);
    Sgd sgd = new Sgd(List.of(a, b), Sgd.Config.of(0.1));
    sgd.zeroGrad();
    assertTrue(a.grad().isEmpty());
    assertTrue(b.grad().isEmpty());
    sgd.step(); // nothing to do
    assertArrayEquals(W, a.rows());
  }

  @Test
  void denseParameterIsUpdatedThroughItsArrays() {
    DenseParameter bias = new DenseParameter("fc.bias", 1, 3);
    bias.gradData()[1] = 2f;
    bias.markGrad();
    Sgd sgd = new Sgd(List.of(bias), Sgd.Config.builder().lr(0.5).momentum(0.9).build());
    sgd.step();
    assertArrayEquals(new float[] {0, -1, 0}, bias.data());
    sgd.step(); // buf = 0.9 * 2 + 2
    assertArrayEquals(new float[] {0, -1 - 0.5f * 3.8f, 0}, bias.data(), 1e-6f);
    assertSame(bias, sgd.parameters().get(0));
  }

  @Test
  void theSameParameterTwiceIsRejected() {
    TestParameter a = TestParameter.of("a", W);
    assertIae(() -> new Sgd(List.of(a, a), Sgd.Config.of(0.1)), "'a'", "more than once");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Unsupported gradients: rejected before anything changes
  // ---------------------------------------------------------------------------------------------------------------

  private static void rejectsAndChangesNothing(
      Function<List<Parameter>, Optimizer> factory, boolean badIsSparse, String... parts) {
    TestParameter good = TestParameter.of("good", W);
    TestParameter bad = TestParameter.of("bad", W);
    if (badIsSparse) {
      good.denseGrad(IDS, G);
      bad.sparseGrad(IDS, G);
    } else {
      good.sparseGrad(IDS, G);
      bad.denseGrad(IDS, G);
    }
    Optimizer opt = factory.apply(List.of(good, bad));
    assertIae(opt::step, parts);
    assertArrayEquals(W, good.rows(), "the valid parameter listed first is not updated either");
    assertArrayEquals(W, bad.rows());
    assertTrue(opt.exportState().slots().isEmpty(), "no state was created");
  }

  @Test
  void adamAndAdamWRejectSparseGradientsPointingToSparseAdam() {
    rejectsAndChangesNothing(p -> new Adam(p, Adam.Config.of(0.1)), true, "Adam", "'bad'", "SparseAdam");
    rejectsAndChangesNothing(p -> new AdamW(p, AdamW.Config.of(0.1)), true, "AdamW", "'bad'", "SparseAdam");
  }

  @Test
  void sparseAdamRejectsDenseGradients() {
    rejectsAndChangesNothing(p -> new SparseAdam(p, SparseAdam.Config.of(0.1)), false, "dense", "'bad'", "Adam");
  }

  @Test
  void sgdWithMomentumOrWeightDecayRejectsSparseGradients() {
    rejectsAndChangesNothing(
        p -> new Sgd(p, Sgd.Config.builder().lr(0.1).momentum(0.9).build()), true, "momentum", "'bad'");
    rejectsAndChangesNothing(
        p -> new Sgd(p, Sgd.Config.builder().lr(0.1).weightDecay(0.1).build()), true, "weight decay", "'bad'");
  }

  @Test
  void adagradWeightDecayRejectsSparseGradients() {
    rejectsAndChangesNothing(
        p -> new Adagrad(p, Adagrad.Config.builder().weightDecay(0.1).build()), true, "weight decay", "'bad'");
  }

  @Test
  void gradientOfTheWrongShapeIsRejected() {
    TestParameter p = TestParameter.of("p", W);
    p.setGrad(new DenseGradient(HeapRowStore.allocate(4, 2)));
    Sgd sgd = new Sgd(List.of(p), Sgd.Config.of(0.1));
    assertIae(sgd::step, "'p'", "4 x 2", "4 x 3");
    p.setGrad(new SparseGradient(5, 3, new long[0], FloatTensor.zeros(Shape.of(0, 3))));
    assertIae(sgd::step, "5 x 3");
    p.setGrad(new SparseGradient(4, 3, new long[] {4}, FloatTensor.zeros(Shape.of(1, 3))));
    assertThrows(IndexOutOfBoundsException.class, sgd::step);
    assertArrayEquals(W, p.rows());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Step counting
  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void emptySparseGradientAdvancesTheStepCountOnly() {
    TestParameter p = TestParameter.of("p", W);
    SparseAdam opt = new SparseAdam(List.of(p), SparseAdam.Config.of(0.1));
    p.setGrad(SparseGradient.empty(4, 3));
    opt.step();
    assertArrayEquals(W, p.rows());
    assertEquals(1.0, opt.exportState().scalars().get("p/step"));
  }

  @Test
  void adagradLearningRateDecayUsesThePerParameterStep() {
    // clr = lr / (1 + (t - 1) * lrDecay): a parameter first updated at the optimizer's third step uses t = 1.
    TestParameter early = TestParameter.of("early", new float[][] {{0}});
    TestParameter late = TestParameter.of("late", new float[][] {{0}});
    Adagrad opt = new Adagrad(List.of(early, late), Adagrad.Config.builder().lr(1).lrDecay(1).build());
    for (int k = 0; k < 3; k++) {
      early.sparseGrad(new long[] {0}, new float[][] {{1}});
      late.zeroGrad();
      if (k == 2) {
        late.sparseGrad(new long[] {0}, new float[][] {{1}});
      }
      opt.step();
    }
    // late: one step with t = 1: w = -1 * 1 / sqrt(1) = -1
    assertEquals(-1f, late.rows()[0][0], 1e-6f);
    // early: -1/1 - (1/2)/sqrt(2) - (1/3)/sqrt(3)
    assertEquals(-1 - 0.5 / Math.sqrt(2) - (1.0 / 3) / Math.sqrt(3), early.rows()[0][0], 1e-6);
  }

  @Test
  void toStringNamesKindAndRate() {
    assertEquals("SGD without momentum(lr=0.5, 0 parameters)", new Sgd(List.of(), Sgd.Config.of(0.5)).toString());
  }
}
