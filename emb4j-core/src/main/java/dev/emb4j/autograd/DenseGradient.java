package dev.emb4j.autograd;

import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;

/**
 * A dense {@code V x D} weight gradient, accumulated in place by each backward pass until the table's gradient is
 * zeroed. The values live in a {@link RowStore}, so they may exceed 2^31 floats like the table itself.
 *
 * @param values the gradient rows (a live view: later backward passes add to it)
 */
public record DenseGradient(RowStore values) implements TableGradient {

  @Override
  public long rows() {
    return values.rows();
  }

  @Override
  public int dim() {
    return values.dim();
  }

  @Override
  public FloatTensor toDense() {
    return values.toTensor();
  }
}
