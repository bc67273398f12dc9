package dev.emb4j.kernel;

import dev.emb4j.store.RowMemory;
import dev.emb4j.store.RowStore;
import java.lang.foreign.ValueLayout;

/**
 * The row kernels behind {@link Kernels}, one implementation per instruction set: {@link ScalarKernels} (the
 * reference) and {@link PanamaKernels} (the Vector API). Arguments are valid by contract: {@link Kernels} and the
 * tables check them at the public boundary, implementations only assert.
 *
 * <p>Bags are given in CSR form: bag {@code b} covers positions {@code [bagStarts[b], bagStarts[b + 1])} of {@code
 * ids}. A {@code paddingIdx} of {@code -1} means "no padding row". Methods that take a range {@code [from, to)} do
 * that part of the work only and write only the outputs of that part, so that {@link Kernels} can run ranges on
 * different threads.
 */
interface KernelSupport {

  /**
   * How many positions ahead a kernel loads one float of a row it will need (FBGEMM's prefetch distance), so that the
   * row is on its way from memory when its turn comes: Java has no prefetch instruction.
   */
  int READ_AHEAD = 16;

  /** {@code out[i * D .. (i + 1) * D) = W[ids[i]]} for i in {@code [from, to)}. */
  void gatherRows(RowStore w, long[] ids, int from, int to, float[] out);

  /**
   * For each bag b in {@code [bagFrom, bagTo)}: {@code out[b] = sum of psw[i] * W[ids[i]]} over the non-padding
   * positions i of bag b ({@code psw == null} means weight 1), added in position order; {@code bagSizes[b]} receives
   * the number of those positions. Every value of those bags' rows of {@code out} is written (an empty bag gives
   * zeros), whatever {@code out} held before.
   */
  void poolSum(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long paddingIdx, float[] out,
      int[] bagSizes);

  /**
   * Element-wise maximum over the non-padding positions of each bag in {@code [bagFrom, bagTo)}; the first such
   * position seeds the maximum and a later value replaces it only when strictly greater (ties and a NaN after the
   * first keep the earlier value). {@code maxIndices[b * D + d]} receives the row id of the winner, or -1 for an empty
   * bag, whose output stays zero.
   */
  void poolMax(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, long paddingIdx, float[] out,
      long[] maxIndices, int[] bagSizes);

  /** The p-norm of {@code row[off .. off + len)} with PyTorch's {@code torch.norm} conventions, in double. */
  double norm(float[] row, int off, int len, double p);

  /** {@code target[ids[i]] += scales[i] * src[srcRows[i] * D ..]} for every i whose id is not padding. */
  void scatterAddRows(RowStore target, long[] ids, float[] src, int[] srcRows, float[] scales, long paddingIdx);

  /** {@code target[maxIndices[b * D + d], d] += grad[b * D + d]} for every non-empty bag b and column d. */
  void scatterMaxGrad(RowStore target, long[] maxIndices, int[] bagSizes, float[] grad);

  /**
   * For u in {@code [from, to)}, with {@code p = positions == null ? u : positions[u]}: {@code dst[u * dim ..] =
   * src[srcRows[p] * dim ..]}, times {@code scales[p]} when {@code scales != null}.
   */
  void copyRows(float[] src, int dim, int[] srcRows, float[] scales, int[] positions, int from, int to, float[] dst);

  /**
   * {@code dst[0 .. dim) = value(order[from]) + ... + value(order[to - 1])}, added in that order starting from zero,
   * where {@code value(e)} is the row {@code src[r * dim ..]} with {@code r = srcRows == null ? e : srcRows[e]}, times
   * {@code scales[e]} when {@code scales != null} (a product, then the sum).
   */
  void sumRows(float[] src, int[] srcRows, float[] scales, int dim, int[] order, int from, int to, float[] dst);

  /**
   * For each entry e in {@code [0, entries)}, in that order, whose row {@code u} is in {@code [from, to)}: {@code
   * sums[u * dim ..] += value(e)}, with {@code value(e)} as in {@link #sumRows}. {@code rank[e]} is u, or {@code ~u}
   * for the first entry of row u, which sets the row to {@code 0 + value(e)} instead (the same float as adding it to
   * a zeroed row), so {@code sums} need not be zeroed first.
   */
  void accumulateRows(
      float[] src, int[] srcRows, float[] scales, int dim, int[] rank, int entries, int from, int to, float[] sums);

  /**
   * Loads one float of every cache line of the rows {@code rows[from .. to)} of {@code w} and of each slot, the
   * index of each one's first gradient entry ({@code order[start[u]]}, and through {@code srcRows} when not null)
   * and, when {@code src} is not null, a float of every line of that entry's source row, and returns their sum. A
   * sparse update calls it on a batch of rows before updating them: the loads are independent of each other, so the
   * batch's cache misses are all in flight at once (loads one row ahead inside the update loop wait in turn, as a
   * load that misses holds up everything after it). The index loads alone saved 5 % of an Adagrad step over 1e6 rows,
   * as the chain start, order, srcRows otherwise waits on the cache once per row in the update loop; the source rows
   * of a (B, D) gradient that stays in cache are better not touched (about 10 % slower).
   */
  default float touchRows(
      RowMemory w, RowMemory[] slots, long[] rows, int from, int to, float[] src, int[] srcRows, int[] start,
      int[] order) {
    int d = w.dim();
    float touched = 0;
    for (int u = from; u < to; u++) {
      long row = rows[u];
      touched += touchRow(w, row);
      for (RowMemory slot : slots) {
        touched += touchRow(slot, row);
      }
      int e = order[start[u]];
      int r = srcRows == null ? e : srcRows[e];
      if (src != null) {
        for (int j = 0, q = r * d; j < d; j += FLOATS_PER_LINE) {
          touched += src[q + j];
        }
      } else {
        touched += r;
      }
    }
    return touched;
  }

  /** Floats per 64-byte cache line. */
  int FLOATS_PER_LINE = 16;

  private static float touchRow(RowMemory m, long row) {
    int d = m.dim();
    float touched = 0;
    if (m.isHeap()) {
      float[] a = m.array(row);
      int p = m.index(row);
      for (int j = 0; j < d; j += FLOATS_PER_LINE) {
        touched += a[p + j];
      }
    } else {
      java.lang.foreign.MemorySegment seg = m.segment(row);
      long off = m.offset(row);
      for (int j = 0; j < d; j += FLOATS_PER_LINE) {
        touched += seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, off + (long) j * Float.BYTES);
      }
    }
    return touched;
  }

  /**
   * Applies {@code rule} to row {@code row} of {@code w} and of each state slot, with the row's gradient {@code g}.
   * {@code rowCopy} (at least D floats, overwritten) holds an off-heap row while it is updated: one buffer per
   * thread, so that a step over many rows does not allocate one per row.
   */
  void applyRule(RowRule rule, RowMemory w, RowMemory[] slots, long row, float[] g, float[] rowCopy);

  /** The dot product of {@code a[ao .. ao + len)} and {@code b[bo .. bo + len)}. */
  float dot(float[] a, int ao, float[] b, int bo, int len);

  /** {@code y[yo + j] += s * x[xo + j]} for j in {@code [0, len)} (a product, then a sum: no fused multiply-add). */
  void axpy(float s, float[] x, int xo, float[] y, int yo, int len);
}
