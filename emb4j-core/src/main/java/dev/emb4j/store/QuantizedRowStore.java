package dev.emb4j.store;

import dev.emb4j.internal.store.QuantizedBacked;
import dev.emb4j.internal.store.QuantizedRows;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A read-only table of row-wise quantized rows ({@link DType#INT8} or {@link DType#INT4}) for inference: 4 to 8 times
 * smaller than float32, and as many times less memory traffic per lookup. Each row keeps its own scale and bias, in
 * the layout of PyTorch's {@code embedding_bag_byte_prepack} and {@code embedding_bag_4bit_prepack} (see {@link
 * DType}); value j of a row is {@code fma(scale, q[j], bias)}.
 *
 * <pre>{@code
 * try (QuantizedRowStore int8 = QuantizedRowStore.quantize(trained.weight(), DType.INT8);
 *     EmbeddingBag bag = EmbeddingBag.wrap(int8).mode(BagMode.SUM).build()) {
 *   FloatTensor pooled = bag.lookup(ids, offsets).output();  // rows decoded on the fly
 * }
 * }</pre>
 *
 * <p>Built by quantizing any table ({@link #quantize}) or from rows that PyTorch prepacked ({@link #fromPrepacked}).
 * Reads ({@link #get}, {@link #readRow}, {@link #accumulateRow}) decode; the methods that write throw {@link
 * UnsupportedOperationException}: to train, {@link #dequantize} into a float32 store. Embeddings over it are frozen,
 * and emb4j's lookup and pooling kernels decode its rows on the fly. The rows live off the Java heap; close the store
 * to free them (a store over the caller's segment leaves it to its owner). Safe for concurrent reads.
 */
// QuantizedBacked and QuantizedRows are internal: the kernels' direct access to the rows, not API.
@SuppressWarnings("exports")
public final class QuantizedRowStore extends ReadOnlyRowStore implements QuantizedBacked {
  private final QuantizedRows rows;
  private final DType dtype;
  private final Arena arena;

  private QuantizedRowStore(QuantizedRows rows, DType dtype, Arena arena) {
    this.rows = rows;
    this.dtype = dtype;
    this.arena = arena;
  }

  /**
   * Quantizes every row of {@code source} to {@code dtype} with PyTorch's arithmetic (that of {@code
   * embedding_bag_byte_prepack} / {@code embedding_bag_4bit_prepack}, bit for bit). The source is not changed.
   *
   * @param source the float rows, e.g. a trained table's {@code weight()}
   * @param dtype {@link DType#INT8} or {@link DType#INT4}
   * @return a new store that owns its memory
   * @throws IllegalArgumentException if {@code dtype} is not quantized, or a row cannot be quantized: a NaN or infinite
   *     value, or values too far apart for the type (the message names the row and the value); nothing is kept then
   */
  public static QuantizedRowStore quantize(RowStore source, DType dtype) {
    Objects.requireNonNull(source, "source");
    int bits = bitsOf(dtype);
    int d = source.dim();
    long n = source.rows();
    Arena arena = Arena.ofShared();
    try {
      MemorySegment seg = allocate(arena, n * QuantizedRows.rowBytes(d, bits));
      QuantizedRows q = new QuantizedRows(seg, n, d, bits);
      float[] row = new float[d];
      for (long r = 0; r < n; r++) {
        source.readRow(r, row, 0);
        String problem = QuantizedRows.problem(row, 0, d, bits);
        if (problem != null) {
          throw new IllegalArgumentException(
              "row " + r + " cannot be quantized to " + dtype.label() + ": " + problem + "; nothing was quantized");
        }
        QuantizedRows.encodeRow(row, 0, d, bits, seg, q.offset(r));
      }
      return new QuantizedRowStore(q, dtype, arena);
    } catch (RuntimeException | Error e) {
      arena.close();
      throw e;
    }
  }

  /**
   * A store over rows that PyTorch prepacked, as they are (no copy): the bytes of the {@code uint8} tensor that {@code
   * torch.ops.quantized.embedding_bag_byte_prepack} (INT8, {@code D + 8} bytes per row) or {@code
   * embedding_bag_4bit_prepack} (INT4, {@code D / 2 + 4}) returns, row after row. The segment stays the caller's.
   *
   * @param dtype {@link DType#INT8} or {@link DType#INT4}
   * @param prepacked the rows, exactly {@code rows * dtype.rowBytes(dim)} bytes
   * @param rows the number of rows
   * @param dim values per row
   * @return the store
   * @throws IllegalArgumentException if the type is not quantized, the shape is negative or the size differs
   */
  public static QuantizedRowStore fromPrepacked(DType dtype, MemorySegment prepacked, long rows, int dim) {
    return fromPrepacked(dtype, prepacked, rows, dim, null);
  }

  /** Where {@link #read} gets a new store's rows from: a file, a stream, a checkpoint. */
  @FunctionalInterface
  public interface Source {
    /**
     * Fills {@code rows} with the prepacked rows, all of its bytes.
     *
     * @param rows the store's memory, {@code rows * dtype.rowBytes(dim)} bytes
     * @throws IOException if the rows cannot be read
     */
    void fill(MemorySegment rows) throws IOException;
  }

  /**
   * A new store whose prepacked rows {@code source} writes into its memory (off the Java heap, on huge pages where the
   * JVM allows them, as {@link OffHeapRowStore}'s): how a quantized table is read from a file without a copy.
   *
   * @param dtype {@link DType#INT8} or {@link DType#INT4}
   * @param rows the number of rows
   * @param dim values per row
   * @param source fills the rows
   * @return the store, which owns its memory
   * @throws IOException if the source fails; nothing is kept then
   */
  public static QuantizedRowStore read(DType dtype, long rows, int dim, Source source) throws IOException {
    int bits = bitsOf(dtype);
    StoreChecks.checkShape(rows, dim);
    Arena arena = Arena.ofShared();
    try {
      MemorySegment seg = allocate(arena, rows * dtype.rowBytes(dim));
      source.fill(seg);
      return new QuantizedRowStore(new QuantizedRows(seg, rows, dim, bits), dtype, arena);
    } catch (IOException | RuntimeException | Error e) {
      arena.close();
      throw e;
    }
  }

  /**
   * {@code bytes} of row memory, 64-byte aligned, on transparent huge pages when the table is large and the JVM allows
   * native access (random rows of a large table then cost no TLB miss each), and exactly {@code bytes} long.
   */
  private static MemorySegment allocate(Arena arena, long bytes) {
    MemorySegment seg = HugePageMemory.allocate(Math.max(1, bytes), arena);
    if (seg == null) {
      seg = arena.allocate(Math.max(1, bytes), OffHeapRowStore.ROW_ALIGNMENT_BYTES);
    }
    return seg.asSlice(0, bytes);
  }

  private static QuantizedRowStore fromPrepacked(
      DType dtype, MemorySegment prepacked, long rows, int dim, Arena owner) {
    int bits = bitsOf(dtype);
    StoreChecks.checkShape(rows, dim);
    long need = rows * dtype.rowBytes(dim);
    if (prepacked.byteSize() != need) {
      throw new IllegalArgumentException(
          "prepacked " + dtype.label() + " rows of " + dim + " values take " + dtype.rowBytes(dim) + " bytes each: "
              + rows + " rows need " + need + " bytes, got " + prepacked.byteSize());
    }
    return new QuantizedRowStore(new QuantizedRows(prepacked, rows, dim, bits), dtype, owner);
  }

  /**
   * {@link #fromPrepacked(DType, MemorySegment, long, int)} from a copy of a byte array holding whole rows (the row
   * count is its length over the row size), e.g. {@code prepacked.numpy().tobytes()} of PyTorch's result.
   *
   * @param dtype {@link DType#INT8} or {@link DType#INT4}
   * @param prepacked the rows
   * @param dim values per row
   * @return a new store that owns a copy of the rows
   * @throws IllegalArgumentException if the type is not quantized or the length is not a whole number of rows
   */
  public static QuantizedRowStore fromPrepacked(DType dtype, byte[] prepacked, int dim) {
    int bits = bitsOf(dtype);
    long rowBytes = dtype.rowBytes(dim);
    if (prepacked.length % rowBytes != 0) {
      throw new IllegalArgumentException(
          prepacked.length + " bytes are not a whole number of " + dtype.label() + " rows of " + dim + " values ("
              + rowBytes + " bytes each)");
    }
    try {
      return read(dtype, prepacked.length / rowBytes, dim, rows -> rows.copyFrom(MemorySegment.ofArray(prepacked)));
    } catch (IOException e) {
      throw new AssertionError("a copy from an array does no I/O", e);
    }
  }

  private static int bitsOf(DType dtype) {
    Objects.requireNonNull(dtype, "dtype");
    if (!dtype.quantized()) {
      throw new IllegalArgumentException(
          dtype.label() + " is not a quantized type; a quantized table holds int8 or int4 rows");
    }
    return dtype.bits();
  }

  /**
   * The rows in PyTorch's prepacked layout, read-only: {@code rows() * dtype().rowBytes(dim())} bytes, for writing
   * them out or handing them to PyTorch.
   *
   * @return a read-only view, valid while the store is open
   */
  public MemorySegment prepacked() {
    return rows.segment().asSlice(0, rows.rows() * rows.rowBytes()).asReadOnly();
  }

  /**
   * A float32 copy of the decoded rows in a new store of the given kind: trainable, unlike this one.
   *
   * @param storage where the copy lives
   * @return the new store
   */
  public RowStore dequantize(Storage storage) {
    RowStore out = storage.allocate(rows.rows(), rows.dim());
    float[] row = new float[rows.dim()];
    for (long r = 0; r < rows.rows(); r++) {
      rows.decodeRow(r, row, 0);
      out.writeRow(r, row, 0);
    }
    return out;
  }

  /** The scale of a row: its values are {@code fma(scale, q, bias)}. */
  public float scale(long row) {
    checkRow(row);
    return rows.scale(row);
  }

  /** The bias of a row (its smallest value, up to rounding). */
  public float bias(long row) {
    checkRow(row);
    return rows.bias(row);
  }

  private void checkRow(long row) {
    if (row < 0 || row >= rows.rows()) {
      throw new IndexOutOfBoundsException("row " + row + " is out of range for a table of " + rows.rows() + " rows");
    }
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public long rows() {
    return rows.rows();
  }

  @Override
  public int dim() {
    return rows.dim();
  }

  @Override
  public float get(long row, int col) {
    return rows.value(row, col);
  }

  @Override
  public void readRow(long row, float[] dst, int dstOffset) {
    rows.decodeRow(row, dst, dstOffset);
  }

  /** {@code dst[dstOffset + j] += scale * value(row, j)}: the decoded value times the scale, then the sum. */
  @Override
  public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
    long at = rows.offset(row);
    float s = rows.scaleAt(rows.segment(), at);
    float b = rows.biasAt(rows.segment(), at);
    for (int j = 0; j < rows.dim(); j++) {
      dst[dstOffset + j] += scale * Math.fma(s, (float) rows.quantum(at, j), b);
    }
  }

  @Override
  protected String readOnlyReason() {
    return "this " + dtype.label() + " quantized table is read-only (for inference): train a float32 table and"
        + " quantize it again, or dequantize(storage) this one into a trainable float32 copy";
  }

  /** The rows as memory, for emb4j's kernels; not API. */
  @Override
  public QuantizedRows quantizedRows() {
    return rows;
  }

  @Override
  public long sizeInBytes() {
    return rows.rows() * rows.rowBytes();
  }

  /** Frees the rows if this store owns them; a closed store must not be used again. */
  @Override
  public void close() {
    if (arena != null && arena.scope().isAlive()) {
      arena.close();
    }
  }

  @Override
  public String toString() {
    return "QuantizedRowStore(" + rows.rows() + " x " + rows.dim() + ", " + dtype.label() + ")";
  }
}
