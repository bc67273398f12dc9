package dev.emb4j.store;

import dev.emb4j.internal.store.MemoryBacked;
import dev.emb4j.internal.store.RowMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A store whose rows are initialised the first time they are touched, so that a table of any size is created in
 * constant time: row r gets its values from {@link RowInit#fill} of (seed, r) when it is first read or partly written,
 * and a row written whole ({@link #writeRow}) is never initialised at all. The same seed therefore gives the same
 * table whether its rows are touched in order, at random or never.
 *
 * <p>One bit per row records which rows are initialised: in native memory for heap and off-heap stores ({@code
 * ceil(rows / 64) * 8} bytes), in a file beside the table for a mapped one (see {@link MappedRowStore}), so that it
 * persists with the rows. Every method of this store initialises the rows it touches first; the kernels, which read
 * and write the rows' memory directly, need the rows of a batch initialised before they run: the tables do that for
 * the ids of each lookup, and the optimizers for the rows of each gradient, through {@link #ensureRows}.
 *
 * <p>Thread safety: initialising is safe from any number of threads (a row is initialised exactly once, under a lock
 * striped by 64-row word, and its bit is published after its values); otherwise as {@link RowStore}.
 */
// MemoryBacked and RowMemory are internal: the kernels' direct access to the rows, not API.
@SuppressWarnings("exports")
public final class LazyRowStore implements RowStore, MemoryBacked {
  private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();
  private static final int LOCK_STRIPES = 64;

  private final RowStore inner;
  private final MemoryBacked memory;
  private final RowInit init;
  private final MemorySegment bits;
  /** The arena of an in-memory bitmap, closed with the store; null when the bitmap is a mapped file's. */
  private final Arena bitsArena;

  private final Object[] locks = new Object[LOCK_STRIPES];

  LazyRowStore(RowStore inner, RowInit init, MemorySegment bits, Arena bitsArena) {
    if (!(inner instanceof MemoryBacked m)) {
      throw new IllegalArgumentException("lazy rows need one of emb4j's stores (heap, off-heap, mapped), got " + inner);
    }
    if (bits.byteSize() < bitmapBytes(inner.rows())) {
      throw new IllegalArgumentException(
          "a bitmap of " + bits.byteSize() + " bytes is too small for " + inner.rows() + " rows");
    }
    this.inner = inner;
    this.memory = m;
    this.init = java.util.Objects.requireNonNull(init, "init");
    this.bits = bits;
    this.bitsArena = bitsArena;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * A lazy view of a new, zero-filled heap or off-heap store: its rows count as uninitialised. Closing the view closes
   * the store.
   *
   * @param inner the store, as just allocated (rows it holds already are overwritten on first touch)
   * @param init the initial values
   * @return the lazy store
   * @throws IllegalArgumentException if {@code inner} is not one of emb4j's stores
   */
  public static LazyRowStore over(RowStore inner, RowInit init) {
    Arena arena = Arena.ofShared();
    MemorySegment bits = arena.allocate(Math.max(bitmapBytes(inner.rows()), Long.BYTES), Long.BYTES);
    return new LazyRowStore(inner, init, bits, arena);
  }

  /** Bytes of a bitmap with one bit per row, in whole 64-bit words. */
  static long bitmapBytes(long rows) {
    return (rows + 63) / 64 * Long.BYTES;
  }

  /**
   * The initial values of the rows.
   *
   * @return the initializer
   */
  public RowInit init() {
    return init;
  }

  /**
   * Whether {@code row} has been initialised (or written whole).
   *
   * @param row a row in {@code 0 .. rows() - 1}
   * @return true once the row holds its values
   */
  public boolean isInitialized(long row) {
    return (word(row >>> 6) & (1L << row)) != 0;
  }

  /**
   * The number of initialised rows, counted over the bitmap (one pass over {@code rows / 64} words).
   *
   * @return the count
   */
  public long initializedRows() {
    long n = 0;
    for (long w = 0, words = (inner.rows() + 63) / 64; w < words; w++) {
      n += Long.bitCount(word(w));
    }
    return n;
  }

  /**
   * Copies row {@code row} without initialising it: its values if it is initialised, else the initial values it would
   * get. For readers that must not write into the table, such as a checkpoint of every row (which would otherwise
   * initialise, and for a mapped table write, every row of the table).
   *
   * @param row a row in {@code 0 .. rows() - 1}
   * @param dst the destination
   * @param dstOffset where the row starts in {@code dst}
   */
  public void peekRow(long row, float[] dst, int dstOffset) {
    if (isInitialized(row)) {
      inner.readRow(row, dst, dstOffset);
    } else {
      init.fill(row, dst, dstOffset, inner.dim());
    }
  }

  /**
   * Makes {@code row} uninitialised again: its next touch draws its initial values, overwriting what it holds. For a
   * restore of a checkpoint in which the row had never been touched; not concurrent with other uses of the row.
   *
   * @param row a row in {@code 0 .. rows() - 1}
   */
  public void uninitialize(long row) {
    setBit(row, false);
  }

  /**
   * Initialises every row of {@code ids} that is not yet: the step before a kernel reads or updates these rows in
   * memory. Cheap when they all are (one bit test per id).
   *
   * @param ids row numbers, trusted to be in range
   */
  public void ensureRows(long[] ids) {
    float[] scratch = null;
    for (long row : ids) {
      if (!isInitialized(row)) {
        if (scratch == null) {
          scratch = new float[inner.dim()];
        }
        initialize(row, scratch);
      }
    }
  }

  /** Initialises every row: before a dense update, which touches them all. */
  public void ensureAllRows() {
    float[] scratch = new float[inner.dim()];
    for (long row = 0, n = inner.rows(); row < n; row++) {
      if (!isInitialized(row)) {
        initialize(row, scratch);
      }
    }
  }

  private void ensure(long row) {
    if (!isInitialized(row)) {
      initialize(row, new float[inner.dim()]);
    }
  }

  private void initialize(long row, float[] scratch) {
    synchronized (locks[(int) ((row >>> 6) & (LOCK_STRIPES - 1))]) {
      if (isInitialized(row)) {
        return; // another thread was first
      }
      init.fill(row, scratch, 0, inner.dim());
      inner.writeRow(row, scratch, 0);
      markInitialized(row);
    }
  }

  private long word(long w) {
    return (long) WORD.getAcquire(bits, w * Long.BYTES);
  }

  /** Sets the row's bit after its values are written (release: a reader that sees the bit sees the values). */
  private void markInitialized(long row) {
    setBit(row, true);
  }

  /** Sets or clears the row's bit, leaving the other bits of its word as other threads set them. */
  private void setBit(long row, boolean on) {
    long offset = (row >>> 6) * Long.BYTES;
    long bit = 1L << row;
    long old;
    do {
      old = (long) WORD.getVolatile(bits, offset);
    } while ((old & bit) != (on ? bit : 0) && !WORD.compareAndSet(bits, offset, old, on ? old | bit : old & ~bit));
  }

  @Override
  public long rows() {
    return inner.rows();
  }

  @Override
  public int dim() {
    return inner.dim();
  }

  @Override
  public DType dtype() {
    return inner.dtype();
  }

  @Override
  public float get(long row, int col) {
    ensure(row);
    return inner.get(row, col);
  }

  @Override
  public void set(long row, int col, float value) {
    ensure(row);
    inner.set(row, col, value);
  }

  @Override
  public void readRow(long row, float[] dst, int dstOffset) {
    ensure(row);
    inner.readRow(row, dst, dstOffset);
  }

  /** Overwrites the row whole: it counts as initialised from now on, without drawing its initial values. */
  @Override
  public void writeRow(long row, float[] src, int srcOffset) {
    if (isInitialized(row)) {
      inner.writeRow(row, src, srcOffset);
      return;
    }
    synchronized (locks[(int) ((row >>> 6) & (LOCK_STRIPES - 1))]) {
      inner.writeRow(row, src, srcOffset);
      if (!isInitialized(row)) {
        markInitialized(row);
      }
    }
  }

  @Override
  public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
    ensure(row);
    inner.accumulateRow(row, scale, dst, dstOffset);
  }

  @Override
  public void addToRow(long row, float scale, float[] src, int srcOffset) {
    ensure(row);
    inner.addToRow(row, scale, src, srcOffset);
  }

  @Override
  public void scaleRow(long row, float factor) {
    ensure(row);
    inner.scaleRow(row, factor);
  }

  /**
   * The rows' memory, as the store under this view gives it; only the rows passed to {@link #ensureRows} (or
   * otherwise initialised) hold their values. For emb4j's kernels, not API.
   */
  @Override
  public RowMemory rowMemory() {
    return memory.rowMemory();
  }

  @Override
  public long sizeInBytes() {
    return inner.sizeInBytes() + (bitsArena != null ? bits.byteSize() : 0);
  }

  /** Forces the rows and, for a mapped table, the bitmap to disk. */
  @Override
  public void flush() {
    inner.flush();
  }

  /** A sibling of the store under this view (never lazy: state slots start as zeros). */
  @Override
  public RowStore allocateSibling(String role, long rows, int dim) {
    return inner.allocateSibling(role, rows, dim);
  }

  /**
   * The store under this view, whose rows are raw: uninitialised rows read as zeros there.
   *
   * @return the store
   */
  public RowStore rawStore() {
    return inner;
  }

  /** Closes the store under this view and frees an in-memory bitmap. Idempotent. */
  @Override
  public void close() {
    try {
      inner.close();
    } finally {
      if (bitsArena != null && bitsArena.scope().isAlive()) {
        bitsArena.close();
      }
    }
  }

  @Override
  public String toString() {
    return "LazyRowStore(" + inner + ", " + init + ")";
  }
}
