package dev.emb4j.store;

import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;

/**
 * The memory behind a table: {@code rows} rows of {@code dim} values, addressed by a {@code long} row number so that
 * tables of more than 2^31 floats work. Values are read and written as {@code float}; a store of 16-bit elements
 * ({@link #dtype()} {@link DType#F16} or {@link DType#BF16}) converts them, rounding to nearest on writes.
 *
 * <p>Implementations: {@link HeapRowStore} (Java arrays, chunked), {@link OffHeapRowStore} (an FFM {@code
 * MemorySegment} with 64-byte aligned rows), {@link MappedRowStore} (a memory-mapped file) and {@link LazyRowStore}
 * (rows initialised on first touch, over any of the three). Every method that takes a row number expects {@code 0 <=
 * row < rows()}; tables check ids at their public boundary, so stores only assert. The built-in stores also hand their memory to
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
   * How the rows are stored: {@link DType#F32} unless the store says otherwise ({@link DType#F16} or {@link
   * DType#BF16} rows in half the bytes; a {@link QuantizedRowStore} holds {@link DType#INT8} or {@link DType#INT4}
   * rows). Every method reads and writes floats whatever the type.
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

  /**
   * Forces the rows to disk, for a store over a file ({@link MappedRowStore}); stores in memory have nothing to do.
   *
   * @throws java.io.UncheckedIOException if the file cannot be written, or changed underneath the store
   */
  default void flush() {}

  /**
   * A new zero-filled store of the same kind beside this one, for state kept per row of this store (an optimizer's
   * slots): on the heap for heap and off-heap stores, a mapped file named after this one's plus {@code "." + role}
   * for a mapped store (e.g. {@code table.emb4j.adagrad-sum}), flushed and closed with it.
   *
   * @param role what the store holds, a short lower-case name such as {@code adagrad-sum}
   * @param rows its rows
   * @param dim its floats per row
   * @return the new store
   */
  default RowStore allocateSibling(String role, long rows, int dim) {
    return HeapRowStore.allocate(rows, dim);
  }

  /** Releases off-heap memory; a closed store must not be used again. Closing a heap store does nothing. */
  @Override
  void close();
}
