package dev.emb4j.internal.store;

import java.lang.foreign.MemorySegment;

/**
 * The memory behind a row store ({@code dev.emb4j.store.RowStore}), for kernels that read and write rows directly instead of through the
 * store's methods: one or more {@link MemorySegment}s holding rows at a fixed byte stride.
 *
 * <pre>
 * row r lives in chunk c = r / rowsPerChunk, at byte (r % rowsPerChunk) * strideBytes of chunk(c);
 * its elements are native-order values of elementBytes() bytes at [0, dim) * elementBytes() from there: float32
 * (4 bytes), or the bits of a 16-bit float (2 bytes; the store's dtype says which). One chunk: chunk(0) holds every
 * row.
 * </pre>
 *
 * <p>Heap stores give {@link MemorySegment#ofArray(float[])} views of their chunks from row 0 on (a large chunk may
 * skip a few floats before it, to start rows on a cache line) and, through {@link #array} and
 * {@link #index}, the {@code float[]} chunks themselves (vector loads from {@code float[]} are compiled to plain
 * vector instructions, while loads from a heap segment over a {@code float[]} are not always); off-heap stores give
 * their segment. Heap stores of 16-bit rows give their {@code short[]} chunks through {@link #halfArray}; {@link
 * #isHeap} and {@link #array} are about {@code float[]} chunks only, so a kernel that reads float32 rows tests {@link
 * #elementBytes} first. A view is only valid while its store is open. Row numbers are trusted (kernels assert).
 */
public final class RowMemory {
  private final MemorySegment[] chunks;
  private final MemorySegment single;
  private final float[][] arrays;
  private final float[] singleArray;
  private final short[][] halfArrays;
  /** The one 16-bit heap chunk holding every row, or null. */
  private final short[] singleHalfArray;
  private final int elementBytes;
  private final int lead;
  private final long rowsPerChunk;
  /** log2(rowsPerChunk) when it is a power of two (a shift and a mask instead of two long divisions), else -1. */
  private final int chunkShift;
  private final long chunkMask;
  private final long strideBytes;
  private final long rows;
  private final int dim;

  /**
   * A view of rows laid out as the class documentation describes.
   *
   * @param chunks the segments, one per chunk
   * @param arrays the {@code float[]} behind each chunk for heap stores, or null off-heap
   * @param lead floats before row 0 in each heap chunk (0 off-heap)
   * @param rowsPerChunk rows in each chunk but maybe the last
   * @param strideBytes bytes from one row to the next
   * @param rows the number of rows
   * @param dim floats per row
   */
  public RowMemory(
      MemorySegment[] chunks, float[][] arrays, int lead, long rowsPerChunk, long strideBytes, long rows, int dim) {
    this(chunks, arrays, null, Float.BYTES, lead, rowsPerChunk, strideBytes, rows, dim);
  }

  /**
   * A view of rows of 16-bit elements (float16 or bfloat16 bits) in segments: off-heap or mapped memory.
   *
   * @param chunks the segments, one per chunk
   * @param rowsPerChunk rows in each chunk but maybe the last
   * @param strideBytes bytes from one row to the next
   * @param rows the number of rows
   * @param dim elements per row
   * @return the view
   */
  public static RowMemory ofHalfSegments(
      MemorySegment[] chunks, long rowsPerChunk, long strideBytes, long rows, int dim) {
    return new RowMemory(chunks, null, null, Short.BYTES, 0, rowsPerChunk, strideBytes, rows, dim);
  }

  /**
   * A view of rows of 16-bit elements in heap {@code short[]} chunks, packed ({@code dim} elements per row) after
   * {@code lead} elements.
   *
   * @param chunks the segments over the arrays, from their first row on
   * @param arrays the arrays
   * @param lead elements before row 0 in each array
   * @param rowsPerChunk rows in each chunk but maybe the last
   * @param rows the number of rows
   * @param dim elements per row
   * @return the view
   */
  public static RowMemory ofHalfArrays(
      MemorySegment[] chunks, short[][] arrays, int lead, long rowsPerChunk, long rows, int dim) {
    return new RowMemory(chunks, null, arrays, Short.BYTES, lead, rowsPerChunk, (long) dim * Short.BYTES, rows, dim);
  }

