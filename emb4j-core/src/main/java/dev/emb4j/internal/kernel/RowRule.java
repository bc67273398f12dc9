package dev.emb4j.internal.kernel;

/**
 * How one optimizer step updates one parameter row and its state rows, with the step's constants already computed:
 * the one definition of each optimizer rule. {@link #apply} is the scalar reference, with exactly the float32
 * arithmetic of the optimizer the rule stands for. The library's rules are the records below; each has a Vector API
 * twin ({@code PanamaRowRules}), tested bit for bit against {@link #apply}, that the kernels use when the Vector API
 * is enabled. Any other implementation (a user's optimizer) runs through {@link #apply}. The dense, sparse and fused
 * sparse paths all apply the same rule ({@link Kernels#updateDenseRows}, {@link Kernels#updateSparseRows}).
 */
@FunctionalInterface
public interface RowRule {

  /**
   * Updates {@code w} (one row, D floats) in place from {@code g} (its gradient, D floats, which the rule may
   * overwrite) and the row's state {@code state[k]} (one array per state slot: D floats, or 1 for a per-row slot),
   * also in place.
   */
  void apply(float[] w, float[] g, float[][] state);

  /** {@code g + wd * w}, or {@code g} itself without weight decay: L2 weight decay as PyTorch adds it. */
  private static float decayed(float g, float wd, float w) {
    return wd != 0 ? g + wd * w : g;
  }

  /**
   * Plain SGD: {@code w += minusLr * (g + weightDecay * w)}. No state.
   *
   * @param minusLr {@code -lr}
   * @param weightDecay L2 penalty (0: none)
   */
  record Sgd(float minusLr, float weightDecay) implements RowRule {
    @Override
    public void apply(float[] w, float[] g, float[][] state) {
      for (int j = 0; j < w.length; j++) {
        w[j] += minusLr * decayed(g[j], weightDecay, w[j]);
      }
    }
  }

  /**
   * SGD with momentum, with {@code d = g + weightDecay * w}: {@code buf = first ? d : buf * momentum +
   * oneMinusDampening * d; w += minusLr * (nesterov ? d + momentum * buf : buf)}. Slot 0: {@code momentum_buffer}.
   *
   * @param minusLr {@code -lr}
   * @param weightDecay L2 penalty (0: none)
   * @param momentum momentum factor
   * @param oneMinusDampening {@code 1 - dampening}
   * @param nesterov whether to use Nesterov momentum
   * @param first whether this is the buffer's first step (it then starts at {@code d})
   */
  record SgdMomentum(
      float minusLr, float weightDecay, float momentum, float oneMinusDampening, boolean nesterov, boolean first)
      implements RowRule {
    @Override
    public void apply(float[] w, float[] g, float[][] state) {
      float[] buf = state[0];
      for (int j = 0; j < w.length; j++) {
        float d = decayed(g[j], weightDecay, w[j]);
        float b = first ? d : buf[j] * momentum + oneMinusDampening * d;
        buf[j] = b;
        w[j] += minusLr * (nesterov ? d + momentum * b : b);
      }
    }
  }

  /**
   * Adagrad, with {@code d = g + weightDecay * w}: {@code sum += d * d; w += minusClr * (d / (sqrt(sum) + eps))}.
   * Slot 0: {@code sum}.
   *
   * @param minusClr minus the step's decayed learning rate
   * @param weightDecay L2 penalty (0: none)
   * @param eps added to the denominator
   */
  record Adagrad(float minusClr, float weightDecay, float eps) implements RowRule {
    @Override
    public void apply(float[] w, float[] g, float[][] state) {
      float[] sum = state[0];
      for (int j = 0; j < w.length; j++) {
        float d = decayed(g[j], weightDecay, w[j]);
        float acc = sum[j] + d * d;
        sum[j] = acc;
        w[j] += minusClr * (d / ((float) Math.sqrt(acc) + eps));
      }
    }
  }

