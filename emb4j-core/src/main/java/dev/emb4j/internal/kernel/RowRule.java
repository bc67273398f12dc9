package dev.emb4j.internal.kernel;

/**
 * The per-row update rules of the fused sparse optimizer step ({@link Kernels#applySparseRows}), with the step's
 * constants already computed by the optimizer. Each rule updates one row {@code w} (and its state rows) in place from
 * {@code g}, the row's summed gradient, with exactly the float32 arithmetic of the optimizer it stands for.
 */
public sealed interface RowRule
    permits RowRule.Sgd, RowRule.Adagrad, RowRule.RowWiseAdagrad, RowRule.SparseAdam {

  /** Number of state slots the rule reads and writes (each a store of the parameter's shape, or V x 1). */
  int slots();

  /**
   * Plain SGD: {@code w += minusLr * g}. No state.
   *
   * @param minusLr {@code -lr}
   */
  record Sgd(float minusLr) implements RowRule {
    @Override
    public int slots() {
      return 0;
    }
  }

  /**
   * Adagrad without weight decay: {@code sum += g * g; w += minusClr * (g / (sqrt(sum) + eps))}. Slot 0: {@code sum}
   * (V x D).
   *
   * @param minusClr minus the step's decayed learning rate
   * @param eps added to the denominator
   */
  record Adagrad(float minusClr, float eps) implements RowRule {
    @Override
    public int slots() {
      return 1;
    }
  }

  /**
   * Row-wise Adagrad: {@code d = g + wd * w; sum += mean(d * d)} (in double){@code ; w += -lr / (sqrt(sum) + eps) *
   * d}. Slot 0: {@code sum} (V x 1). {@code g} is overwritten with {@code d}.
   *
   * @param lr learning rate
   * @param weightDecay L2 penalty (0: none)
   * @param eps added to the denominator
   */
  record RowWiseAdagrad(double lr, float weightDecay, double eps) implements RowRule {
    @Override
    public int slots() {
      return 1;
    }
  }

  /**
   * PyTorch's SparseAdam: {@code m += (g - m) * oneMinusB1; v += (g * g - v) * oneMinusB2; w += minusStepSize * (m /
   * (sqrt(v) + eps))}. Slots 0 and 1: {@code exp_avg} and {@code exp_avg_sq} (V x D).
   *
   * @param oneMinusB1 {@code 1 - beta1}
   * @param oneMinusB2 {@code 1 - beta2}
   * @param eps added to the denominator
   * @param minusStepSize {@code -lr * sqrt(1 - beta2^t) / (1 - beta1^t)}
   */
  record SparseAdam(float oneMinusB1, float oneMinusB2, float eps, float minusStepSize) implements RowRule {
    @Override
    public int slots() {
      return 2;
    }
  }
}
