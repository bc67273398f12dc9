package dev.emb4j.autograd;

import static dev.emb4j.autograd.FiniteDifferences.check;
import static dev.emb4j.autograd.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.nn.BceWithLogitsLoss;
import dev.emb4j.nn.CrossEntropyLoss;
import dev.emb4j.nn.MseLoss;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every differentiable op and loss against central finite differences. */
class GradientCheckOpsTest {
  private static final double H = 1e-2;
  private static final double TOL = 2e-3;

  /** A fixed random weighting turns any tensor into a scalar with a non-trivial gradient. */
  private static Variable weightedSum(Variable x, long seed) {
    return Ops.sum(Ops.mul(x, Variable.constant(random(x.shape(), seed))));
  }

  @Test
  void elementwiseArithmetic() {
    Shape s = Shape.of(3, 4);
    check(v -> weightedSum(Ops.add(v[0], v[1]), 1), H, TOL, random(s, 2), random(s, 3));
    check(v -> weightedSum(Ops.sub(v[0], v[1]), 1), H, TOL, random(s, 2), random(s, 3));
    check(v -> weightedSum(Ops.mul(v[0], v[1]), 1), H, TOL, random(s, 2), random(s, 3));
    check(v -> weightedSum(Ops.scale(v[0], -2.5), 1), H, TOL, random(s, 2));
    check(v -> weightedSum(Ops.addScalar(v[0], 3), 1), H, TOL, random(s, 2));
    check(v -> weightedSum(Ops.addRowVector(v[0], v[1]), 1), H, TOL, random(s, 2), random(Shape.of(4), 5));
  }

  @Test
  void broadcastAddMatmulTransposeAndSoftmax() {
    check(v -> weightedSum(Ops.add(v[0], v[1]), 1), H, TOL, random(Shape.of(3, 4), 2), random(Shape.of(4), 5));
    check(v -> weightedSum(Ops.add(v[0], v[1]), 1), H, TOL, random(Shape.of(3, 1), 2), random(Shape.of(1, 4), 5));
    check(v -> weightedSum(Ops.matmul(v[0], v[1]), 1), H, TOL, random(Shape.of(3, 4), 2), random(Shape.of(4, 5), 3));
    check(v -> weightedSum(Ops.t(v[0]), 1), H, TOL, random(Shape.of(3, 4), 2));
    check(v -> weightedSum(Ops.softmax(v[0]), 1), H, TOL, random(Shape.of(2, 5), 2));
    IndexTensor picks = IndexTensor.fromArray(new int[][] {{2, 0}, {2, 2}});
    check(v -> weightedSum(Ops.index(v[0], picks), 1), H, TOL, random(Shape.of(3, 4), 2));
    assertEquals(Shape.of(2, 2, 4), Ops.index(Variable.constant(random(Shape.of(3, 4), 2)), picks).shape());
  }

  @Test
  void activations() {
    Shape s = Shape.of(2, 5);
    check(v -> weightedSum(Ops.tanh(v[0]), 7), H, TOL, random(s, 8));
    check(v -> weightedSum(Ops.sigmoid(v[0]), 7), H, TOL, random(s, 8));
    // ReLU: keep inputs away from the kink at 0 so the finite difference is defined.
    FloatTensor x = random(s, 9);
    for (int i = 0; i < x.numel(); i++) {
      x.set(i, x.get(i) + Math.copySign(0.1f, x.get(i)));
    }
    check(v -> weightedSum(Ops.relu(v[0]), 7), H, TOL, x);
  }

  @Test
  void reductionsAndReshape() {
    Shape s = Shape.of(2, 3, 4);
    check(v -> Ops.sum(v[0]), H, TOL, random(s, 1));
    check(v -> Ops.mean(v[0]), H, TOL, random(s, 1));
    for (int dim = 0; dim < 3; dim++) {
      int d = dim;
      check(v -> weightedSum(Ops.meanDim(v[0], d), 4), H, TOL, random(s, 1));
      check(v -> weightedSum(Ops.sumDim(v[0], d), 4), H, TOL, random(s, 1));
    }
    check(v -> weightedSum(Ops.reshape(v[0], Shape.of(6, 4)), 4), H, TOL, random(s, 1));
    check(v -> weightedSum(Ops.indexSelect(v[0], new int[] {1, 0, 1, 1}), 4), H, TOL, random(s, 1));
  }

