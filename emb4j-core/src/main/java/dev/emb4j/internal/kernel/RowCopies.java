package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.RowStore;

/**
 * Applies a {@link RowRule} to one row of any {@link RowStore} through copies: the row and its state rows are read
 * into buffers, the rule's scalar form updates them, and they are written back. The way to update stores that give no
 * memory view, and the reference loop of the dense step. One instance per thread: it keeps its buffers.
 *
 * <p>A 16-bit parameter with a memory view is written back with stochastic rounding when a {@link StochasticRounding}
 * is given; without a memory view, through its {@link RowStore#writeRow} (whatever rounding the store does).
 */
public final class RowCopies {
  private final RowStore w;
  private final StochasticRounding rounding;
  private final RowMemory wMemory;
  private final RowStore[] slots;
  private final float[] row;
  private final float[][] state;

  /** Buffers for the rows of a float32 {@code w} and of each of its state {@code slots}. */
  public RowCopies(RowStore w, RowStore[] slots) {
    this(w, slots, null);
  }

  /**
   * Buffers for the rows of {@code w} and of each of its state {@code slots}; {@code w}'s rows are written back with
   * {@code rounding} when it is not null and {@code w} gives a memory view.
   */
  public RowCopies(RowStore w, RowStore[] slots, StochasticRounding rounding) {
    this.w = w;
    this.rounding = rounding;
    this.wMemory = rounding == null ? null : StoreMemory.of(w).orElse(null);
    this.slots = slots.clone();
    this.row = new float[w.dim()];
    this.state = new float[slots.length][];
    for (int k = 0; k < slots.length; k++) {
      state[k] = new float[slots[k].dim()];
    }
  }

  /** Applies {@code rule} to row {@code r} with the gradient {@code g} (D floats, which the rule may overwrite). */
  public void apply(RowRule rule, long r, float[] g) {
    w.readRow(r, row, 0);
    for (int k = 0; k < slots.length; k++) {
      slots[k].readRow(r, state[k], 0);
    }
    rule.apply(row, g, state);
    if (wMemory != null) {
      rounding.writeRow(wMemory, r, row, 0);
    } else {
      w.writeRow(r, row, 0);
    }
    for (int k = 0; k < slots.length; k++) {
      slots[k].writeRow(r, state[k], 0);
    }
  }
}
