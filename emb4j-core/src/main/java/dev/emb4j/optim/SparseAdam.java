package dev.emb4j.optim;

import dev.emb4j.autograd.DenseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.nn.Parameter;
import java.util.List;

/**
 * The lazy Adam of PyTorch's {@code torch.optim.SparseAdam}, for sparse gradients: only the rows present in the
 * gradient update their moments and values; the other rows and their state are left exactly as they were. The step
 * count is per parameter (it advances on every step the parameter has a gradient, even an empty one). For each touched
 * row, per element, at step {@code t}:
 *
 * <pre>
 * m      += (1 - beta1) * (g - m)                          (exp_avg)
 * v      += (1 - beta2) * (g * g - v)                      (exp_avg_sq)
 * w      -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)
 * </pre>
 *
 * <p>Note where {@code eps} sits: outside the bias correction, unlike {@link Adam} (PyTorch's formula). Sparse
 * gradients only: a dense gradient is rejected (use {@link Adam}), as in PyTorch.
 */
public final class SparseAdam extends Optimizer {

  /**
   * SparseAdam's hyper-parameters, checked when created: {@code lr > 0}, betas in {@code [0, 1)}, {@code eps > 0}.
   *
   * @param lr learning rate
   * @param beta1 decay of the first moment
   * @param beta2 decay of the second moment
   * @param eps added to the denominator
   */
  public record Config(double lr, double beta1, double beta2, double eps) {
    /** Checks the values. */
    public Config {
      check("lr", lr, 0, true);
      checkBeta("beta1", beta1);
      checkBeta("beta2", beta2);
      check("eps", eps, 0, true);
    }

    /** Defaults with learning rate {@code lr}. */
    public static Config of(double lr) {
      return builder().lr(lr).build();
    }

    /** A builder with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8. */
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

    /**
     * The checked configuration.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public Config build() {
      return new Config(lr, beta1, beta2, eps);
    }
  }

  private final Config config;

  /** SparseAdam over {@code parameters}, starting at {@code config.lr()}. */
  public SparseAdam(List<? extends Parameter> parameters, Config config) {
    super(parameters, config.lr());
    this.config = config;
  }

  /** The hyper-parameters (the learning rate is the initial one; see {@link #learningRate()}). */
  public Config config() {
    return config;
  }

  /** {@code "SparseAdam"}. */
  @Override
  public String kind() {
    return "SparseAdam";
  }

  @Override
  protected List<Slot> slots() {
    return AdamRule.SLOTS;
  }

  @Override
  protected boolean countsSteps() {
    return true;
  }

  @Override
  protected void checkGradient(Parameter p, TableGradient grad) {
    if (grad instanceof DenseGradient) {
      throw new IllegalArgumentException(
          "SparseAdam does not support dense gradients (parameter '" + p.name()
              + "'); use Adam, or build the table with sparse(true)");
    }
  }

  @Override
  dev.emb4j.internal.kernel.RowRule kernelRule(long step, boolean fresh) {
    double biasCorrection1 = 1 - Math.pow(config.beta1(), step);
    double biasCorrection2 = 1 - Math.pow(config.beta2(), step);
    return new dev.emb4j.internal.kernel.RowRule.SparseAdam(
        (float) (1 - config.beta1()),
        (float) (1 - config.beta2()),
        (float) config.eps(),
        (float) -(learningRate() * Math.sqrt(biasCorrection2) / biasCorrection1));
  }

  @Override
  protected RowRule rule(long step, boolean fresh) {
    return kernelRule(step, fresh)::apply;
  }
}
