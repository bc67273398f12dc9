package dev.emb4j.optim;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.nn.Parameter;
import java.util.List;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay: PyTorch's
 * {@code torch.optim.SGD}. Per element, with {@code d = g + weightDecay * w}:
 *
 * <pre>
 * momentum == 0:  w -= lr * d
 * momentum  > 0:  buf = d on the first step, else buf = momentum * buf + (1 - dampening) * d
 *                 w -= lr * (nesterov ? d + momentum * buf : buf)
 * </pre>
 *
 * <p>State: none without momentum; with momentum a {@code momentum_buffer} of the parameter's shape.
 *
 * <p>Sparse gradients are supported by plain SGD (no momentum, no weight decay) only: each touched row is updated
 * once with its summed gradient, and untouched rows are not read. With momentum or weight decay a sparse gradient is
 * rejected (PyTorch would densify the update over all rows; emb4j refuses rather than doing a {@code V x D} update
 * silently).
 */
public final class Sgd extends Optimizer {
  private static final List<Slot> MOMENTUM_SLOTS = List.of(new Slot("momentum_buffer", false));

  /**
   * SGD's hyper-parameters, checked when created: {@code lr > 0}, {@code momentum >= 0}, {@code dampening >= 0},
   * {@code weightDecay >= 0}, and Nesterov only with {@code momentum > 0} and {@code dampening == 0} (PyTorch's rule).
   *
   * @param lr learning rate
   * @param momentum momentum factor (0: none)
   * @param dampening dampening of the momentum
   * @param nesterov whether to use Nesterov momentum
   * @param weightDecay L2 penalty added to the gradient
   */
  public record Config(double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
    /** Checks the values. */
    public Config {
      check("lr", lr, 0, true);
      check("momentum", momentum, 0, false);
      check("dampening", dampening, 0, false);
      check("weightDecay", weightDecay, 0, false);
      if (nesterov && (momentum <= 0 || dampening != 0)) {
        throw new IllegalArgumentException(
            "Nesterov momentum requires a momentum > 0 and zero dampening, got momentum " + momentum
                + " and dampening " + dampening);
      }
    }

    /** Plain SGD with learning rate {@code lr}. */
    public static Config of(double lr) {
      return builder().lr(lr).build();
    }

    /** A builder; defaults as PyTorch: momentum 0, dampening 0, no Nesterov, no weight decay (lr is required). */
    public static Builder builder() {
      return new Builder();
    }
  }

  /** Builds a {@link Config}; every value is checked by {@link #build()}. */
  public static final class Builder {
    private double lr = Double.NaN;
    private double momentum;
    private double dampening;
    private boolean nesterov;
    private double weightDecay;

    private Builder() {}

    /** The learning rate (required). */
    public Builder lr(double lr) {
      this.lr = lr;
      return this;
    }

    /** The momentum factor (default 0). */
    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /** The dampening of the momentum (default 0). */
    public Builder dampening(double dampening) {
      this.dampening = dampening;
      return this;
    }

    /** Whether to use Nesterov momentum (default false). */
    public Builder nesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    /** The L2 weight decay (default 0). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * The checked configuration.
     *
     * @throws IllegalArgumentException if a value is out of range or lr was not set
     */
    public Config build() {
      if (Double.isNaN(lr)) {
        throw new IllegalArgumentException("SGD has no default learning rate: set one with lr(...)");
      }
      return new Config(lr, momentum, dampening, nesterov, weightDecay);
    }
  }

  private final Config config;

  /** SGD over {@code parameters}, starting at {@code config.lr()}. */
  public Sgd(List<? extends Parameter> parameters, Config config) {
    super(parameters, config.lr());
    this.config = config;
  }

  /** The hyper-parameters (the learning rate is the initial one; see {@link #learningRate()}). */
  public Config config() {
    return config;
  }

  /** {@code "SGD"}. */
  @Override
  public String kind() {
    return "SGD";
  }

  @Override
  protected String describe() {
    return config.momentum() == 0 ? "SGD without momentum" : "SGD";
  }

  @Override
  protected List<Slot> slots() {
    return config.momentum() == 0 ? List.of() : MOMENTUM_SLOTS;
  }

  @Override
  protected boolean countsSteps() {
    return false;
  }

  @Override
  protected void checkGradient(Parameter p, TableGradient grad) {
    if (grad instanceof SparseGradient && (config.momentum() != 0 || config.weightDecay() != 0)) {
      throw new IllegalArgumentException(
          "SGD with momentum or weight decay does not support sparse gradients (parameter '" + p.name()
              + "'): it would update every row; use plain SGD, Adagrad, RowWiseAdagrad or SparseAdam for sparse"
              + " tables, or build the table with sparse(false)");
    }
  }

  @Override
  dev.emb4j.internal.kernel.RowRule kernelRule(long step, boolean fresh) {
    float minusLr = (float) -learningRate();
    float wd = (float) config.weightDecay();
    if (config.momentum() == 0) {
      return new dev.emb4j.internal.kernel.RowRule.Sgd(minusLr, wd);
    }
    return new dev.emb4j.internal.kernel.RowRule.SgdMomentum(
        minusLr, wd, (float) config.momentum(), (float) (1 - config.dampening()), config.nesterov(), fresh);
  }

  @Override
  protected RowRule rule(long step, boolean fresh) {
    return kernelRule(step, fresh)::apply;
  }
}
