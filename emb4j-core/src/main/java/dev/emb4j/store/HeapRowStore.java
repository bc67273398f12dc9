package dev.emb4j.store;

import dev.emb4j.internal.store.MemoryBacked;
import dev.emb4j.internal.store.RowMemory;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Rows on the Java heap, in {@code float[]} chunks of whole rows so that a table may exceed the 2^31-element limit of
 * one Java array.
 *
 * <pre>
 * chunk c holds rows [c * rowsPerChunk, (c + 1) * rowsPerChunk), row r at chunk[r / rowsPerChunk],
 * float offset lead + (r % rowsPerChunk) * dim; rows are packed (stride = dim)
 * </pre>
 *
 * <p>{@code lead} is 0 for wrapped arrays and small tables; large chunks skip up to 15 floats so that rows start on a
 * cache line (see {@link HeapAlignment}).
 */
// MemoryBacked and RowMemory are internal: the kernels' direct access to the rows, not API.
@SuppressWarnings("exports")
public final class HeapRowStore implements RowStore, MemoryBacked {
  /** Largest chunk of a table split into several: 2^30 floats (4 GiB), so that rows per chunk can be a power of two. */
  static final long MAX_CHUNK_FLOATS = 1L << 30;
  /**
   * Largest table kept in one array (just under 2^31 floats, 8 GiB, less room for the alignment lead): one chunk
   * spares the kernels a chunk lookup per row (bag-sum over a 5 GB table: 22 M rows/s in two chunks).
   */
  static final long MAX_SINGLE_FLOATS = Integer.MAX_VALUE - 8 - HeapAlignment.LINE_BYTES / Float.BYTES;

  private final long rows;
  private final int dim;
  private final long rowsPerChunk;
  private final float[][] chunks;
  /** Floats before row 0 in every chunk. */
  private final int lead;
  /** The whole table when it fits one chunk (the common case): row r then starts at r * dim, no division needed. */
  private final float[] single;
  /** {@link MemorySegment#ofArray(float[])} views of the chunks, made once. */
  private final RowMemory memory;

  private HeapRowStore(long rows, int dim, long rowsPerChunk, float[][] chunks, int lead) {
    this.rows = rows;
    this.dim = dim;
    this.rowsPerChunk = rowsPerChunk;
    this.chunks = chunks;
    this.lead = lead;
    this.single = chunks.length == 1 ? chunks[0] : null;
    MemorySegment[] views = new MemorySegment[chunks.length];
    for (int c = 0; c < chunks.length; c++) {
      views[c] = MemorySegment.ofArray(chunks[c]).asSlice((long) lead * Float.BYTES);
    }
    this.memory = new RowMemory(views, chunks, lead, rowsPerChunk, (long) dim * Float.BYTES, rows, dim);
  }

  /** A zero-filled store of {@code rows x dim}. */
  public static HeapRowStore allocate(long rows, int dim) {
    StoreChecks.checkShape(rows, dim);
    return allocate(rows, dim, rowsPerChunkFor(rows, dim));
  }

  /** Rows per chunk for a table: all of them when they fit one array, else as many as fit 2^30 floats. */
  static long rowsPerChunkFor(long rows, int dim) {
    boolean fitsOneArray = rows <= MAX_SINGLE_FLOATS / dim;
    return fitsOneArray ? Math.max(rows, 1) : Math.max(1, MAX_CHUNK_FLOATS / dim);
  }

