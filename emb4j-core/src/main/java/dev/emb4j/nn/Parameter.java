package dev.emb4j.nn;

import dev.emb4j.autograd.TableGradient;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.Shape;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A learnable matrix of {@code rows x dim} floats and the gradient accumulated for it: what an optimizer updates and
 * a checkpoint saves.
 *
 * <p>Every parameter looks the same to an optimizer: its values are a {@link RowStore} and its gradient a {@link
 * TableGradient}, dense ({@link dev.emb4j.autograd.DenseGradient}) or sparse ({@link
 * dev.emb4j.autograd.SparseGradient}, touched rows only). A {@link Linear} weight is a {@code (out, in)} parameter, a
 * bias a {@code (1, out)} one, and an embedding table a {@code (V, D)} one.
 */
public interface Parameter {

  /** A name unique within its model, such as {@code "fc1.weight"}; used by checkpoints. */
  String name();

  /** The values (a live view: optimizers write here). */
  RowStore value();

  /** The gradient accumulated since the last {@link #zeroGrad()}, if a backward pass reached this parameter. */
  Optional<TableGradient> grad();

  /** Forgets the accumulated gradient. */
  void zeroGrad();

  /** False for a frozen parameter: it never has a gradient and optimizers skip it. */
  boolean requiresGrad();

  /**
   * Asks to be told of rows that the layer itself writes in place, outside optimizer steps: an {@link Embedding} or
   * {@link EmbeddingBag} with {@code maxNorm} renormalises the rows a lookup reads (in eval mode too). {@code
   * listener} receives the rows of each such write, ascending, before it happens; it may run on any thread that looks
   * up. An optimizer that tracks changed rows ({@code Optimizer.trackChangedRows}) listens, so that a delta
   * checkpoint writes those rows too. Parameters that never write themselves ignore it.
   *
   * @param listener told the rows of each write
   */
  default void onRowsWritten(Consumer<long[]> listener) {}

  /**
   * The rows whose values were replaced outside an optimizer's step since the last call, each once (the set is then
   * emptied): a {@link DynamicEmbeddingBag} row given to a new id, or a changed record of its id map. An {@link
   * dev.emb4j.optim.Optimizer} takes them at its next step, resets the same rows of its state to their initial values
   * (so a new id inherits nothing of the row's previous owner) and records them as changed rows for delta checkpoints.
   * Default: none.
   *
   * @return the rows, ascending or not; empty if none
   */
  default long[] takeReplacedRows() {
    return new long[0];
  }

  /**
   * Whether this parameter can grow to {@code rows} rows (more than it has, with the same columns), so that a restore
   * can write a saved value of that many rows into it: the weight and id map of a {@link DynamicEmbeddingBag} built
   * with {@link DynamicEmbeddingBag.Builder#growth growth}, up to its maximum capacity. {@code Checkpoint}, {@code
   * DeltaCheckpointer} and {@link Model#loadStateDict} ask, and call {@link #growTo} once everything else fits.
   * Default: false.
   */
  default boolean canGrowTo(long rows) {
    return false;
  }

  /**
   * Grows this parameter to {@code rows} rows, as its layer grows when it needs more rows: the rows it has keep their
   * values (and their numbers). An {@link dev.emb4j.optim.Optimizer} follows at its next call: existing rows keep their
   * state, new ones start at its initial values.
   *
   * @throws IllegalArgumentException unless {@link #canGrowTo canGrowTo(rows)}; nothing changes then
   */
  default void growTo(long rows) {
    throw new IllegalArgumentException(name() + " (" + value().rows() + " rows) cannot grow to " + rows + " rows");
  }

  /**
   * The shape PyTorch gives this parameter, used by state dicts: {@code (rows, dim)} unless the parameter says
   * otherwise (a {@link Linear} bias is {@code [out]}).
   *
   * @throws ArithmeticException for a table of more than 2<sup>31</sup> - 1 rows, which has no {@link Shape}
   */
  default Shape shape() {
    return Shape.of(Math.toIntExact(value().rows()), value().dim());
  }
}
