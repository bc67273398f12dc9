package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.RowMemory;
import java.lang.foreign.MemorySegment;

/**
 * One thread's buffers for a sparse optimizer step, so that a step over many rows does not allocate per row.
 *
 * @param g a row's gradient (D floats)
 * @param w a copy of a parameter row while it is updated (D floats)
 * @param state copies of a row's state rows, one per slot (each the slot's width)
 * @param sums the summed gradients of the rows with several entries in a block (may be empty when unused)
 * @param gradAt where each row of a block finds its gradient (see {@link KernelSupport#locateGradients})
 * @param stateViews {@code state} as one-row {@link RowMemory}s, for the Vector API rules when the state lives off
 *     the heap (a mapped table's optimizer files)
 * @param rounding how the step writes the rows of a 16-bit parameter back (null for float32): its rows are updated in
 *     {@code w}, decoded to float32, and written back with this rounding
 */
record StepScratch(
    float[] g, float[] w, float[][] state, float[] sums, int[] gradAt, RowMemory[] stateViews,
    StochasticRounding rounding) {

  /** Buffers for a float32 parameter's rows of {@code dim} floats with {@code slots}, in blocks of {@code blockRows}. */
  static StepScratch of(int dim, RowMemory[] slots, float[] sums, int blockRows) {
    return of(dim, slots, sums, blockRows, null);
  }

  /** Buffers as {@link #of(int, RowMemory[], float[], int)}, for a parameter written back with {@code rounding}. */
  static StepScratch of(int dim, RowMemory[] slots, float[] sums, int blockRows, StochasticRounding rounding) {
    float[][] state = new float[slots.length][];
    RowMemory[] views = new RowMemory[slots.length];
    for (int k = 0; k < slots.length; k++) {
      int width = slots[k].dim();
      state[k] = new float[width];
      views[k] =
          new RowMemory(
              new MemorySegment[] {MemorySegment.ofArray(state[k])}, new float[][] {state[k]}, 0, 1,
              (long) width * Float.BYTES, 1, width);
    }
    return new StepScratch(new float[dim], new float[dim], state, sums, new int[blockRows], views, rounding);
  }
}
