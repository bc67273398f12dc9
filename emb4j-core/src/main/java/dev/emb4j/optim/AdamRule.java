package dev.emb4j.optim;

import dev.emb4j.optim.Optimizer.RowUpdate;
import dev.emb4j.optim.Optimizer.Slot;
import java.util.List;

/** The update shared by {@link Adam} and {@link AdamW}, which differ only in how weight decay is applied. */
final class AdamRule {
  static final List<Slot> SLOTS = List.of(new Slot("exp_avg", false), new Slot("exp_avg_sq", false));
  static final List<Slot> AMSGRAD_SLOTS =
      List.of(new Slot("exp_avg", false), new Slot("exp_avg_sq", false), new Slot("max_exp_avg_sq", false));

  private AdamRule() {}

  /** Checks the hyper-parameters common to Adam and AdamW. */
  static void check(double lr, double beta1, double beta2, double eps, double weightDecay) {
    Optimizer.check("lr", lr, 0, true);
    Optimizer.checkBeta("beta1", beta1);
    Optimizer.checkBeta("beta2", beta2);
    Optimizer.check("eps", eps, 0, true);
    Optimizer.check("weightDecay", weightDecay, 0, false);
  }

  /**
   * The row update of PyTorch 1.13's {@code _single_tensor_adam} / {@code _single_tensor_adamw}, in float32 like
   * PyTorch's CPU kernels, with the step's scalars computed in double.
   *
   * @param decoupled true for AdamW ({@code w *= 1 - lr * weightDecay} first), false for Adam ({@code g += weightDecay
   *     * w})
   */
  static RowUpdate update(
      double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, boolean decoupled,
      long step) {
    final float b1 = (float) beta1;
    final float b2 = (float) beta2;
    final float oneMinusB1 = (float) (1 - beta1);
    final float oneMinusB2 = (float) (1 - beta2);
    double biasCorrection1 = 1 - Math.pow(beta1, step);
    double biasCorrection2 = 1 - Math.pow(beta2, step);
    final float minusStepSize = (float) -(lr / biasCorrection1);
    final float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
    final float epsF = (float) eps;
    final float l2 = decoupled ? 0f : (float) weightDecay;
    final float decay = decoupled ? (float) (1 - lr * weightDecay) : 1f;
    return (w, g, s) -> {
      float[] m = s[0];
      float[] v = s[1];
      float[] vMax = amsgrad ? s[2] : null;
      for (int j = 0; j < w.length; j++) {
        float d = l2 != 0 ? g[j] + l2 * w[j] : g[j];
        float x = decoupled ? w[j] * decay : w[j];
        float mj = m[j] * b1 + oneMinusB1 * d;
        float vj = v[j] * b2 + oneMinusB2 * (d * d);
        m[j] = mj;
        v[j] = vj;
        float second = vj;
        if (vMax != null) {
          second = Math.max(vMax[j], vj);
          vMax[j] = second;
        }
        float denom = (float) Math.sqrt(second) / bc2Sqrt + epsF;
        w[j] = x + minusStepSize * (mj / denom);
      }
    };
  }
}
