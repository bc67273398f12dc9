package dev.emb4j.cluster;

import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.Sgd;
import dev.emb4j.optim.SparseAdam;
import java.util.List;
import java.util.Objects;

/**
 * Which optimizer a push applies at the owner of a block, and at which learning rate: what travels with every push
 * instead of the optimizer itself. The owner builds the optimizer from it (over no parameters) and applies {@link
 * Optimizer#rowRule} to the pushed rows and the block's state rows, so the rule is the core's own. Hyper-parameters
 * other than the learning rate are PyTorch's defaults.
 *
 * @param kind the optimizer
 * @param lr the learning rate of this step (a schedule changes it from step to step)
 */
public record OptimizerSpec(Kind kind, double lr) {

  /** The optimizers a sharded table can apply at the owner. */
  public enum Kind {
    /** {@link Sgd} without momentum: no state. */
    SGD,
    /** {@link Adagrad}: one {@code sum} row beside each row. */
    ADAGRAD,
    /** {@link SparseAdam}: {@code exp_avg} and {@code exp_avg_sq} rows beside each row. */
    SPARSE_ADAM
  }

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if {@code lr} is negative or not finite
   */
  public OptimizerSpec {
    Objects.requireNonNull(kind, "kind");
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
    }
  }

  /**
   * The optimizer, over no parameters: only its rule, slots and initial state are used.
   *
   * @return a new optimizer
   */
  public Optimizer build() {
    return switch (kind) {
      case SGD -> new Sgd(List.of(), Sgd.Config.of(lr));
      case ADAGRAD -> new Adagrad(List.of(), Adagrad.Config.of(lr));
      case SPARSE_ADAM -> new SparseAdam(List.of(), SparseAdam.Config.of(lr));
    };
  }
}
