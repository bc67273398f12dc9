package dev.emb4j.optim;

import dev.emb4j.autograd.TableGradient;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.RowStore;
import java.util.List;

/**
 * Row-wise Adagrad, as FBGEMM's {@code rowwise_adagrad} and TorchRec's {@code RowWiseAdagrad}: one accumulator per
 * row instead of one per element, so the state is {@code V x 1} floats (4 bytes per row) rather than {@code V x D}.
 * For each updated row {@code r}:
 *
 * <pre>
 * d_r     = g_r + weightDecay * w_r
 * sum[r] += mean_j(d_r[j]^2)
 * w_r    -= lr * d_r / (sqrt(sum[r]) + eps)
 * </pre>
 *
 * <p>The mean of squares is accumulated in double. State: {@code sum}, a {@code (rows x 1)} slot starting at {@code
 * initialAccumulatorValue}; no step count. A sparse gradient updates the touched rows only (weight decay included);
 * a dense one updates every row.
 */
public final class RowWiseAdagrad extends Optimizer {
  private static final List<Slot> SLOTS = List.of(new Slot("sum", true));

  /**
   * Row-wise Adagrad's hyper-parameters, checked when created: {@code lr > 0}, {@code weightDecay >= 0}, {@code
   * initialAccumulatorValue >= 0}, {@code eps > 0}.
   *
   * @param lr learning rate
   * @param weightDecay L2 penalty added to the gradient of each updated row
   * @param initialAccumulatorValue the starting value of each row's accumulator
   * @param eps added to the denominator
   */
  public record Config(double lr, double weightDecay, double initialAccumulatorValue, double eps) {
    /** Checks the values. */
    public Config {
      check("lr", lr, 0, true);
      check("weightDecay", weightDecay, 0, false);
      check("initialAccumulatorValue", initialAccumulatorValue, 0, false);
      check("eps", eps, 0, true);
    }

    /** Defaults with learning rate {@code lr}. */
    public static Config of(double lr) {
      return builder().lr(lr).build();
    }

    /** A builder with TorchRec's defaults: lr 0.01, weightDecay 0, initialAccumulatorValue 0, eps 1e-10. */
    public static Builder builder() {
      return new Builder();
    }
  }

  /** Builds a {@link Config}; every value is checked by {@link #build()}. */
  public static final class Builder {
    private double lr = 1e-2;
    private double weightDecay;
    private double initialAccumulatorValue;
    private double eps = 1e-10;

    private Builder() {}

    /** The learning rate (default 0.01). */
    public Builder lr(double lr) {
      this.lr = lr;
      return this;
    }

    /** The L2 weight decay (default 0). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** The initial value of each row's accumulator (default 0). */
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
      return new Config(lr, weightDecay, initialAccumulatorValue, eps);
    }
  }

  private final Config config;

  /** Row-wise Adagrad over {@code parameters}, starting at {@code config.lr()}. */
  public RowWiseAdagrad(List<? extends Parameter> parameters, Config config) {
    super(parameters, config.lr());
    this.config = config;
  }

  /** The hyper-parameters (the learning rate is the initial one; see {@link #learningRate()}). */
  public Config config() {
    return config;
  }

  /** {@code "RowWiseAdagrad"}. */
  @Override
  public String kind() {
    return "RowWiseAdagrad";
  }

  @Override
  protected List<Slot> slots() {
    return SLOTS;
  }

  @Override
  protected boolean countsSteps() {
    return false;
  }

  @Override
  protected void checkGradient(Parameter p, TableGradient grad) {
    // dense and sparse gradients are both supported
  }

  @Override
  protected void initSlots(RowStore[] slots) {
    if (config.initialAccumulatorValue() != 0) {
      fill(slots[0], (float) config.initialAccumulatorValue());
    }
  }

  @Override
  dev.emb4j.internal.kernel.RowRule kernelRule(long step, boolean fresh) {
    return new dev.emb4j.internal.kernel.RowRule.RowWiseAdagrad(
        learningRate(), (float) config.weightDecay(), config.eps());
  }

  @Override
  protected RowRule rule(long step, boolean fresh) {
    return kernelRule(step, fresh)::apply;
  }
}
