package dev.emb4j.optim;

/**
 * How one step of an {@link Optimizer} updates one parameter row and its state rows, with the step's constants
 * already computed: what a user optimizer provides ({@link Optimizer#rule}). The optimizer applies it to every row of
 * a dense gradient and to each touched row of a sparse one, whose entries it sums first.
 *
 * <p>A sparse step splits its rows over the kernel threads, so a rule may run on several threads at once (each on
 * other rows): keep it free of mutable shared state, as a lambda over the step's constants is.
 *
 * <p>The library's optimizers define their rules the same way, in the kernels, where each also has a Vector API
 * twin tested bit for bit against it.
 */
@FunctionalInterface
public interface RowRule {

  /**
   * Updates {@code w} (one row, D floats) in place from {@code g} (its gradient, D floats, which the rule may
   * overwrite) and the row's state {@code state[k]}, one array per {@link Optimizer#slots() slot} in that order (D
   * floats, or 1 for a per-row slot), also in place. The arrays are scratch copies: keep no reference to them.
   */
  void apply(float[] w, float[] g, float[][] state);
}
