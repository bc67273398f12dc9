package dev.emb4j.autograd;

import dev.emb4j.tensor.FloatTensor;

/**
 * The gradient of a table's {@code (V, D)} weight, as accumulated by backward passes: either a full dense matrix or
 * the sparse list of touched rows.
 *
 * <p>Which one a table produces is its {@code sparse} option, as in PyTorch: dense by default, sparse (a COO list of
 * row ids and gradient rows, never a {@code V x D} allocation) when asked for.
 */
public sealed interface TableGradient permits DenseGradient, SparseGradient {

  /** V: rows of the weight this is the gradient of. */
  long rows();

  /** D: floats per row. */
  int dim();

  /** The gradient as a dense {@code (V, D)} tensor (for small tables and tests; allocates V x D floats). */
  FloatTensor toDense();
}
