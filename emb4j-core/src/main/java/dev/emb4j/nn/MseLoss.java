package dev.emb4j.nn;

import dev.emb4j.autograd.Variable;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;

/** Mean squared error {@code mean((prediction - target)^2)}: PyTorch's {@code nn.MSELoss}. */
public final class MseLoss {
  /** A mean squared error loss. */
  public MseLoss() {}

  /** The mean squared error of {@code prediction} against {@code target} of the same shape. */
  public Variable apply(Variable prediction, FloatTensor target) {
    if (!target.shape().equals(prediction.shape())) {
      throw new IllegalArgumentException(
          "target of shape " + target.shape() + " does not match prediction of shape " + prediction.shape());
    }
    float[] p = prediction.value().data();
    float[] t = target.data();
    int n = p.length;
    double loss = 0;
    for (int i = 0; i < n; i++) {
      double d = p[i] - t[i];
      loss += d * d;
    }
    return Variable.fromOp(
        FloatTensor.of(Shape.scalar(), (float) (loss / n)),
        g -> {
          double scale = 2.0 * g.get(0) / n;
          float[] dp = new float[n];
          for (int i = 0; i < n; i++) {
            dp[i] = (float) (scale * (p[i] - t[i]));
          }
          prediction.accumulateGrad(FloatTensor.wrap(prediction.shape(), dp));
        },
        false,
        prediction);
  }
}