  @Test
  void linearWithAndWithoutBias() {
    check(
        v -> weightedSum(Ops.linear(v[0], v[1], v[2]), 3),
        H,
        TOL,
        random(Shape.of(2, 3, 5), 1),
        random(Shape.of(4, 5), 2),
        random(Shape.of(1, 4), 3));
    check(v -> weightedSum(Ops.linear(v[0], v[1], null), 3), H, TOL, random(Shape.of(3, 5), 1), random(Shape.of(2, 5), 2));
  }

  @Test
  void crossEntropyWithWeightsAndSmoothing() {
    int[] targets = {0, 2, 1, 2};
    FloatTensor logits = random(Shape.of(4, 3), 11);
    check(v -> new CrossEntropyLoss().apply(v[0], targets), H, TOL, logits);
    check(v -> new CrossEntropyLoss(new float[] {0.5f, 2f, 1f}, 0.1).apply(v[0], targets), H, TOL, logits);
    check(v -> new CrossEntropyLoss(null, 0.3).apply(v[0], targets), H, TOL, logits);
  }

  @Test
  void crossEntropyKnownValuesAndStability() {
    // Uniform logits over C classes: loss log(C); huge logits do not overflow.
    Variable uniform = Variable.constant(FloatTensor.zeros(Shape.of(2, 4)));
    assertEquals(Math.log(4), new CrossEntropyLoss().apply(uniform, new int[] {1, 3}).item(), 1e-6);
    Variable huge = Variable.constant(FloatTensor.of(Shape.of(1, 2), 1e4f, -1e4f));
    assertEquals(0.0, new CrossEntropyLoss().apply(huge, new int[] {0}).item(), 1e-6);
    assertEquals(2e4, new CrossEntropyLoss().apply(huge, new int[] {1}).item(), 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss().apply(huge, new int[] {2}));
    assertTrue(e.getMessage().contains("target 2 at position [0]"), e.getMessage());
  }

  @Test
  void bceWithLogitsAndMse() {
    FloatTensor targets = FloatTensor.of(Shape.of(2, 3), 0, 1, 0.5f, 1, 0, 0.25f);
    check(v -> new BceWithLogitsLoss().apply(v[0], targets), H, TOL, random(Shape.of(2, 3), 5));
    check(v -> new MseLoss().apply(v[0], targets), H, TOL, random(Shape.of(2, 3), 6));
    Variable big = Variable.constant(FloatTensor.of(Shape.of(2), 500, -500));
    assertEquals(0.0, new BceWithLogitsLoss().apply(big, FloatTensor.vector(1, 0)).item(), 1e-6);
  }

  @Test
  void dropoutKeepsExpectationAndRoutesGradientThroughTheMask() {
    FloatTensor ones = FloatTensor.zeros(Shape.of(10_000));
    java.util.Arrays.fill(ones.data(), 1f);
    Variable x = Variable.leaf(ones);
    Variable y = Ops.dropout(x, 0.25, new SplittableRandom(1));
    double mean = Ops.mean(y).item();
    assertEquals(1.0, mean, 0.05);
    Ops.sum(y).backward();
    assertArrayEquals(y.value().data(), x.grad().orElseThrow().data(), "d(sum)/dx equals the mask");
    Variable same = Ops.dropout(Variable.constant(ones), 0.25, new SplittableRandom(1));
    assertArrayEquals(y.value().data(), same.value().data(), "same seed, same mask");
  }

  @Test
  void gradientsAccumulateAcrossPassesAndSharedInputsSum() {
    FloatTensor t = FloatTensor.vector(1, 2, 3);
    Variable x = Variable.leaf(t);
    Ops.sum(Ops.add(x, x)).backward(); // x used twice: gradient 2
    Ops.sum(x).backward(); // accumulates: 3
    assertArrayEquals(new float[] {3, 3, 3}, x.grad().orElseThrow().data());
  }

  @Test
  void noGradModeRecordsNothing() {
    Variable x = Variable.leaf(FloatTensor.vector(1, 2));
    try (var _ = GradMode.disable()) {
      Variable y = Ops.sum(Ops.mul(x, x));
      assertFalse(y.requiresGrad());
      assertThrows(IllegalStateException.class, y::backward);
    }
    assertTrue(GradMode.isEnabled());
    assertTrue(Ops.sum(x).requiresGrad());
  }

  @Test
  void backwardNeedsAScalarOrASeed() {
    Variable x = Variable.leaf(FloatTensor.vector(1, 2));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Ops.scale(x, 2).backward());
    assertTrue(e.getMessage().contains("[2]"), e.getMessage());
    Ops.scale(x, 2).backward(FloatTensor.vector(1, 1));
    assertArrayEquals(new float[] {2, 2}, x.grad().orElseThrow().data());
  }
}
