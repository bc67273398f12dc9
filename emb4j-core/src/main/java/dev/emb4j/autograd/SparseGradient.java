package dev.emb4j.autograd;

import dev.emb4j.internal.kernel.IdRange;
import dev.emb4j.internal.kernel.IdSort;
import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.util.Arrays;
import java.util.Objects;

/**
 * A sparse weight gradient in coordinate (COO) form, as PyTorch's {@code sparse=True} embeddings produce: entry {@code
 * i} says "add {@code values[i]} to row {@code indices[i]}".
 *
 * <p>As in PyTorch the list is <em>uncoalesced</em>: entries keep the order of the input ids, a row may appear more
 * than once, and padding positions are left out. A second backward pass before the gradient is zeroed appends its
 * entries. {@link #coalesce()} gives the sorted, de-duplicated form an optimizer applies.
 *
 * <p>A backward pass does not copy its gradient rows: it makes the gradient with {@link #ofRows}, whose entries refer
 * to rows of the output gradient it was given (entry i is row {@code sourceRows[i]} of it, times {@code scales[i]}),
 * and an optimizer reads them from there. {@link #values()} copies them into one {@code (nnz, D)} tensor on first
 * use. So the arrays given to {@link #ofRows} must not change while the gradient is in use.
 */
public final class SparseGradient implements TableGradient {
  private final long rows;
  private final int dim;
  private final long[] indices;
  private final EntryRows entryRows;
  private FloatTensor values;

  /**
   * Where the value rows of a gradient's entries live, without a copy: entry i is {@code source[r * dim .. (r + 1) *
   * dim)} with {@code r = sourceRows == null ? i : sourceRows[i]}, multiplied by {@code scales[i]} when {@code scales}
   * is not null (a float32 product per element).
   *
   * @param source the rows the entries refer to
   * @param sourceRows the row of {@code source} of each entry, or null for entry i = row i
   * @param scales the factor of each entry, or null for none
   */
  public record EntryRows(float[] source, int[] sourceRows, float[] scales) {
    /** Requires a source. */
    public EntryRows {
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * A gradient whose entry i adds {@code values[i, :]} to row {@code indices[i]}.
   *
   * @throws IllegalArgumentException unless {@code values} has shape {@code (indices.length, dim)}
   */
  public SparseGradient(long rows, int dim, long[] indices, FloatTensor values) {
    if (values.shape().rank() != 2 || values.shape().dim(0) != indices.length || values.shape().dim(1) != dim) {
      throw new IllegalArgumentException(
          "values of shape " + values.shape() + " do not match " + indices.length + " indices of dim " + dim);
    }
    this.rows = rows;
    this.dim = dim;
    this.indices = indices;
    this.values = values;
    this.entryRows = new EntryRows(values.data(), null, null);
  }

  private SparseGradient(long rows, int dim, long[] indices, EntryRows entryRows) {
    this.rows = rows;
    this.dim = dim;
    this.indices = indices;
    this.entryRows = entryRows;
  }

  /**
   * A gradient whose entry i adds row {@code sourceRows[i]} of {@code source} (row i when {@code sourceRows} is null),
   * times {@code scales[i]} (1 when {@code scales} is null), to row {@code indices[i]}: the form a backward pass makes
   * without copying a row. The arrays are kept, not copied.
   *
   * @throws IllegalArgumentException if {@code sourceRows} or {@code scales} do not have one entry per index, or a
   *     source row is outside {@code source}
   */
  public static SparseGradient ofRows(
      long rows, int dim, long[] indices, float[] source, int[] sourceRows, float[] scales) {
    int n = indices.length;
    if (sourceRows != null && sourceRows.length != n) {
      throw new IllegalArgumentException(n + " indices need as many source rows, got " + sourceRows.length);
    }
    if (scales != null && scales.length != n) {
      throw new IllegalArgumentException(n + " indices need as many scales, got " + scales.length);
    }
    long sourceRowCount = dim == 0 ? Long.MAX_VALUE : source.length / dim;
    if (sourceRows == null) {
      if (n > sourceRowCount) {
        throw new IllegalArgumentException(
            n + " entries need " + n + " source rows of " + dim + " floats, but the source has " + sourceRowCount);
      }
    } else if (!IdRange.allWithin(sourceRows, sourceRowCount)) {
      for (int i = 0; i < n; i++) {
        if (sourceRows[i] < 0 || sourceRows[i] >= sourceRowCount) {
          throw new IllegalArgumentException(
              "source row " + sourceRows[i] + " of entry " + i + " is outside the " + sourceRowCount
                  + " rows of the source");
        }
      }
    }
    return new SparseGradient(rows, dim, indices, new EntryRows(source, sourceRows, scales));
  }

  /** An empty gradient (no rows touched). */
  public static SparseGradient empty(long rows, int dim) {
    return new SparseGradient(rows, dim, new long[0], FloatTensor.zeros(Shape.of(0, dim)));
  }

  /** V, the number of rows of the weight. */
  @Override
  public long rows() {
    return rows;
  }

  /** D. */
  @Override
  public int dim() {
    return dim;
  }

  /** The row id of each entry (the live array). */
  public long[] indices() {
    return indices;
  }

  /** Where each entry's value row lives, for kernels that read the rows without a copy. */
  public EntryRows entryRows() {
    return entryRows;
  }

  /** {@code (nnz, D)}: the value row of each entry, copied out of the backward pass's gradient on first use. */
  public FloatTensor values() {
    if (values == null) {
      int n = indices.length;
      long total = (long) n * dim;
      if (total > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException(n + " gradient rows of " + dim + " floats exceed one Java array");
      }
      int[] srcRows = entryRows.sourceRows();
      if (srcRows == null) {
        srcRows = new int[n];
        Arrays.setAll(srcRows, i -> i);
      }
      float[] out = Kernels.copyRows(entryRows.source(), dim, srcRows, entryRows.scales(), null, n);
      values = FloatTensor.wrap(Shape.of(n, dim), out);
    }
    return values;
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
    float[] vals = Arrays.copyOf(values().data(), values().numel() + more.values().numel());
    System.arraycopy(more.values().data(), 0, vals, values().numel(), more.values().numel());
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
    float[] src = values().data();
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
    float[] src = values().data();
    for (int i = 0; i < indices.length; i++) {
      int base = (int) (indices[i] * dim);
      for (int j = 0; j < dim; j++) {
        out[base + j] += src[i * dim + j];
      }
    }
    return FloatTensor.wrap(Shape.of((int) rows, dim), out);
  }

  /** Equal when the shape, the indices and the value rows (as {@link #values()}) are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SparseGradient s
        && rows == s.rows
        && dim == s.dim
        && Arrays.equals(indices, s.indices)
        && values().equals(s.values());
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(indices) + values().hashCode();
  }

  @Override
  public String toString() {
    return "SparseGradient(" + rows + " x " + dim + ", nnz=" + indices.length + ", indices="
        + Arrays.toString(Arrays.copyOf(indices, Math.min(indices.length, 16))) + (indices.length > 16 ? "...)" : ")");
  }
}
