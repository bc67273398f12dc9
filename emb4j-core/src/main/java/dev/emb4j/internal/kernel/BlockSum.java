package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.QuantizedRows;
import dev.emb4j.internal.store.RowMemory;

/**
 * The block of every sum of rows: for each group b in {@code [groupFrom, groupTo)}, the sum over its positions of each
 * row's columns {@code [j, j + V L)} ({@code V = }{@link #vectors()} vectors of {@code L} lanes; times the position's weight: a product, then the sum), added
 * in position order from zero, held in registers across the group and stored once at {@code out[b * stride + o ..]}.
 * A bag sum's groups are its bags; a sparse step sums one group, a row's gradient entries.
 *
 * <p>Written once ({@link PanamaBlockSum}) and compiled once per kind of rows (the {@code ..._KIND} constants): the
 * instances are copies of the same class ({@link ClassCopies}), each called only with its own kind of {@link Rows}.
 * The kinds of rows that are not float32 decode each vector as it is loaded, with the same float operations as their
 * decoders, so their sums equal the float32 sums of the decoded rows bit for bit.
 */
interface BlockSum {

  /** Sums of heap float32 rows: {@link Rows.Heap}. */
  int HEAP_KIND = 0;

  /** Sums of off-heap float32 rows: {@link Rows.Ids}. */
  int SEGMENT_KIND = 1;

  /** Sums of a sparse gradient's entries: {@link Rows.Entries}. */
  int ENTRIES_KIND = 2;

  /** Sums of heap bfloat16 rows: {@link Rows.Ids}. */
  int BF16_HEAP_KIND = 3;

  /** Sums of heap float16 rows: {@link Rows.Ids}. */
  int F16_HEAP_KIND = 4;

  /** Sums of off-heap bfloat16 rows: {@link Rows.Ids}. */
  int BF16_SEGMENT_KIND = 5;

  /** Sums of off-heap float16 rows: {@link Rows.Ids}. */
  int F16_SEGMENT_KIND = 6;

  /** Sums of 8-bit quantized rows: {@link Rows.Quantized}. */
  int INT8_KIND = 7;

  /** Sums of 4-bit quantized rows: {@link Rows.Quantized}. */
  int INT4_KIND = 8;

  /** How many kinds there are. */
  int KINDS = 9;

  /** How many vectors of columns a block holds: 8, or 4 for the kinds whose decoding is long. */
  int vectors();

  /**
   * Sums the groups' columns {@code [j, j + vectors() * L)} into {@code out}; group b's positions are {@code [starts[b],
   * starts[b + 1])}, except for {@link Rows.Entries}, which name their one group's positions themselves.
   *
   * @return the sum of the floats read ahead (off-heap rows), to be kept where the JIT cannot drop it; else 0
   */
  float sum(Rows rows, int[] starts, int groupFrom, int groupTo, int j, float[] out, int stride, int o);

  /** Where the rows of a sum's positions lie, for one kind of memory. */
  sealed interface Rows {

    /**
     * Heap rows whose offsets were worked out beforehand ({@link RowOffsets}): position i's row starts at {@code
     * offsets[i - base]} (or is padding, {@link RowOffsets#SKIP}, when {@code padded}) in {@code single}, or in {@code
     * arrays[i - base]} when the table is split over several arrays; its weight is {@code weights[i]}, or 1 when
     * {@code weights == null}. The summing loop then reads an {@code int} per row and does no index arithmetic, and
     * reads no row ahead, which measured faster than reading ahead.
     */
    record Heap(float[] single, float[][] arrays, int[] offsets, int base, float[] weights, boolean padded)
        implements Rows {}

    /**
     * Rows found through {@code mem} for each position's id (off-heap float32 rows, or 16-bit rows anywhere);
     * position i's weight is {@code weights[i]}, or 1 when {@code weights == null}, and a position equal to {@code
     * pad} is skipped. The row needed {@code AHEAD} positions later is touched first (index clamped to {@code
     * aheadLast}); the rows' addresses are not worked out beforehand.
     */
    record Ids(RowMemory mem, long[] ids, float[] weights, long pad, int aheadLast) implements Rows {}

    /** {@link Ids}, of quantized rows. */
    record Quantized(QuantizedRows rows, long[] ids, float[] weights, long pad, int aheadLast) implements Rows {}

    /**
     * One group of a sparse gradient's entries: positions {@code [from, to)} of {@code order} name the entries, whose
     * rows of {@code dim} floats are read where they lie ({@link GradientEntries}).
     */
    record Entries(GradientEntries entries, int dim, int[] order, int from, int to) implements Rows {}
  }
}
