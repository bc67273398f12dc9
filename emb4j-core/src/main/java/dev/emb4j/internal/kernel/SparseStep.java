package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.RowMemory;

/**
 * One fused sparse optimizer step over a parameter: each touched row {@code rows[u]}, u in {@code [0, count)}, is
 * updated once by {@code rule}, with the sum of its gradient entries {@code order[start[u] .. start[u + 1])} added in
 * that order from zero.
 *
 * @param rule the update of one row
 * @param w the parameter's rows
 * @param slots the optimizer's state for {@code w}, one view per state slot the rule keeps
 * @param rows the touched rows, distinct
 * @param start where each touched row's entries begin in {@code order} ({@code count + 1} values)
 * @param order entry positions grouped by touched row
 * @param entries the gradient entries
 * @param count the number of touched rows
 * @param rounding how the rows of a 16-bit parameter are written back, or null for a float32 parameter
 */
public record SparseStep(
    RowRule rule, RowMemory w, RowMemory[] slots, long[] rows, int[] start, int[] order, GradientEntries entries,
    int count, StochasticRounding rounding) {

  /** A step over a float32 parameter. */
  public SparseStep(
      RowRule rule, RowMemory w, RowMemory[] slots, long[] rows, int[] start, int[] order, GradientEntries entries,
      int count) {
    this(rule, w, slots, rows, start, order, entries, count, null);
  }
}