  /** A zero-filled store with an explicit chunk size, so tests can cross chunk boundaries on small tables. */
  static HeapRowStore allocate(long rows, int dim, long rowsPerChunk) {
    StoreChecks.checkShape(rows, dim);
    if (dim > MAX_CHUNK_FLOATS) {
      throw new IllegalArgumentException(
          "rows of " + dim + " floats exceed the largest heap chunk of " + MAX_CHUNK_FLOATS + " floats");
    }
    long maxRowsPerChunk = rowsPerChunk >= rows ? MAX_SINGLE_FLOATS / dim : MAX_CHUNK_FLOATS / dim;
    if (rowsPerChunk < 1 || rowsPerChunk > maxRowsPerChunk) {
      throw new IllegalArgumentException("rowsPerChunk " + rowsPerChunk + " is not in 1.." + maxRowsPerChunk);
    }
    int nChunks = Math.toIntExact(chunkOf(rows + rowsPerChunk - 1, rowsPerChunk));
    float[][] chunks = new float[nChunks][];
    int lead = HeapAlignment.leadingFloats(Math.min(rowsPerChunk, rows) * dim);
    for (int c = 0; c < nChunks; c++) {
      long chunkRows = Math.min(rowsPerChunk, rows - c * rowsPerChunk);
      chunks[c] = new float[Math.toIntExact(lead + chunkRows * dim)];
    }
    return new HeapRowStore(rows, dim, rowsPerChunk, chunks, lead);
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
    return new HeapRowStore(rows, dim, Math.max(rows, 1), new float[][] {data}, 0);
  }

  /** The chunk that holds {@code row}. */
  static long chunkOf(long row, long rowsPerChunk) {
    return row / rowsPerChunk;
  }

  /**
   * The float offset of {@code row} inside its chunk, before the chunk's lead; always fits an int because a chunk is
   * at most 2^30 floats.
   */
  static int offsetInChunk(long row, long rowsPerChunk, int dim) {
    return Math.toIntExact((row % rowsPerChunk) * dim);
  }

  private float[] chunk(long row) {
    assert row >= 0 && row < rows : "row " + row + " outside 0.." + (rows - 1);
    return single != null ? single : chunks[(int) chunkOf(row, rowsPerChunk)];
  }

  private int offset(long row) {
    return lead + (single != null ? (int) row * dim : offsetInChunk(row, rowsPerChunk, dim));
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
  public float get(long row, int col) {
    return chunk(row)[offset(row) + col];
  }

  @Override
  public void set(long row, int col, float value) {
    chunk(row)[offset(row) + col] = value;
  }

  @Override
  public void readRow(long row, float[] dst, int dstOffset) {
    System.arraycopy(chunk(row), offset(row), dst, dstOffset, dim);
  }

  @Override
  public void writeRow(long row, float[] src, int srcOffset) {
    System.arraycopy(src, srcOffset, chunk(row), offset(row), dim);
  }

  @Override
  public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
    float[] c = chunk(row);
    int o = offset(row);
    for (int j = 0; j < dim; j++) {
      dst[dstOffset + j] += scale * c[o + j];
    }
  }

  @Override
  public void addToRow(long row, float scale, float[] src, int srcOffset) {
    float[] c = chunk(row);
    int o = offset(row);
    for (int j = 0; j < dim; j++) {
      c[o + j] += scale * src[srcOffset + j];
    }
  }

  @Override
  public void scaleRow(long row, float factor) {
    float[] c = chunk(row);
    int o = offset(row);
    for (int j = 0; j < dim; j++) {
      c[o + j] *= factor;
    }
  }

  /** Heap views of the chunks (packed rows, stride {@code dim * 4} bytes); for emb4j's kernels, not API. */
  @Override
  public RowMemory rowMemory() {
    return memory;
  }

  @Override
  public long sizeInBytes() {
    return rows * dim * (long) Float.BYTES;
  }

  /** Floats before row 0 in each chunk (0, or up to 15 to align rows on a cache line); for tests. */
  int leadingFloats() {
    return lead;
  }

  /** Sets every value to zero. */
  public void clear() {
    for (float[] c : chunks) {
      Arrays.fill(c, 0f);
    }
  }

  /** Heap memory is freed by the garbage collector: nothing to do. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "HeapRowStore(" + rows + " x " + dim + ", " + chunks.length + " chunk" + (chunks.length == 1 ? ")" : "s)");
  }
}
