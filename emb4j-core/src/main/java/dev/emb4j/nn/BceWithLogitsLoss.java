package dev.emb4j.nn;

import dev.emb4j.autograd.Variable;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;

/**
 * Binary cross-entropy from logits, averaged over all elements: PyTorch's {@code nn.BCEWithLogitsLoss}. Computed as
 * {@code max(x, 0) - x t + log(1 + exp(-|x|))}, which never overflows; targets are probabilities in [0, 1].
 */
public final class BceWithLogitsLoss {
  /** A binary cross-entropy loss on logits. */
  public BceWithLogitsLoss() {}

  /** The mean loss of {@code logits} against {@code targets} of the same shape. */
  public Variable apply(Variable logits, FloatTensor targets) {
    if (!targets.shape().equals(logits.shape())) {
      throw new IllegalArgumentException(
          "targets of shape " + targets.shape() + " do not match logits of shape " + logits.shape());
    }
    float[] x = logits.value().data();
    float[] t = targets.data();
    for (int i = 0; i < t.length; i++) {
      if (!(t[i] >= 0 && t[i] <= 1)) {
        throw new IllegalArgumentException(
            "target " + t[i] + " at position " + targets.shape().positionOf(i) + " is not a probability in [0, 1]");
      }
    }
    int n = x.length;
    double loss = 0;
    for (int i = 0; i < n; i++) {
      loss += Math.max(x[i], 0) - x[i] * t[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
    }
    return Variable.fromOp(
        FloatTensor.of(Shape.scalar(), (float) (loss / n)),
        g -> {
          double scale = g.get(0) / n;
          float[] dx = new float[n];
          for (int i = 0; i < n; i++) {
            double s = x[i] >= 0 ? 1 / (1 + Math.exp(-x[i])) : Math.exp(x[i]) / (1 + Math.exp(x[i]));
            dx[i] = (float) (scale * (s - t[i]));
          }
          logits.accumulateGrad(FloatTensor.wrap(logits.shape(), dx));
        },
        false,
        logits);
  }
}
