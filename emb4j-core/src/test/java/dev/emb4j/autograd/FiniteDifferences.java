package dev.emb4j.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emb4j.tensor.FloatTensor;
import java.util.SplittableRandom;
import java.util.function.Function;

/** Central finite-difference gradient checks for functions of several tensors to a scalar. */
final class FiniteDifferences {
  private FiniteDifferences() {}

  static FloatTensor random(dev.emb4j.tensor.Shape shape, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    FloatTensor t = FloatTensor.zeros(shape);
    for (int i = 0; i < t.numel(); i++) {
      t.set(i, (float) rng.nextGaussian());
    }
    return t;
  }

  /**
   * Compares the gradients backpropagated by {@code f} to each input with {@code (f(x + h) - f(x - h)) / 2h}, each
   * input element perturbed in turn; the function is evaluated in float32, the difference in double.
   */
  static void check(Function<Variable[], Variable> f, double h, double tol, FloatTensor... inputs) {
    Variable[] leaves = new Variable[inputs.length];
    for (int k = 0; k < inputs.length; k++) {
      leaves[k] = Variable.leaf(inputs[k]);
    }
    f.apply(leaves).backward();
    for (int k = 0; k < inputs.length; k++) {
      FloatTensor analytic = leaves[k].grad().orElse(FloatTensor.zeros(inputs[k].shape()));
      float[] x = inputs[k].data();
      for (int i = 0; i < x.length; i++) {
        float saved = x[i];
        x[i] = (float) (saved + h);
        double up = evaluate(f, inputs);
        x[i] = (float) (saved - h);
        double down = evaluate(f, inputs);
        x[i] = saved;
        double numeric = (up - down) / (2 * h);
        double a = analytic.get(i);
        assertEquals(
            numeric, a, tol * (1 + Math.abs(numeric)), "d/d input " + k + " element " + i + " (numeric vs analytic)");
      }
    }
  }

  private static double evaluate(Function<Variable[], Variable> f, FloatTensor[] inputs) {
    Variable[] constants = new Variable[inputs.length];
    for (int k = 0; k < inputs.length; k++) {
      constants[k] = Variable.constant(inputs[k]);
    }
    return f.apply(constants).item();
  }
}