  private RowMemory(
      MemorySegment[] chunks, float[][] arrays, short[][] halfArrays, int elementBytes, int lead, long rowsPerChunk,
      long strideBytes, long rows, int dim) {
    this.chunks = chunks.clone();
    this.single = chunks.length == 1 ? chunks[0] : null;
    this.arrays = arrays == null ? null : arrays.clone();
    this.singleArray = arrays != null && arrays.length == 1 ? arrays[0] : null;
    this.halfArrays = halfArrays == null ? null : halfArrays.clone();
    this.singleHalfArray = halfArrays != null && halfArrays.length == 1 ? halfArrays[0] : null;
    this.elementBytes = elementBytes;
    this.lead = lead;
    this.rowsPerChunk = rowsPerChunk;
    this.chunkShift = Long.bitCount(rowsPerChunk) == 1 ? Long.numberOfTrailingZeros(rowsPerChunk) : -1;
    this.chunkMask = rowsPerChunk - 1;
    this.strideBytes = strideBytes;
    this.rows = rows;
    this.dim = dim;
  }

  /** The segment that holds {@code row}. */
  public MemorySegment segment(long row) {
    assert row >= 0 && row < rows : "row " + row + " outside 0.." + (rows - 1);
    return single != null ? single : chunks[chunkOf(row)];
  }

  /** The byte offset of {@code row} inside {@link #segment(long) segment(row)}. */
  public long offset(long row) {
    return single != null ? row * strideBytes : rowInChunk(row) * strideBytes;
  }

  /** True for float32 rows in {@code float[]} chunks on the heap ({@link #array} and {@link #index} apply). */
  public boolean isHeap() {
    return arrays != null;
  }

  /** Bytes per element: 4 for float32 rows, 2 for 16-bit rows. */
  public int elementBytes() {
    return elementBytes;
  }

  /** True for 16-bit rows in {@code short[]} chunks on the heap ({@link #halfArray} and {@link #index} apply). */
  public boolean isHalfHeap() {
    return halfArrays != null;
  }

  /** The {@code short[]} chunk that holds {@code row} (16-bit heap views only). */
  public short[] halfArray(long row) {
    assert row >= 0 && row < rows : "row " + row + " outside 0.." + (rows - 1);
    return singleHalfArray != null ? singleHalfArray : halfArrays[chunkOf(row)];
  }

  /** The heap chunk that holds {@code row} (heap views only). */
  public float[] array(long row) {
    assert row >= 0 && row < rows : "row " + row + " outside 0.." + (rows - 1);
    return singleArray != null ? singleArray : arrays[chunkOf(row)];
  }

  /**
   * The one heap chunk holding every row, or {@code null} (off-heap, or several chunks): with it, row r starts at
   * float {@link #lead()} + r * {@link #dim()}. Kernels keep it in a local so the JIT need not reload the fields per row.
   */
  public float[] singleArray() {
    return singleArray;
  }

  /** Floats before row 0 in each heap chunk (0 off-heap). */
  public int lead() {
    return lead;
  }

  /**
   * The element index of {@code row} inside {@link #array(long) array(row)} or {@link #halfArray(long)
   * halfArray(row)} (heap views only).
   */
  public int index(long row) {
    return (int) (lead + (singleArray != null || singleHalfArray != null ? row * dim : rowInChunk(row) * dim));
  }

  private int chunkOf(long row) {
    return (int) (chunkShift >= 0 ? row >>> chunkShift : row / rowsPerChunk);
  }

  private long rowInChunk(long row) {
    return chunkShift >= 0 ? row & chunkMask : row % rowsPerChunk;
  }

  /** The one segment holding every row, or {@code null} when the rows are split over several chunks. */
  public MemorySegment single() {
    return single;
  }

  /** Bytes from the start of one row to the start of the next within a chunk. */
  public long strideBytes() {
    return strideBytes;
  }

  /** Number of rows. */
  public long rows() {
    return rows;
  }

  /** Elements per row. */
  public int dim() {
    return dim;
  }

  /** Total bytes of the rows, padding included. */
  public long byteSize() {
    return rows * strideBytes;
  }
}
