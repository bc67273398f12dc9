package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.QuantizedRows;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;

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
   * Decodes the quantized rows of the positions {@code [from, to)} into consecutive float rows: {@code out[(outRow + i
   * - from) * D ..] = decode(q, ids[i])}, each value {@code fma(scale, q, bias)} as {@link QuantizedRows#decodeRow}
   * computes it. Reads ahead up to {@code ids.length}, past {@code to}.
   */
  void decodeRows(QuantizedRows q, long[] ids, int from, int to, float[] out, int outRow);

  /**
   * Decodes row {@code row} of the 16-bit memory {@code m}, whose elements are of {@code dtype}, into {@code dst[off ..
   * off + D)}: every value exactly ({@link DType#decode}).
   */
  void decodeRow(DType dtype, RowMemory m, long row, float[] dst, int off);

  /**
   * Writes {@code src[off .. off + D)} into row {@code row} of the 16-bit memory {@code m}, rounded stochastically
   * with {@code rounding}'s bits for that row (see {@link StochasticRounding}).
   */
  void encodeRow(StochasticRounding rounding, RowMemory m, long row, float[] src, int off);

  /**
   * Decodes the 16-bit rows of the positions {@code [from, to)} into consecutive float rows: {@code out[(outRow + i -
   * from) * D ..] = decode(m, ids[i])}, as {@link #decodeRow} decodes one row.
   */
  default void decodeRows(DType dtype, RowMemory m, long[] ids, int from, int to, float[] out, int outRow) {
    int d = m.dim();
    for (int i = from; i < to; i++) {
      decodeRow(dtype, m, ids[i], out, (outRow + i - from) * d);
    }
  }

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
   * {@link #poolSum} over a table whose rows are not float32 (16-bit or quantized), read where they lie and decoded
   * as they are summed, with the sums of the float32 kernels over the decoded rows, bit for bit; false (and nothing
   * written) when this kernel set has no such body for the table's dtype or width, and the caller then decodes the rows
   * first ({@link DecodedPooling}).
   */
  default boolean poolSumEncoded(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long paddingIdx, float[] out,
      int[] bagSizes) {
    return false;
  }

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
   * {@code dst[dstOffset .. dstOffset + dim) = value(order[from]) + ... + value(order[to - 1])}, added in that order
   * starting from zero, with {@code value(e)} entry e of {@code entries}.
   */
  void sumRows(GradientEntries entries, int dim, int[] order, int from, int to, float[] dst, int dstOffset);

  /**
   * For each entry e in {@code [0, count)}, in that order, whose row {@code u} is in {@code [from, to)}: {@code
   * sums[u * dim ..] += value(e)}. {@code rank[e]} is u, or {@code ~u} for the first entry of row u, which sets the
   * row to {@code 0 + value(e)} instead (the same float as adding it to a zeroed row), so {@code sums} need not be
   * zeroed first.
   */
  void accumulateRows(GradientEntries entries, int dim, int[] rank, int count, int from, int to, float[] sums);

  /**
   * Applies {@code rule} to row {@code row} of {@code w} and of each state slot, with the gradient {@code 0 +
   * grad[gradOffset .. gradOffset + D)}, times {@code scales[e]} when {@code scales != null}: a sum of one entry, as
   * {@link #sumRows} gives it (a sum from {@link #sumRows} is never -0, so the added zero leaves it unchanged). The
   * Vector API kernels read the gradient where it lies, so a row with one entry is updated straight from its source.
   */
  void updateRow(
      RowRule rule, RowMemory w, RowMemory[] slots, long row, float[] grad, int gradOffset, float[] scales, int e,
      StepScratch scratch);

  /**
   * The rows {@code [from, to)} of a sparse step: row u ({@code step.rows()[u]}) once, with {@link #updateRow}, its
   * gradient the sum of its entries as {@link #sumRows} adds them. A row with one entry is updated from that entry
   * where it lies. The rows with several entries are summed first, into consecutive D-float slots of {@code
   * scratch.sums()} (which must hold that many), so that no update waits on a sum just written: summing them inside
   * the update loop made the Adagrad step over 1e6 rows nearly twice as slow.
   */
  default void updateRows(SparseStep step, int from, int to, StepScratch scratch) {
    locateGradients(step, from, to, scratch);
    GradientEntries entries = step.entries();
    int[] gradAt = scratch.gradAt();
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      updateRow(step.rule(), step.w(), step.slots(), step.rows()[u], at >= 0 ? entries.src() : scratch.sums(),
          at >= 0 ? at : ~at, at >= 0 ? entries.scales() : null, step.order()[step.start()[u]], scratch);
    }
  }

  /**
   * The first part of {@link #updateRows}: for u in {@code [from, to)}, {@code scratch.gradAt()[u - from]} is the
   * offset in the entries' source of the row's one entry, or {@code ~offset} of its sum in {@code scratch.sums()},
   * which this writes for the rows with several entries.
   */
  default void locateGradients(SparseStep step, int from, int to, StepScratch scratch) {
    int d = step.w().dim();
    int[] start = step.start();
    int[] gradAt = scratch.gradAt();
    int m = 0;
    for (int u = from; u < to; u++) {
      int first = start[u];
      if (start[u + 1] - first == 1) {
        gradAt[u - from] = step.entries().offset(step.order()[first], d);
      } else {
        sumRows(step.entries(), d, step.order(), first, start[u + 1], scratch.sums(), m);
        gradAt[u - from] = ~m;
        m += d;
      }
    }
  }

  /**
   * Applies {@code rule}, which keeps no state, to row {@code ids[i]} of {@code w} for each i in turn, with the
   * gradient {@code 0 + grad[0 .. D) * scales[0]}: one update per entry, duplicates included.
   */
  default void updateEachRow(
      RowRule rule, RowMemory w, int[] ids, float[] grad, float[] scales, StochasticRounding rounding) {
    RowMemory[] noSlots = {};
    StepScratch scratch = StepScratch.of(w.dim(), noSlots, new float[0], 0, rounding);
    for (int id : ids) {
      updateRow(rule, w, noSlots, id, grad, 0, scales, 0, scratch);
    }
  }

  /** {@link #updateDenseRows(RowRule, RowStore, RowStore[], RowStore, StochasticRounding)} of a float32 parameter. */
  default void updateDenseRows(RowRule rule, RowStore w, RowStore[] slots, RowStore grad) {
    updateDenseRows(rule, w, slots, grad, null);
  }

  /**
   * Applies {@code rule} to every row of {@code w} and of each state slot, with that row of the dense gradient {@code
   * grad} as it is; a 16-bit parameter's rows are written back with {@code rounding} (null for float32). This
   * reference reads and writes each row through copies, so it serves every kind of store.
   */
  default void updateDenseRows(
      RowRule rule, RowStore w, RowStore[] slots, RowStore grad, StochasticRounding rounding) {
    RowCopies copies = new RowCopies(w, slots, rounding);
    float[] g = new float[w.dim()];
    for (long r = 0, n = w.rows(); r < n; r++) {
      grad.readRow(r, g, 0);
      copies.apply(rule, r, g);
    }
  }

  /** The dot product of {@code a[ao .. ao + len)} and {@code b[bo .. bo + len)}. */
  float dot(float[] a, int ao, float[] b, int bo, int len);

  /** {@code y[yo + j] += s * x[xo + j]} for j in {@code [0, len)} (a product, then a sum: no fused multiply-add). */
  void axpy(float s, float[] x, int xo, float[] y, int yo, int len);
}
