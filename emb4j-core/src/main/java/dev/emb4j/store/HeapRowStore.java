package dev.emb4j.store;

import dev.emb4j.internal.store.MemoryBacked;
import dev.emb4j.internal.store.RowMemory;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Rows on the Java heap, in chunks of whole rows so that a table may exceed the 2^31-element limit of one Java array:
 * {@code float[]} chunks for {@link DType#F32} rows, {@code short[]} chunks holding the bits of {@link DType#F16} or
 * {@link DType#BF16} rows (half the memory; values are converted on every read and write).
 *
 * <pre>
 * chunk c holds rows [c * rowsPerChunk, (c + 1) * rowsPerChunk), row r at chunk[r / rowsPerChunk],
 * element offset lead + (r % rowsPerChunk) * dim; rows are packed (stride = dim)
 * </pre>
 *
 * <p>{@code lead} is 0 for wrapped arrays and small tables; large chunks skip up to 64 bytes of elements so that rows
 * start on a cache line (see {@link HeapAlignment}). Writes to a 16-bit store round to nearest, ties to even ({@link
 * DType#encode}); emb4j's optimizers write their updates with stochastic rounding instead.
 */
// MemoryBacked and RowMemory are internal: the kernels' direct access to the rows, not API.
@SuppressWarnings("exports")
public final class HeapRowStore implements RowStore, MemoryBacked {
  /** Largest chunk of a table split into several: 2^30 elements, so that rows per chunk can be a power of two. */
  static final long MAX_CHUNK_FLOATS = 1L << 30;
  /**
   * Largest table kept in one array (just under 2^31 elements, less room for the alignment lead): one chunk spares the
   * kernels a chunk lookup per row (bag-sum over a 5 GB table: 22 M rows/s in two chunks).
   */
  static final long MAX_SINGLE_FLOATS = Integer.MAX_VALUE - 8 - HeapAlignment.LINE_BYTES / Float.BYTES;

  private final long rows;
  private final int dim;
  private final DType dtype;
  private final long rowsPerChunk;
  /** The float32 chunks, or null for 16-bit rows. */
  private final float[][] chunks;
  /** The 16-bit chunks, or null for float32 rows. */
  private final short[][] halfChunks;
  /** Elements before row 0 in every chunk. */
  private final int lead;
  /** The whole float32 table when it fits one chunk (the common case): row r then starts at r * dim. */
  private final float[] single;
  /** Whether one chunk holds every row (row r then starts at lead + r * dim, no division needed). */
  private final boolean oneChunk;
  /** {@link MemorySegment#ofArray} views of the chunks, made once. */
  private final RowMemory memory;

  private HeapRowStore(
      long rows, int dim, DType dtype, long rowsPerChunk, float[][] chunks, short[][] halfChunks, int lead) {
    this.rows = rows;
    this.dim = dim;
    this.dtype = dtype;
    this.rowsPerChunk = rowsPerChunk;
    this.chunks = chunks;
    this.halfChunks = halfChunks;
    this.lead = lead;
    this.single = chunks != null && chunks.length == 1 ? chunks[0] : null;
    int n = chunks != null ? chunks.length : halfChunks.length;
    this.oneChunk = n == 1;
    MemorySegment[] views = new MemorySegment[n];
    for (int c = 0; c < n; c++) {
      views[c] =
          chunks != null
              ? MemorySegment.ofArray(chunks[c]).asSlice((long) lead * Float.BYTES)
              : MemorySegment.ofArray(halfChunks[c]).asSlice((long) lead * Short.BYTES);
    }
    this.memory =
        chunks != null
            ? new RowMemory(views, chunks, lead, rowsPerChunk, (long) dim * Float.BYTES, rows, dim)
            : RowMemory.ofHalfArrays(views, halfChunks, lead, rowsPerChunk, rows, dim);
  }

  /** A zero-filled float32 store of {@code rows x dim}. */
  public static HeapRowStore allocate(long rows, int dim) {
    return allocate(rows, dim, DType.F32);
  }

  /**
   * A zero-filled store of {@code rows x dim} elements of {@code dtype}.
   *
   * @throws IllegalArgumentException if the shape is invalid or {@code dtype} is not F32, F16 or BF16
   */
  public static HeapRowStore allocate(long rows, int dim, DType dtype) {
    StoreChecks.checkShape(rows, dim);
    StoreChecks.checkTrainable(dtype);
    return allocate(rows, dim, rowsPerChunkFor(rows, dim), dtype);
  }

  /** Rows per chunk for a table: all of them when they fit one array, else as many as fit 2^30 elements. */
  static long rowsPerChunkFor(long rows, int dim) {
    boolean fitsOneArray = rows <= MAX_SINGLE_FLOATS / dim;
    return fitsOneArray ? Math.max(rows, 1) : Math.max(1, MAX_CHUNK_FLOATS / dim);
  }

  /** A zero-filled float32 store with an explicit chunk size, so tests can cross chunk boundaries on small tables. */
  static HeapRowStore allocate(long rows, int dim, long rowsPerChunk) {
    return allocate(rows, dim, rowsPerChunk, DType.F32);
  }

  /** A zero-filled store with an explicit chunk size. */
  static HeapRowStore allocate(long rows, int dim, long rowsPerChunk, DType dtype) {
    StoreChecks.checkShape(rows, dim);
    StoreChecks.checkTrainable(dtype);
    if (dim > MAX_CHUNK_FLOATS && rows > MAX_SINGLE_FLOATS / dim) { // one array may hold rows of any width
      throw new IllegalArgumentException(
          "rows of " + dim + " elements exceed the largest heap chunk of " + MAX_CHUNK_FLOATS + " elements");
    }
    long maxRowsPerChunk = rowsPerChunk >= rows ? MAX_SINGLE_FLOATS / dim : MAX_CHUNK_FLOATS / dim;
    if (rowsPerChunk < 1 || rowsPerChunk > maxRowsPerChunk) {
      throw new IllegalArgumentException("rowsPerChunk " + rowsPerChunk + " is not in 1.." + maxRowsPerChunk);
    }
    int nChunks = Math.toIntExact(chunkOf(rows + rowsPerChunk - 1, rowsPerChunk));
    boolean f32 = dtype == DType.F32;
    float[][] chunks = f32 ? new float[nChunks][] : null;
    short[][] halfChunks = f32 ? null : new short[nChunks][];
    int lead = HeapAlignment.leadingElements(Math.min(rowsPerChunk, rows) * dim, dtype.bytes());
    for (int c = 0; c < nChunks; c++) {
      int length = Math.toIntExact(lead + Math.min(rowsPerChunk, rows - c * rowsPerChunk) * dim);
      if (f32) {
        chunks[c] = new float[length];
      } else {
        halfChunks[c] = new short[length];
      }
    }
    return new HeapRowStore(rows, dim, dtype, rowsPerChunk, chunks, halfChunks, lead);
  }

  /**
   * A store that uses the caller's row-major {@code data} (no copy): writes through the table are visible in {@code
   * data} and the other way round.
   */
  public static HeapRowStore wrap(float[] data, int dim) {
    if (dim <= 0) {
      throw new IllegalArgumentException("dim must be positive, got " + dim);
    }
    if (data.length % dim != 0) {
      throw new IllegalArgumentException(
          "data of " + data.length + " floats is not a whole number of rows of " + dim + " floats");
    }
    long rows = data.length / dim;
    return new HeapRowStore(rows, dim, DType.F32, Math.max(rows, 1), new float[][] {data}, null, 0);
  }

  /** The chunk that holds {@code row}. */
  static long chunkOf(long row, long rowsPerChunk) {
    return row / rowsPerChunk;
  }

  /**
   * The element offset of {@code row} inside its chunk, before the chunk's lead; always fits an int because a chunk
   * is at most 2^30 elements.
   */
  static int offsetInChunk(long row, long rowsPerChunk, int dim) {
    return Math.toIntExact((row % rowsPerChunk) * dim);
  }

  private float[] chunk(long row) {
    assert row >= 0 && row < rows : "row " + row + " outside 0.." + (rows - 1);
    return single != null ? single : chunks[(int) chunkOf(row, rowsPerChunk)];
  }

  private short[] halfChunk(long row) {
    assert row >= 0 && row < rows : "row " + row + " outside 0.." + (rows - 1);
    return oneChunk ? halfChunks[0] : halfChunks[(int) chunkOf(row, rowsPerChunk)];
  }

  private int offset(long row) {
    return lead + (oneChunk ? (int) row * dim : offsetInChunk(row, rowsPerChunk, dim));
  }

  private float half(short[] c, int i) {
    return dtype.decode(c[i]);
  }

  private void setHalf(short[] c, int i, float value) {
    c[i] = (short) dtype.encode(value);
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public float get(long row, int col) {
    return chunks != null ? chunk(row)[offset(row) + col] : half(halfChunk(row), offset(row) + col);
  }

  @Override
  public void set(long row, int col, float value) {
    if (chunks != null) {
      chunk(row)[offset(row) + col] = value;
    } else {
      setHalf(halfChunk(row), offset(row) + col, value);
    }
  }

  @Override
  public void readRow(long row, float[] dst, int dstOffset) {
    if (chunks != null) {
      System.arraycopy(chunk(row), offset(row), dst, dstOffset, dim);
      return;
    }
    short[] c = halfChunk(row);
    int o = offset(row);
    for (int j = 0; j < dim; j++) {
      dst[dstOffset + j] = half(c, o + j);
    }
  }

  @Override
  public void writeRow(long row, float[] src, int srcOffset) {
    if (chunks != null) {
      System.arraycopy(src, srcOffset, chunk(row), offset(row), dim);
      return;
    }
    short[] c = halfChunk(row);
    int o = offset(row);
    for (int j = 0; j < dim; j++) {
      setHalf(c, o + j, src[srcOffset + j]);
    }
  }

  @Override
  public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
    int o = offset(row);
    if (chunks == null) {
      short[] c = halfChunk(row);
      for (int j = 0; j < dim; j++) {
        dst[dstOffset + j] += scale * half(c, o + j);
      }
      return;
    }
    float[] c = chunk(row);
    for (int j = 0; j < dim; j++) {
      dst[dstOffset + j] += scale * c[o + j];
    }
  }

  @Override
  public void addToRow(long row, float scale, float[] src, int srcOffset) {
    int o = offset(row);
    if (chunks == null) {
      short[] c = halfChunk(row);
      for (int j = 0; j < dim; j++) {
        setHalf(c, o + j, half(c, o + j) + scale * src[srcOffset + j]);
      }
      return;
    }
    float[] c = chunk(row);
    for (int j = 0; j < dim; j++) {
      c[o + j] += scale * src[srcOffset + j];
    }
  }

  @Override
  public void scaleRow(long row, float factor) {
    int o = offset(row);
    if (chunks == null) {
      short[] c = halfChunk(row);
      for (int j = 0; j < dim; j++) {
        setHalf(c, o + j, half(c, o + j) * factor);
      }
      return;
    }
    float[] c = chunk(row);
    for (int j = 0; j < dim; j++) {
      c[o + j] *= factor;
    }
  }

  /** Heap views of the chunks (packed rows); for emb4j's kernels, not API. */
  @Override
  public RowMemory rowMemory() {
    return memory;
  }

  @Override
  public long sizeInBytes() {
    return rows * dim * (long) dtype.bytes();
  }

  /** Elements before row 0 in each chunk (0, or up to 64 bytes' worth to align rows on a cache line); for tests. */
  int leadingFloats() {
    return lead;
  }

  /** Sets every value to zero. */
  public void clear() {
    if (chunks != null) {
      for (float[] c : chunks) {
        Arrays.fill(c, 0f);
      }
    } else {
      for (short[] c : halfChunks) {
        Arrays.fill(c, (short) 0);
      }
    }
  }

  /** Heap memory is freed by the garbage collector: nothing to do. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    int n = chunks != null ? chunks.length : halfChunks.length;
    return "HeapRowStore(" + rows + " x " + dim + (dtype == DType.F32 ? "" : ", " + dtype) + ", " + n + " chunk"
        + (n == 1 ? ")" : "s)");
  }
}
