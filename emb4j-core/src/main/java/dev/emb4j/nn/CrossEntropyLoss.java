package dev.emb4j.nn;

import dev.emb4j.autograd.Variable;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;

/**
 * Cross-entropy from unnormalised scores (logits) and class indices, averaged over the batch: PyTorch's {@code
 * nn.CrossEntropyLoss} with optional class weights and label smoothing.
 *
 * <p>With weights {@code w} and smoothing {@code eps} over {@code C} classes, for log-probabilities {@code lp =
 * log_softmax(x)}: {@code loss = [(1 - eps) sum_i -w[y_i] lp[i, y_i] + (eps / C) sum_i sum_c -w[c] lp[i, c]] / sum_i
 * w[y_i]}. The log-softmax subtracts each row's maximum first, so large logits do not overflow.
 *
 * @param classWeights one weight per class, or null for all ones
 * @param labelSmoothing the share of the target mass spread evenly over all classes, in [0, 1]
 */
public record CrossEntropyLoss(float[] classWeights, double labelSmoothing) {

  /** Checks the smoothing range and the weights. */
  public CrossEntropyLoss {
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException("labelSmoothing must be in [0, 1], got " + labelSmoothing);
    }
    if (classWeights != null) {
      classWeights = classWeights.clone();
      for (int c = 0; c < classWeights.length; c++) {
        if (!(classWeights[c] >= 0) || Float.isInfinite(classWeights[c])) {
          throw new IllegalArgumentException("class weight " + c + " must be finite and >= 0, got " + classWeights[c]);
        }
      }
    }
  }

  /** Plain cross-entropy: no weights, no smoothing. */
  public CrossEntropyLoss() {
    this(null, 0);
  }

  /**
   * The mean loss of {@code logits} {@code (N, C)} against {@code targets} (N class indices in {@code 0..C-1}).
   *
   * @throws IllegalArgumentException for a wrong shape or a target out of range (naming its position)
   */
  public Variable apply(Variable logits, int[] targets) {
    Shape s = logits.shape();
    if (s.rank() != 2) {
      throw new IllegalArgumentException("cross-entropy needs logits of shape (N, C), got " + s);
    }
    int n = s.dim(0);
    int c = s.dim(1);
    if (targets.length != n) {
      throw new IllegalArgumentException("got " + targets.length + " targets for " + n + " rows of logits");
    }
    if (classWeights != null && classWeights.length != c) {
      throw new IllegalArgumentException("got " + classWeights.length + " class weights for " + c + " classes");
    }
    for (int i = 0; i < n; i++) {
      if (targets[i] < 0 || targets[i] >= c) {
        throw new IllegalArgumentException(
            "target " + targets[i] + " at position [" + i + "] is out of range for " + c + " classes (valid 0.."
                + (c - 1) + ")");
      }
    }
    float[] x = logits.value().data();
    double[] prob = new double[n * c];
    double eps = labelSmoothing;
    double wSum = 0;
    double denom = 0;
    double nll = 0;
    double smooth = 0;
    for (int k = 0; k < c; k++) {
      wSum += weight(k);
    }
    for (int i = 0; i < n; i++) {
      int o = i * c;
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        max = Math.max(max, x[o + k]);
      }
      double z = 0;
      for (int k = 0; k < c; k++) {
        z += Math.exp(x[o + k] - max);
      }
      double logZ = max + Math.log(z);
      double wy = weight(targets[i]);
      denom += wy;
      nll += -wy * (x[o + targets[i]] - logZ);
      for (int k = 0; k < c; k++) {
        double lp = x[o + k] - logZ;
        prob[o + k] = Math.exp(lp);
        smooth += -weight(k) * lp;
      }
    }
    double loss = ((1 - eps) * nll + eps / c * smooth) / denom;
    double fDenom = denom;
    double fWSum = wSum;
    return Variable.fromOp(
        FloatTensor.of(Shape.scalar(), (float) loss),
        g -> {
          double scale = g.get(0) / fDenom;
          float[] dx = new float[n * c];
          for (int i = 0; i < n; i++) {
            int o = i * c;
            double wy = weight(targets[i]);
            for (int k = 0; k < c; k++) {
              double p = prob[o + k];
              double dNll = wy * (p - (k == targets[i] ? 1 : 0));
              double dSmooth = p * fWSum - weight(k);
              dx[o + k] = (float) (scale * ((1 - eps) * dNll + eps / c * dSmooth));
            }
          }
          logits.accumulateGrad(FloatTensor.wrap(s, dx));
        },
        false,
        logits);
  }

  /** {@link #apply(Variable, int[])} with the targets as a 1-D tensor of class indices, as PyTorch takes them. */
  public Variable apply(Variable logits, IndexTensor targets) {
    if (targets.shape().rank() != 1) {
      throw new IllegalArgumentException("targets must be 1-D (one class per row), got shape " + targets.shape());
    }
    return apply(logits, targets.toIntArray());
  }

  private double weight(int k) {
    return classWeights == null ? 1.0 : classWeights[k];
  }
}
