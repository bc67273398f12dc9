package dev.emb4j.task;

import dev.emb4j.nn.Parameter;
import dev.emb4j.store.RowStore;
import java.util.List;
import java.util.Optional;

/**
 * Training diverged: the loss or a weight became NaN or infinite, almost always because the learning rate is too
 * high (or the data holds extreme values). Thrown by the trainers as soon as it is seen, so that no such model is
 * ever returned; the message names the epoch, where in it the problem showed and the learning rate, e.g. {@code
 * "training diverged in epoch 1 of 3, at step 12 of 625: the loss is NaN; try a learning rate below 100.0"}.
 */
public final class TrainingDivergedException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  /** The 1-based epoch in which divergence was seen. */
  private final int epoch;

  /**
   * Divergence seen in {@code epoch} of {@code epochs}.
   *
   * @param epoch the 1-based epoch
   * @param epochs the epochs of the run
   * @param where where in the epoch, e.g. {@code "at step 12 of 625"}, or empty
   * @param problem what is not finite, e.g. {@code "the loss is NaN"}
   * @param learningRate the run's initial learning rate
   */
  public TrainingDivergedException(int epoch, int epochs, String where, String problem, double learningRate) {
    super(
        "training diverged in epoch " + epoch + " of " + epochs + (where.isEmpty() ? "" : ", " + where) + ": "
            + problem + "; try a learning rate below " + learningRate);
    this.epoch = epoch;
  }

  /** The 1-based epoch in which divergence was seen. */
  public int epoch() {
    return epoch;
  }

  /**
   * The first parameter value that is NaN or infinite, described for a message (e.g. {@code "the weight
   * user.weight[12, 3] is NaN"}), or empty when all are finite. Reads every value once.
   *
   * @param parameters the model's parameters
   * @return the description, or empty
   */
  public static Optional<String> firstNonFiniteWeight(List<? extends Parameter> parameters) {
    for (Parameter p : parameters) {
      RowStore values = p.value();
      float[] row = new float[values.dim()];
      for (long r = 0; r < values.rows(); r++) {
        values.readRow(r, row, 0);
        for (int c = 0; c < row.length; c++) {
          if (!Float.isFinite(row[c])) {
            return Optional.of("the weight " + p.name() + "[" + r + ", " + c + "] is " + row[c]);
          }
        }
      }
    }
    return Optional.empty();
  }
}
