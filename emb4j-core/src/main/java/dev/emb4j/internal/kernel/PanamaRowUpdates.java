package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.FLOAT;
import static dev.emb4j.internal.kernel.PanamaVectors.rowIndex;
import static dev.emb4j.internal.kernel.PanamaVectors.rowShift;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.RowStore;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Optimizer steps with the Vector API: the loops that walk the rows of a sparse or dense step and call the rule's
 * twin in {@link PanamaRowRules} on each. Rules without a twin, and memory the loops do not handle, go to the scalar
 * reference ({@link KernelSupport}'s default loops and {@link ScalarKernels#updateRow}).
 */
final class PanamaRowUpdates {
  private PanamaRowUpdates() {}

  private static final ScalarKernels SCALAR = new ScalarKernels();

  /** The sparse step's sign of zero: the gradient of a touched row is a sum started from {@code +0f}. */
  private static final float SUM = 0f;

  /** A dense gradient is used as it is: {@code -0f + x == x} for every float. */
  private static final float AS_IS = -0f;

  /**
   * {@link KernelSupport#updateRows} with the arrays and row offsets resolved once for all rows when the state is in
   * single heap arrays and the parameter in one heap array or one off-heap segment (otherwise row by row through
   * {@link #updateRow}). Resolving them per row made the memory-bound Adagrad step over 1e6 rows about 10 % slower:
   * it gets fewer rows' loads in flight when each row carries more instructions.
   */
  static void updateRows(KernelSupport self, SparseStep step, int from, int to, StepScratch scratch) {
    RowRule rule = step.rule();
    RowMemory w = step.w();
    RowMemory[] slots = step.slots();
    float[] wa = w.singleArray();
    MemorySegment ws = w.isHeap() ? null : w.single();
    boolean singleSlots = true;
    for (RowMemory slot : slots) {
      singleSlots &= slot.singleArray() != null;
    }
    if ((wa == null && ws == null) || step.rounding() != null || !singleSlots || !PanamaRowRules.hasTwin(rule)) {
      self.locateGradients(step, from, to, scratch);
      rowByRow(self, step, from, to, scratch);
      return;
    }
    self.locateGradients(step, from, to, scratch);
    if (wa == null) {
      offHeapRows(step, from, to, scratch);
      return;
    }
    // a loop per rule, each in a method of its own that calls its rule's body: with one loop for all, whichever rule
    // ran second in a JVM stayed slower, its loop compiled for both
    switch (rule) {
      case RowRule.Sgd r -> sgdRows(r, step, from, to, scratch);
      case RowRule.Adagrad r -> adagradRows(r, step, from, to, scratch);
      case RowRule.RowWiseAdagrad r -> rowWiseAdagradRows(r, step, from, to, scratch);
      case RowRule.SparseAdam r -> sparseAdamRows(r, step, from, to, scratch);
      default -> heapRows(step, from, to, scratch);
    }
  }

  /** The loop of {@link KernelSupport#updateRows} (its gradients already located), a row at a time. */
  private static void rowByRow(KernelSupport self, SparseStep step, int from, int to, StepScratch scratch) {
    int[] gradAt = scratch.gradAt();
    GradientEntries entries = step.entries();
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      self.updateRow(step.rule(), step.w(), step.slots(), step.rows()[u], at >= 0 ? entries.src() : scratch.sums(),
          at >= 0 ? at : ~at, at >= 0 ? entries.scales() : null, step.order()[step.start()[u]], scratch);
    }
  }

  /*
   * The loops over a parameter in one heap array, one per rule. Row u's gradient is the entry at gradAt[u - from] in
   * the entries' source (with its scale), or at ~gradAt[u - from] in the sums when negative (a sum of several).
   */

  private static void sgdRows(RowRule.Sgd r, SparseStep step, int from, int to, StepScratch scratch) {
    RowMemory w = step.w();
    float[] wa = w.singleArray();
    int d = w.dim();
    int wl = w.lead();
    int shift = rowShift(d);
    long[] rows = step.rows();
    int[] start = step.start();
    int[] order = step.order();
    float[] src = step.entries().src();
    float[] scales = step.entries().scales();
    float[] sums = scratch.sums();
    int[] gradAt = scratch.gradAt();
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      int e = scales == null ? 0 : order[start[u]];
      PanamaRowRules.sgd(wa, rowIndex(rows[u], wl, shift, d), at >= 0 ? src : sums, at >= 0 ? at : ~at,
          at >= 0 ? scales : null, e, SUM, d, r);
    }
  }

  private static void adagradRows(RowRule.Adagrad r, SparseStep step, int from, int to, StepScratch scratch) {
    RowMemory w = step.w();
    RowMemory sum = step.slots()[0];
    float[] wa = w.singleArray();
    float[] sa = sum.singleArray();
    int d = w.dim();
    int wl = w.lead();
    int sl = sum.lead();
    int shift = rowShift(d);
    long[] rows = step.rows();
    int[] start = step.start();
    int[] order = step.order();
    float[] src = step.entries().src();
    float[] scales = step.entries().scales();
    float[] sums = scratch.sums();
    int[] gradAt = scratch.gradAt();
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      int e = scales == null ? 0 : order[start[u]];
      long row = rows[u];
      PanamaRowRules.adagrad(wa, rowIndex(row, wl, shift, d), sa, rowIndex(row, sl, shift, d), at >= 0 ? src : sums,
          at >= 0 ? at : ~at, at >= 0 ? scales : null, e, SUM, d, r);
    }
  }

  /** As {@link #adagradRows}, with one float of state per row. */
  private static void rowWiseAdagradRows(
      RowRule.RowWiseAdagrad r, SparseStep step, int from, int to, StepScratch scratch) {
    RowMemory w = step.w();
    RowMemory sum = step.slots()[0];
    float[] wa = w.singleArray();
    float[] sa = sum.singleArray();
    int d = w.dim();
    int wl = w.lead();
    int sl = sum.lead();
    int shift = rowShift(d);
    long[] rows = step.rows();
    int[] start = step.start();
    int[] order = step.order();
    float[] src = step.entries().src();
    float[] scales = step.entries().scales();
    float[] sums = scratch.sums();
    int[] gradAt = scratch.gradAt();
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      int e = scales == null ? 0 : order[start[u]];
      long row = rows[u];
      PanamaRowRules.rowWiseAdagrad(wa, rowIndex(row, wl, shift, d), sa, rowIndex(row, sl, 0, 1),
          at >= 0 ? src : sums, at >= 0 ? at : ~at, at >= 0 ? scales : null, e, SUM, d, r);
    }
  }

  private static void sparseAdamRows(RowRule.SparseAdam r, SparseStep step, int from, int to, StepScratch scratch) {
    RowMemory w = step.w();
    RowMemory m = step.slots()[0];
    RowMemory v = step.slots()[1];
    float[] wa = w.singleArray();
    float[] ma = m.singleArray();
    float[] va = v.singleArray();
    int d = w.dim();
    int wl = w.lead();
    int ml = m.lead();
    int vl = v.lead();
    int shift = rowShift(d);
    long[] rows = step.rows();
    int[] start = step.start();
    int[] order = step.order();
    float[] src = step.entries().src();
    float[] scales = step.entries().scales();
    float[] sums = scratch.sums();
    int[] gradAt = scratch.gradAt();
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      int e = scales == null ? 0 : order[start[u]];
      long row = rows[u];
      PanamaRowRules.sparseAdam(wa, rowIndex(row, wl, shift, d), ma, rowIndex(row, ml, shift, d), va,
          rowIndex(row, vl, shift, d), at >= 0 ? src : sums, at >= 0 ? at : ~at, at >= 0 ? scales : null, e, SUM, d,
          r);
    }
  }

  /** The other rules' loop over a parameter in heap memory. */
  private static void heapRows(SparseStep step, int from, int to, StepScratch scratch) {
    RowMemory w = step.w();
    int d = w.dim();
    float[] src = step.entries().src();
    float[] scales = step.entries().scales();
    int[] gradAt = scratch.gradAt();
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      int e = scales == null ? 0 : step.order()[step.start()[u]];
      long row = step.rows()[u];
      PanamaRowRules.update(step.rule(), w.array(row), w.index(row), step.slots(), row, at >= 0 ? src : scratch.sums(),
          at >= 0 ? at : ~at, at >= 0 ? scales : null, e, SUM, d);
    }
  }

  /** The loop over a parameter in one off-heap segment: each row is updated in a heap copy, then written back. */
  private static void offHeapRows(SparseStep step, int from, int to, StepScratch scratch) {
    RowMemory w = step.w();
    MemorySegment ws = w.single();
    long stride = w.strideBytes();
    int d = w.dim();
    float[] rowCopy = scratch.w();
    float[] src = step.entries().src();
    float[] scales = step.entries().scales();
    int[] gradAt = scratch.gradAt();
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      long row = step.rows()[u];
      MemorySegment.copy(ws, FLOAT, row * stride, rowCopy, 0, d);
      PanamaRowRules.update(step.rule(), rowCopy, 0, step.slots(), row, at >= 0 ? src : scratch.sums(),
          at >= 0 ? at : ~at, at >= 0 ? scales : null, scales == null ? 0 : step.order()[step.start()[u]], SUM, d);
      MemorySegment.copy(rowCopy, 0, ws, FLOAT, row * stride, d);
    }
  }

  /**
   * {@link KernelSupport#updateRow} on the rule's twin when it has one. Rows off the heap (off-heap and mapped
   * tables, a mapped table's optimizer state) are updated in heap copies, written back after; a 16-bit parameter row
   * is decoded into a float32 copy ({@link StepScratch#w()}) and written back with the scratch's stochastic rounding.
   */
  static void updateRow(
      RowRule rule, RowMemory w, RowMemory[] slots, long row, float[] src, int so, float[] scales, int e,
      StepScratch scratch) {
    if (!PanamaRowRules.hasTwin(rule)) {
      SCALAR.updateRow(rule, w, slots, row, src, so, scales, e, scratch);
      return;
    }
    boolean heapSlots = true;
    for (RowMemory slot : slots) {
      heapSlots &= slot.isHeap();
    }
    RowMemory[] state = slots;
    long stateRow = row;
    if (!heapSlots) {
      // the state rows in the scratch's one-row views (two bulk copies per slot), written back below
      for (int k = 0; k < slots.length; k++) {
        MemorySegment.copy(slots[k].segment(row), FLOAT, slots[k].offset(row), scratch.state()[k], 0, slots[k].dim());
      }
      state = scratch.stateViews();
      stateRow = 0;
    }
    int d = w.dim();
    if (w.isHeap()) {
      PanamaRowRules.update(rule, w.array(row), w.index(row), state, stateRow, src, so, scales, e, SUM, d);
    } else {
      // an off-heap or 16-bit row: update a float32 heap copy, then write it back
      float[] rowCopy = scratch.w();
      StochasticRounding rounding = scratch.rounding();
      if (rounding != null) {
        PanamaHalfRows.decodeRow(rounding.dtype(), w, row, rowCopy, 0);
      } else {
        MemorySegment.copy(w.segment(row), FLOAT, w.offset(row), rowCopy, 0, d);
      }
      PanamaRowRules.update(rule, rowCopy, 0, state, stateRow, src, so, scales, e, SUM, d);
      if (rounding != null) {
        PanamaHalfRows.encodeRow(rounding, w, row, rowCopy, 0);
      } else {
        MemorySegment.copy(rowCopy, 0, w.segment(row), FLOAT, w.offset(row), d);
      }
    }
    if (!heapSlots) {
      for (int k = 0; k < slots.length; k++) {
        MemorySegment.copy(scratch.state()[k], 0, slots[k].segment(row), FLOAT, slots[k].offset(row), slots[k].dim());
      }
    }
  }

  /**
   * {@link KernelSupport#updateEachRow} for SGD over a parameter in one heap array (a text classifier's input rows):
   * returns false, having done nothing, for anything else.
   */
  static boolean updateEachRow(RowRule rule, RowMemory w, int[] ids, float[] grad, float[] scales) {
    float[] wa = w.singleArray();
    if (wa == null || !(rule instanceof RowRule.Sgd r)) {
      return false;
    }
    int d = w.dim();
    int lead = w.lead();
    int shift = rowShift(d);
    for (int id : ids) {
      PanamaRowRules.sgd(wa, rowIndex(id, lead, shift, d), grad, 0, scales, 0, SUM, d, r);
    }
    return true;
  }

  /**
   * {@link KernelSupport#updateDenseRows} on the rule's twin when it has one and the parameter, its gradient and its
   * state are on the heap (a float32 parameter: {@code rounding} null); otherwise the scalar reference.
   */
  static void updateDenseRows(RowRule rule, RowStore w, RowStore[] slots, RowStore grad, StochasticRounding rounding) {
    Optional<RowMemory> wm = StoreMemory.of(w);
    Optional<RowMemory> gm = StoreMemory.of(grad);
    RowMemory[] sm = new RowMemory[slots.length];
    boolean heap = wm.isPresent() && wm.get().isHeap() && gm.isPresent() && gm.get().isHeap();
    for (int k = 0; k < slots.length && heap; k++) {
      Optional<RowMemory> m = StoreMemory.of(slots[k]);
      heap = m.isPresent() && m.get().isHeap();
      sm[k] = heap ? m.get() : null;
    }
    if (!heap || rounding != null || !PanamaRowRules.hasTwin(rule)) {
      SCALAR.updateDenseRows(rule, w, slots, grad, rounding);
      return;
    }
    RowMemory wr = wm.get();
    RowMemory gr = gm.get();
    int d = wr.dim();
    for (long row = 0, n = wr.rows(); row < n; row++) {
      PanamaRowRules.update(rule, wr.array(row), wr.index(row), sm, row, gr.array(row), gr.index(row), null, 0, AS_IS,
          d);
    }
  }
}
