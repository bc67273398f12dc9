package dev.emb4j.optim;

import dev.emb4j.internal.kernel.RowRule;
import dev.emb4j.optim.Optimizer.Slot;
import java.util.List;

/** The rule shared by {@link Adam} and {@link AdamW}, which differ only in how weight decay is applied. */
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
   * The rule of PyTorch 1.13's {@code _single_tensor_adam} / {@code _single_tensor_adamw} for step {@code step}, with
   * the step's scalars computed in double.
   *
   * @param decoupled true for AdamW ({@code w *= 1 - lr * weightDecay} first), false for Adam ({@code g += weightDecay
   *     * w})
   */
  static RowRule.Adam of(
      double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, boolean decoupled,
      long step) {
    double biasCorrection1 = 1 - Math.pow(beta1, step);
    double biasCorrection2 = 1 - Math.pow(beta2, step);
    return new RowRule.Adam(
        (float) beta1,
        (float) beta2,
        (float) (1 - beta1),
        (float) (1 - beta2),
        (float) -(lr / biasCorrection1),
        (float) Math.sqrt(biasCorrection2),
        (float) eps,
        decoupled ? 0f : (float) weightDecay,
        decoupled ? (float) (1 - lr * weightDecay) : 1f,
        amsgrad);
  }
}
