package dev.emb4j.optim;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The rows of one parameter that changed since the set was last {@linkplain #clear() cleared}: what an {@link
 * Optimizer} records, once {@linkplain Optimizer#trackChangedRows() asked to}, so that a delta checkpoint writes only
 * those rows (and the same rows of the parameter's optimizer state).
 *
 * <p>A bitmap of one bit per row, in pages of 2<sup>18</sup> rows allocated the first time one of their rows is
 * added: a table of 10<sup>9</sup> rows of which a few thousand change between checkpoints costs a few pages, and
 * adding a row never allocates more than one page. {@link #addAll()} is a flag, not a fill. Rows are visited in
 * ascending order by {@link #next(long)}.
 *
 * <p>Thread-safe: {@link #add} may run on several threads at once (each bit is set by an atomic OR, each page
 * created by a compare-and-set). {@link #clear()} and the readers see the adds that happened before them; a caller
 * that clears after reading must not let a step run in between (a checkpoint runs between steps).
 */
public final class ChangedRows {
  /** Rows per page: 4096 longs, 32 KiB. */
  static final int PAGE_ROWS = 1 << 18;

  private static final int PAGE_SHIFT = 18;
  private static final int WORDS_PER_PAGE = PAGE_ROWS / Long.SIZE;
  private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle PAGES = MethodHandles.arrayElementVarHandle(long[][].class);

  private final long rows;
  private final long[][] pages;
  private volatile boolean all;

  /**
   * An empty set over a parameter of {@code rows} rows.
   *
   * @throws IllegalArgumentException if {@code rows} is negative
   */
  public ChangedRows(long rows) {
    if (rows < 0) {
      throw new IllegalArgumentException("a parameter has at least 0 rows, got " + rows);
    }
    this.rows = rows;
    this.pages = new long[Math.toIntExact((rows + PAGE_ROWS - 1) >>> PAGE_SHIFT)][];
  }

  /** The number of rows of the parameter (valid rows are {@code 0 .. rows() - 1}). */
  public long rows() {
    return rows;
  }

  /**
   * Records that {@code row} changed.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= row < rows()}
   */
  public void add(long row) {
    if (row < 0 || row >= rows) {
      throw new IndexOutOfBoundsException("row " + row + " of a parameter of " + rows + " rows");
    }
    long[] page = page((int) (row >>> PAGE_SHIFT));
    int word = (int) (row & (PAGE_ROWS - 1)) >>> 6;
    long bit = 1L << row;
    if (((long) WORDS.getAcquire(page, word) & bit) == 0) {
      WORDS.getAndBitwiseOr(page, word, bit);
    }
  }

  /** Records that every row changed (a dense step, or state replaced wholesale). */
  public void addAll() {
    all = true;
  }

  /** Whether every row is in the set ({@link #addAll()} was called since the last clear). */
  public boolean isAll() {
    return all;
  }

  /** Whether {@code row} is in the set (false for a row out of range). */
  public boolean contains(long row) {
    if (row < 0 || row >= rows) {
      return false;
    }
    if (all) {
      return true;
    }
    long[] page = (long[]) PAGES.getAcquire(pages, (int) (row >>> PAGE_SHIFT));
    return page != null && ((long) WORDS.getAcquire(page, (int) (row & (PAGE_ROWS - 1)) >>> 6) & (1L << row)) != 0;
  }

  /**
   * The smallest row of the set that is {@code >= from}, or -1 if there is none: {@code for (long r = s.next(0); r >=
   * 0; r = s.next(r + 1))} visits the set in ascending order.
   */
  public long next(long from) {
    if (from < 0) {
      from = 0;
    }
    if (from >= rows) {
      return -1;
    }
    if (all) {
      return from;
    }
    for (int p = (int) (from >>> PAGE_SHIFT); p < pages.length; p++) {
      long[] page = (long[]) PAGES.getAcquire(pages, p);
      if (page == null) {
        continue;
      }
      long pageStart = (long) p << PAGE_SHIFT;
      int w = from > pageStart ? (int) (from - pageStart) >>> 6 : 0;
      long mask = from > pageStart ? -1L << from : -1L;
      for (; w < WORDS_PER_PAGE; w++) {
        long bits = (long) WORDS.getAcquire(page, w) & mask;
        mask = -1L;
        if (bits != 0) {
          return pageStart + ((long) w << 6) + Long.numberOfTrailingZeros(bits);
        }
      }
    }
    return -1;
  }

  /** The number of rows in the set (counts the bits: linear in the pages allocated). */
  public long count() {
    if (all) {
      return rows;
    }
    long n = 0;
    for (int p = 0; p < pages.length; p++) {
      long[] page = (long[]) PAGES.getAcquire(pages, p);
      if (page != null) {
        for (int w = 0; w < WORDS_PER_PAGE; w++) {
          n += Long.bitCount((long) WORDS.getAcquire(page, w));
        }
      }
    }
    return n;
  }

  /** Whether no row is in the set. */
  public boolean isEmpty() {
    return next(0) < 0;
  }

  /** Empties the set; the pages are dropped, so a clear set holds no memory beyond its page table. */
  public void clear() {
    all = false;
    for (int p = 0; p < pages.length; p++) {
      PAGES.setRelease(pages, p, (long[]) null);
    }
  }

  private long[] page(int p) {
    long[] page = (long[]) PAGES.getAcquire(pages, p);
    if (page != null) {
      return page;
    }
    long[] fresh = new long[WORDS_PER_PAGE];
    long[] won = (long[]) PAGES.compareAndExchange(pages, p, (long[]) null, fresh);
    return won == null ? fresh : won;
  }

  @Override
  public String toString() {
    return "ChangedRows(" + (all ? "all " + rows : count() + " of " + rows) + " rows)";
  }
}
