package dev.emb4j.autograd;

import dev.emb4j.kernel.IdSort;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.util.Arrays;

/**
 * A sparse weight gradient in coordinate (COO) form, as PyTorch's {@code sparse=True} embeddings produce: entry {@code
 * i} says "add {@code values[i]} to row {@code indices[i]}".
 *
 * <p>As in PyTorch the list is <em>uncoalesced</em>: entries keep the order of the input ids, a row may appear more
 * than once, and padding positions are left out. A second backward pass before the gradient is zeroed appends its
 * entries. {@link #coalesce()} gives the sorted, de-duplicated form an optimizer applies.
 *
 * @param rows V, the number of rows of the weight
 * @param dim D
 * @param indices the row id of each entry
 * @param values {@code (nnz, D)}: the gradient row of each entry
 */
public record SparseGradient(long rows, int dim, long[] indices, FloatTensor values) implements TableGradient {

  /** Checks that there is one value row per index. */
  public SparseGradient {
    if (values.shape().rank() != 2 || values.shape().dim(0) != indices.length || values.shape().dim(1) != dim) {
      throw new IllegalArgumentException(
          "values of shape " + values.shape() + " do not match " + indices.length + " indices of dim " + dim);
    }
  }

  /** An empty gradient (no rows touched). */
  public static SparseGradient empty(long rows, int dim) {
    return new SparseGradient(rows, dim, new long[0], FloatTensor.zeros(Shape.of(0, dim)));
  }

  /** Number of entries (duplicates counted). */
  public int nnz() {
    return indices.length;
  }

  /** This gradient followed by the entries of {@code more} (the effect of a second backward pass). */
  public SparseGradient concat(SparseGradient more) {
    if (more.rows != rows || more.dim != dim) {
      throw new IllegalArgumentException("cannot append a gradient of another table shape");
    }
    long[] idx = Arrays.copyOf(indices, indices.length + more.indices.length);
    System.arraycopy(more.indices, 0, idx, indices.length, more.indices.length);
    float[] vals = Arrays.copyOf(values.data(), values.numel() + more.values.numel());
    System.arraycopy(more.values.data(), 0, vals, values.numel(), more.values.numel());
    return new SparseGradient(rows, dim, idx, FloatTensor.wrap(Shape.of(idx.length, dim), vals));
  }

  /**
   * The same gradient with each row once: indices ascending, the values of duplicate entries summed in their original
   * order.
   */
  public SparseGradient coalesce() {
    int n = indices.length;
    int[] order = IdSort.stableOrder(indices); // stable: duplicates keep input order
    long[] outIdx = new long[n];
    float[] outVals = new float[n * dim];
    float[] src = values.data();
    int u = -1;
    for (int k = 0; k < n; k++) {
      int i = order[k];
      if (u < 0 || outIdx[u] != indices[i]) {
        u++;
        outIdx[u] = indices[i];
      }
      for (int j = 0; j < dim; j++) {
        outVals[u * dim + j] += src[i * dim + j];
      }
    }
    int unique = u + 1;
    return new SparseGradient(
        rows,
        dim,
        Arrays.copyOf(outIdx, unique),
        FloatTensor.wrap(Shape.of(unique, dim), Arrays.copyOf(outVals, unique * dim)));
  }

  @Override
  public FloatTensor toDense() {
    long n = rows * dim;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("a " + rows + " x " + dim + " dense gradient does not fit one Java array");
    }
    float[] out = new float[(int) n];
    float[] src = values.data();
    for (int i = 0; i < indices.length; i++) {
      int base = (int) (indices[i] * dim);
      for (int j = 0; j < dim; j++) {
        out[base + j] += src[i * dim + j];
      }
    }
    return FloatTensor.wrap(Shape.of((int) rows, dim), out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparseGradient s
        && rows == s.rows
        && dim == s.dim
        && Arrays.equals(indices, s.indices)
        && values.equals(s.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(indices) + values.hashCode();
  }

  @Override
  public String toString() {
    return "SparseGradient(" + rows + " x " + dim + ", nnz=" + indices.length + ", indices="
        + Arrays.toString(Arrays.copyOf(indices, Math.min(indices.length, 16))) + (indices.length > 16 ? "...)" : ")");
  }
}
