package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.RowMemory;

/**
 * One thread's buffers for a sparse optimizer step, so that a step over many rows does not allocate per row.
 *
 * @param g a row's gradient (D floats)
 * @param w a copy of a parameter row while it is updated (D floats)
 * @param state copies of a row's state rows, one per slot (each the slot's width)
 * @param sums the summed gradients of the rows with several entries in a block (may be empty when unused)
 * @param gradAt where each row of a block finds its gradient (see {@link KernelSupport#locateGradients})
 */
record StepScratch(float[] g, float[] w, float[][] state, float[] sums, int[] gradAt) {

  /** Buffers for rows of {@code dim} floats with {@code slots}, and blocks of {@code blockRows} rows. */
  static StepScratch of(int dim, RowMemory[] slots, float[] sums, int blockRows) {
    float[][] state = new float[slots.length][];
    for (int k = 0; k < slots.length; k++) {
      state[k] = new float[slots[k].dim()];
    }
    return new StepScratch(new float[dim], new float[dim], state, sums, new int[blockRows]);
  }
}
