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
   * The shape PyTorch gives this parameter, used by state dicts: {@code (rows, dim)} unless the parameter says
   * otherwise (a {@link Linear} bias is {@code [out]}).
   *
   * @throws ArithmeticException for a table of more than 2<sup>31</sup> - 1 rows, which has no {@link Shape}
   */
  default Shape shape() {
    return Shape.of(Math.toIntExact(value().rows()), value().dim());
  }
}
