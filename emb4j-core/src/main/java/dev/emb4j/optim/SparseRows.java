package dev.emb4j.optim;

import dev.emb4j.internal.kernel.IdSort;
import java.util.Arrays;

/**
 * The entries of an uncoalesced sparse gradient grouped by row, without copying their values: the touched rows in
 * ascending order and, for each, the positions of its entries in input order.
 *
 * <pre>
 * row(u)      the u-th distinct row id, ascending
 * order[start[u] .. start[u + 1])   the entry positions of row(u), ascending (= input order)
 * </pre>
 *
 * <p>{@link #sumInto} adds a row's entries in input order starting from zero, so the sums are bit-identical to those
 * of {@link dev.emb4j.autograd.SparseGradient#coalesce()}; unlike it, nothing of size {@code nnz x D} is allocated.
 */
final class SparseRows {
  private final long[] rows;
  private final int[] start;
  private final int[] order;
  private final int size;

  private SparseRows(long[] rows, int[] start, int[] order, int size) {
    this.rows = rows;
    this.start = start;
    this.order = order;
    this.size = size;
  }

  /** Groups {@code indices} (each {@code >= 0}). */
  static SparseRows of(long[] indices) {
    return of(indices, false);
  }

  /** As {@link #of(long[])}; {@code forceMergeSort} exercises the path taken when row x nnz overflows a long. */
  static SparseRows of(long[] indices, boolean forceMergeSort) {
    IdSort.Groups g =
        forceMergeSort ? IdSort.groupsOf(indices, IdSort.stableMergeOrder(indices)) : IdSort.group(indices);
    return new SparseRows(g.rows(), g.start(), g.order(), g.count());
  }

  /** The distinct row ids, ascending, in {@code [0, size())} (the live array, for the fused kernels). */
  long[] rows() {
    return rows;
  }

  /** {@code start[u] .. start[u + 1]} are the positions in {@link #order()} of row u's entries (the live array). */
  int[] start() {
    return start;
  }

  /** Entry positions grouped by row (the live array). */
  int[] order() {
    return order;
  }

  /** Number of distinct rows. */
  int size() {
    return size;
  }

  /** The u-th distinct row id (ascending). */
  long row(int u) {
    return rows[u];
  }

  /** Number of entries of the u-th row. */
  int count(int u) {
    return start[u + 1] - start[u];
  }

  /** {@code dst = sum of the D-float value rows of the u-th row's entries}, added in input order from zero. */
  void sumInto(int u, float[] values, int dim, float[] dst) {
    Arrays.fill(dst, 0, dim, 0f);
    for (int k = start[u], end = start[u + 1]; k < end; k++) {
      int base = order[k] * dim;
      for (int j = 0; j < dim; j++) {
        dst[j] += values[base + j];
      }
    }
  }
}
