package dev.emb4j.optim;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.nn.Parameter;
import java.util.List;

/**
 * Adam with decoupled weight decay and optional AMSGrad: PyTorch's {@code torch.optim.AdamW}. Per element, at the
 * parameter's step {@code t}:
 *
 * <pre>
 * w      *= 1 - lr * weightDecay                        (decoupled: the gradient is not changed)
 * d       = g
 * m       = beta1 * m + (1 - beta1) * d                 (exp_avg)
 * v       = beta2 * v + (1 - beta2) * d * d             (exp_avg_sq)
 * vMax    = max(vMax, v)                                (max_exp_avg_sq, amsgrad only; used instead of v below)
 * denom   = sqrt(v) / sqrt(1 - beta2^t) + eps
 * w      -= lr / (1 - beta1^t) * m / denom
 * </pre>
 *
 * <p>Dense gradients only: a sparse gradient is rejected (use {@link SparseAdam}), as in PyTorch.
 *
 * @see Adam
 */
public final class AdamW extends Optimizer {

  /**
   * AdamW's hyper-parameters, checked when created: {@code lr > 0}, betas in {@code [0, 1)}, {@code eps > 0}, {@code
   * weightDecay >= 0}.
   *
   * @param lr learning rate
   * @param beta1 decay of the first moment
   * @param beta2 decay of the second moment
   * @param eps added to the denominator
   * @param weightDecay decoupled weight decay: each step multiplies the weights by {@code 1 - lr * weightDecay}
   * @param amsgrad whether to use the maximum of past second moments (AMSGrad)
   */
  public record Config(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
    /** Checks the values. */
    public Config {
      AdamRule.check(lr, beta1, beta2, eps, weightDecay);
    }

    /** Defaults with learning rate {@code lr}. */
    public static Config of(double lr) {
      return builder().lr(lr).build();
    }

    /** A builder with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0.01, no AMSGrad. */
    public static Builder builder() {
      return new Builder();
    }
  }

  /** Builds a {@link Config}; every value is checked by {@link #build()}. */
  public static final class Builder {
    private double lr = 1e-3;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay = 1e-2;
    private boolean amsgrad;

    private Builder() {}

    /** The learning rate (default 1e-3). */
    public Builder lr(double lr) {
      this.lr = lr;
      return this;
    }

    /** The moment decays (default 0.9 and 0.999). */
    public Builder betas(double beta1, double beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      return this;
    }

    /** The denominator's epsilon (default 1e-8). */
    public Builder eps(double eps) {
      this.eps = eps;
      return this;
    }

    /** The decoupled weight decay (default 0.01). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** Whether to use AMSGrad (default false). */
    public Builder amsgrad(boolean amsgrad) {
      this.amsgrad = amsgrad;
      return this;
    }

    /**
     * The checked configuration.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public Config build() {
      return new Config(lr, beta1, beta2, eps, weightDecay, amsgrad);
    }
  }

  private final Config config;

  /** AdamW over {@code parameters}, starting at {@code config.lr()}. */
  public AdamW(List<? extends Parameter> parameters, Config config) {
    super(parameters, config.lr());
    this.config = config;
  }

  /** The hyper-parameters (the learning rate is the initial one; see {@link #learningRate()}). */
  public Config config() {
    return config;
  }

  /** {@code "AdamW"}. */
  @Override
  public String kind() {
    return "AdamW";
  }

  @Override
  protected List<Slot> slots() {
    return config.amsgrad() ? AdamRule.AMSGRAD_SLOTS : AdamRule.SLOTS;
  }

  @Override
  protected boolean countsSteps() {
    return true;
  }

  @Override
  protected void checkGradient(Parameter p, TableGradient grad) {
    if (grad instanceof SparseGradient) {
      throw sparseNotSupported(
          p, "AdamW", "use SparseAdam for sparse tables, or build the table with sparse(false)");
    }
  }

  @Override
  dev.emb4j.internal.kernel.RowRule kernelRule(long step, boolean fresh) {
    return AdamRule.of(
        learningRate(), config.beta1(), config.beta2(), config.eps(), config.weightDecay(), config.amsgrad(), true,
        step);
  }

  @Override
  protected RowRule rule(long step, boolean fresh) {
    return kernelRule(step, fresh)::apply;
  }
}