  /**
   * Row-wise Adagrad: {@code d = g + wd * w; sum += mean(d * d)} (in double){@code ; w += -lr / (sqrt(sum) + eps) *
   * d}. Slot 0: {@code sum} (one float per row). {@code g} is overwritten with {@code d}.
   *
   * @param lr learning rate
   * @param weightDecay L2 penalty (0: none)
   * @param eps added to the denominator
   */
  record RowWiseAdagrad(double lr, float weightDecay, double eps) implements RowRule {
    @Override
    public void apply(float[] w, float[] g, float[][] state) {
      int d = w.length;
      double squares = 0;
      for (int j = 0; j < d; j++) {
        float x = decayed(g[j], weightDecay, w[j]);
        g[j] = x;
        squares += (double) x * x;
      }
      float acc = (float) (state[0][0] + squares / d);
      state[0][0] = acc;
      float minusMultiplier = (float) (-lr / (Math.sqrt(acc) + eps));
      for (int j = 0; j < d; j++) {
        w[j] += minusMultiplier * g[j];
      }
    }
  }

  /**
   * PyTorch's SparseAdam (the order of operations of {@code torch/optim/_functional.py sparse_adam}, 1.13): {@code m
   * += (g - m) * oneMinusB1; v += (g * g - v) * oneMinusB2; w += minusStepSize * (m / (sqrt(v) + eps))}. Slots 0 and
   * 1: {@code exp_avg} and {@code exp_avg_sq}.
   *
   * @param oneMinusB1 {@code 1 - beta1}
   * @param oneMinusB2 {@code 1 - beta2}
   * @param eps added to the denominator
   * @param minusStepSize {@code -lr * sqrt(1 - beta2^t) / (1 - beta1^t)}
   */
  record SparseAdam(float oneMinusB1, float oneMinusB2, float eps, float minusStepSize) implements RowRule {
    @Override
    public void apply(float[] w, float[] g, float[][] state) {
      float[] m = state[0];
      float[] v = state[1];
      for (int j = 0; j < w.length; j++) {
        float gj = g[j];
        float mj = m[j] + (gj - m[j]) * oneMinusB1;
        float vj = v[j] + (gj * gj - v[j]) * oneMinusB2;
        m[j] = mj;
        v[j] = vj;
        w[j] += minusStepSize * (mj / ((float) Math.sqrt(vj) + eps));
      }
    }
  }

  /**
   * Adam and AdamW as PyTorch 1.13's {@code _single_tensor_adam} / {@code _single_tensor_adamw}, in float32 like
   * PyTorch's CPU kernels, with {@code d = g + l2 * w}: {@code w = w * decay} (AdamW's decoupled decay; 1 for Adam)
   * {@code ; m = m * b1 + oneMinusB1 * d; v = v * b2 + oneMinusB2 * (d * d); vMax = max(vMax, v)} (AMSGrad only, used
   * instead of v below){@code ; w += minusStepSize * (m / (sqrt(v) / bc2Sqrt + eps))}. Slots: {@code exp_avg},
   * {@code exp_avg_sq} and, with AMSGrad, {@code max_exp_avg_sq}.
   *
   * @param b1 {@code beta1}
   * @param b2 {@code beta2}
   * @param oneMinusB1 {@code 1 - beta1}
   * @param oneMinusB2 {@code 1 - beta2}
   * @param minusStepSize {@code -lr / (1 - beta1^t)}
   * @param bc2Sqrt {@code sqrt(1 - beta2^t)}
   * @param eps added to the denominator
   * @param l2 Adam's L2 penalty added to the gradient (0 for AdamW)
   * @param decay AdamW's {@code 1 - lr * weightDecay} (1 for Adam)
   * @param amsgrad whether to use the maximum of past second moments
   */
  record Adam(
      float b1, float b2, float oneMinusB1, float oneMinusB2, float minusStepSize, float bc2Sqrt, float eps, float l2,
      float decay, boolean amsgrad)
      implements RowRule {
    @Override
    public void apply(float[] w, float[] g, float[][] state) {
      float[] m = state[0];
      float[] v = state[1];
      for (int j = 0; j < w.length; j++) {
        float d = decayed(g[j], l2, w[j]);
        float x = decay != 1f ? w[j] * decay : w[j];
        float mj = m[j] * b1 + oneMinusB1 * d;
        float vj = v[j] * b2 + oneMinusB2 * (d * d);
        m[j] = mj;
        v[j] = vj;
        float second = vj;
        if (amsgrad) {
          second = Math.max(state[2][j], vj);
          state[2][j] = second;
        }
        w[j] = x + minusStepSize * (mj / ((float) Math.sqrt(second) / bc2Sqrt + eps));
      }
    }
  }
}
