package dev.emb4j.optim;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.RowStore;
import java.util.List;

/**
 * Adagrad: PyTorch's {@code torch.optim.Adagrad}. Per element, at the parameter's step {@code t} (1 on the first):
 *
 * <pre>
 * d    = g + weightDecay * w
 * clr  = lr / (1 + (t - 1) * lrDecay)
 * sum += d * d
 * w   -= clr * d / (sqrt(sum) + eps)
 * </pre>
 *
 * <p>State: {@code sum} of the parameter's shape, starting at {@code initialAccumulatorValue}, and a step count.
 *
 * <p>Sparse gradients are applied as PyTorch's sparse Adagrad: only the touched rows' {@code sum} and values change,
 * each row once with its summed gradient. As in PyTorch, weight decay cannot be combined with a sparse gradient.
 */
public final class Adagrad extends Optimizer {
  private static final List<Slot> SLOTS = List.of(new Slot("sum", false));

  /**
   * Adagrad's hyper-parameters, checked when created: {@code lr > 0}, {@code lrDecay >= 0}, {@code weightDecay >= 0},
   * {@code initialAccumulatorValue >= 0}, {@code eps > 0}.
   *
   * @param lr learning rate
   * @param lrDecay learning-rate decay per step
   * @param weightDecay L2 penalty added to the gradient
   * @param initialAccumulatorValue the starting value of every {@code sum} element
   * @param eps added to the denominator
   */
  public record Config(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
    /** Checks the values. */
    public Config {
      check("lr", lr, 0, true);
      check("lrDecay", lrDecay, 0, false);
      check("weightDecay", weightDecay, 0, false);
      check("initialAccumulatorValue", initialAccumulatorValue, 0, false);
      check("eps", eps, 0, true);
    }

    /** Defaults with learning rate {@code lr}. */
    public static Config of(double lr) {
      return builder().lr(lr).build();
    }

    /** A builder with PyTorch's defaults: lr 0.01, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10. */
    public static Builder builder() {
      return new Builder();
    }
  }

  /** Builds a {@link Config}; every value is checked by {@link #build()}. */
  public static final class Builder {
    private double lr = 1e-2;
    private double lrDecay;
    private double weightDecay;
    private double initialAccumulatorValue;
    private double eps = 1e-10;

    private Builder() {}

    /** The learning rate (default 0.01). */
    public Builder lr(double lr) {
      this.lr = lr;
      return this;
    }

    /** The learning-rate decay (default 0). */
    public Builder lrDecay(double lrDecay) {
      this.lrDecay = lrDecay;
      return this;
    }

    /** The L2 weight decay (default 0). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** The initial value of the accumulator (default 0). */
    public Builder initialAccumulatorValue(double initialAccumulatorValue) {
      this.initialAccumulatorValue = initialAccumulatorValue;
      return this;
    }

    /** The denominator's epsilon (default 1e-10). */
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
      return new Config(lr, lrDecay, weightDecay, initialAccumulatorValue, eps);
    }
  }

  private final Config config;

  /** Adagrad over {@code parameters}, starting at {@code config.lr()}. */
  public Adagrad(List<? extends Parameter> parameters, Config config) {
    super(parameters, config.lr());
    this.config = config;
  }

  /** The hyper-parameters (the learning rate is the initial one; see {@link #learningRate()}). */
  public Config config() {
    return config;
  }

  /** {@code "Adagrad"}. */
  @Override
  public String kind() {
    return "Adagrad";
  }

  @Override
  protected List<Slot> slots() {
    return SLOTS;
  }

  @Override
  protected boolean countsSteps() {
    return true;
  }

  @Override
  protected void checkGradient(Parameter p, TableGradient grad) {
    if (grad instanceof SparseGradient && config.weightDecay() != 0) {
      throw new IllegalArgumentException(
          "Adagrad's weight decay is not compatible with sparse gradients (parameter '" + p.name()
              + "'), as in PyTorch; set weightDecay(0) or build the table with sparse(false)");
    }
  }

  @Override
  protected void initSlots(RowStore[] slots) {
    if (config.initialAccumulatorValue() != 0) {
      fill(slots[0], (float) config.initialAccumulatorValue());
    }
  }

  @Override
  dev.emb4j.internal.kernel.RowRule kernelRule(long step, boolean fresh) {
    return new dev.emb4j.internal.kernel.RowRule.Adagrad(
        (float) -(learningRate() / (1 + (step - 1) * config.lrDecay())), (float) config.weightDecay(),
        (float) config.eps());
  }

  @Override
  protected RowRule rule(long step, boolean fresh) {
    return kernelRule(step, fresh)::apply;
  }
}
