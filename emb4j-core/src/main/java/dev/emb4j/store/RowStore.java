package dev.emb4j.store;

import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;

/**
 * The memory behind a table: {@code rows} rows of {@code dim} values, addressed by a {@code long} row number so that
 * tables of more than 2^31 floats work. Values are read and written as {@code float}; a store of 16-bit elements
 * ({@link #dtype()} {@link DType#F16} or {@link DType#BF16}) converts them, rounding to nearest on writes.
 *
 * <p>Implementations: {@link HeapRowStore} (Java arrays, chunked) and {@link OffHeapRowStore} (an FFM {@code
 * MemorySegment} with 64-byte aligned rows). Every method that takes a row number expects {@code 0 <= row < rows()};
 * tables check ids at their public boundary, so stores only assert. The built-in stores also hand their memory to
 * emb4j's kernels directly; other implementations are used through the methods below.
 *
 * <p>Thread safety: concurrent reads are safe; a write concurrent with a read or a write of the same row is a data
 * race (each float is written atomically, a row is not).
 */
public interface RowStore extends AutoCloseable {

  /** Number of rows (V). */
  long rows();

  /** Values per row (D). */
  int dim();

  /**
   * The element type the rows are kept in: {@link DType#F32} unless the store says otherwise.
   *
   * @return the element type
   */
  default DType dtype() {
    return DType.F32;
  }

  /** One value. */
  float get(long row, int col);

  /** Sets one value. */
  void set(long row, int col, float value);

  /** Copies row {@code row} into {@code dst[dstOffset .. dstOffset + dim)}. */
  void readRow(long row, float[] dst, int dstOffset);

  /** Overwrites row {@code row} with {@code src[srcOffset .. srcOffset + dim)}. */
  void writeRow(long row, float[] src, int srcOffset);

  /** {@code dst[dstOffset + j] += scale * row[j]} for every column j: the inner step of a bag sum. */
  void accumulateRow(long row, float scale, float[] dst, int dstOffset);

  /** {@code row[j] += scale * src[srcOffset + j]} for every column j: the inner step of a gradient scatter. */
  void addToRow(long row, float scale, float[] src, int srcOffset);

  /** {@code row[j] *= factor} for every column j. */
  void scaleRow(long row, float factor);

  /** Bytes of memory this store holds (its own allocation; 0 extra for wrapped caller memory is not assumed). */
  long sizeInBytes();

  /**
   * A copy of all rows as a {@code (rows, dim)} tensor, for small tables, tests and printing.
   *
   * @throws IllegalStateException if the table has more than about 2^31 floats (read it row by row instead)
   */
  default FloatTensor toTensor() {
    long n = rows() * dim();
    if (rows() > Integer.MAX_VALUE || n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(
          "a " + rows() + " x " + dim() + " table does not fit one Java array; read it row by row");
    }
    int d = dim();
    float[] out = new float[(int) n];
    for (long r = 0; r < rows(); r++) {
      readRow(r, out, (int) (r * d));
    }
    return FloatTensor.wrap(Shape.of((int) rows(), d), out);
  }

  /** Releases off-heap memory; a closed store must not be used again. Closing a heap store does nothing. */
  @Override
  void close();
}
