package dev.emb4j.store;

import dev.emb4j.internal.store.MemoryBacked;
import dev.emb4j.internal.store.RowMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Rows outside the Java heap, in one FFM {@link MemorySegment} addressed with {@code long} byte offsets.
 *
 * <pre>
 * allocated: base aligned to 64 bytes; row r at byte r * stride, stride = dim * dtype.bytes() rounded up to 64
 *            bytes, so every row starts on a cache line; the padding stays zero. From 8 MiB, on Linux transparent
 *            huge pages where the JVM allows native access (see HugePageMemory)
 * wrapped:   the caller's float32 segment as given, stride = dim * 4 (packed rows)
 * </pre>
 *
 * <p>Rows of {@link DType#F16} or {@link DType#BF16} hold the elements' 16-bit patterns (half the memory of float32);
 * values are converted on every read and write, rounding to nearest on writes ({@link DType#encode}).
 *
 * <p>An allocated store owns its memory and frees it on {@link #close()}; using a closed store throws {@link
 * IllegalStateException}. A wrapped store never frees the caller's memory.
 */
// MemoryBacked and RowMemory are internal: the kernels' direct access to the rows, not API.
@SuppressWarnings("exports")
public final class OffHeapRowStore implements RowStore, MemoryBacked {
  /** Rows start on 64-byte boundaries (one cache line, one AVX-512 register). */
  public static final int ROW_ALIGNMENT_BYTES = 64;

  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
  private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;

  private final long rows;
  private final int dim;
  private final DType dtype;
  private final long strideBytes;
  private final MemorySegment segment;
  private final Arena arena;

  private OffHeapRowStore(long rows, int dim, DType dtype, long strideBytes, MemorySegment segment, Arena arena) {
    this.rows = rows;
    this.dim = dim;
    this.dtype = dtype;
    this.strideBytes = strideBytes;
    this.segment = segment;
    this.arena = arena;
  }

  /** A zero-filled float32 store of {@code rows x dim} with 64-byte aligned rows. */
  public static OffHeapRowStore allocate(long rows, int dim) {
    return allocate(rows, dim, DType.F32);
  }

  /**
   * A zero-filled store of {@code rows x dim} elements of {@code dtype} with 64-byte aligned rows.
   *
   * @throws IllegalArgumentException if the shape is invalid or {@code dtype} is not F32, F16 or BF16
   */
  public static OffHeapRowStore allocate(long rows, int dim, DType dtype) {
    StoreChecks.checkShape(rows, dim);
    StoreChecks.checkTrainable(dtype);
    long stride = paddedStrideBytes(dim, dtype.bytes());
    Arena arena = Arena.ofShared();
    long bytes = Math.max(byteOffset(rows, stride), 1);
    MemorySegment seg = HugePageMemory.allocate(bytes, arena);
    if (seg == null) {
      seg = arena.allocate(bytes, ROW_ALIGNMENT_BYTES);
    }
    return new OffHeapRowStore(rows, dim, dtype, stride, seg, arena);
  }

  /**
   * A store over the caller's memory: {@code rows} packed rows of {@code dim} floats in native byte order. The
   * segment must be at least {@code rows * dim * 4} bytes and 4-byte aligned; it stays owned by the caller.
   */
  public static OffHeapRowStore wrap(MemorySegment segment, long rows, int dim) {
    StoreChecks.checkShape(rows, dim);
    long stride = (long) dim * Float.BYTES;
    long need = byteOffset(rows, stride);
    if (segment.byteSize() < need) {
      throw new IllegalArgumentException(
          "segment of " + segment.byteSize() + " bytes is too small for " + rows + " rows of " + dim + " floats ("
              + need + " bytes)");
    }
    if (segment.isNative() && segment.address() % Float.BYTES != 0) {
      throw new IllegalArgumentException("segment address " + segment.address() + " is not 4-byte aligned");
    }
    return new OffHeapRowStore(rows, dim, DType.F32, stride, segment, null);
  }

  /**
   * A store over {@code rows} packed rows of {@code dim} elements of {@code dtype} (F32, F16 or BF16) in native byte
   * order in {@code segment}, which stays owned by the caller: a mapped table's rows.
   */
  static OffHeapRowStore wrapPacked(MemorySegment segment, long rows, int dim, DType dtype) {
    if (dtype == DType.F32) {
      return wrap(segment, rows, dim);
    }
    StoreChecks.checkShape(rows, dim);
    StoreChecks.checkTrainable(dtype);
    long stride = (long) dim * dtype.bytes();
    if (segment.byteSize() < byteOffset(rows, stride)) {
      throw new IllegalArgumentException(
          "segment of " + segment.byteSize() + " bytes is too small for " + rows + " rows of " + dim + " "
              + dtype.label() + " elements");
    }
    return new OffHeapRowStore(rows, dim, dtype, stride, segment, null);
  }

  /** The byte stride of a 64-byte aligned row of {@code dim} floats. */
  static long paddedStrideBytes(int dim) {
    return paddedStrideBytes(dim, Float.BYTES);
  }

  /** The byte stride of a 64-byte aligned row of {@code dim} elements of {@code elementBytes} bytes. */
  static long paddedStrideBytes(int dim, int elementBytes) {
    long perLine = ROW_ALIGNMENT_BYTES / elementBytes;
    return (dim + perLine - 1) / perLine * ROW_ALIGNMENT_BYTES;
  }

  /** The byte offset of {@code row}; long arithmetic throughout, with an error instead of a silent overflow. */
  static long byteOffset(long row, long strideBytes) {
    return Math.multiplyExact(row, strideBytes);
  }

  private long at(long row, int col) {
    assert row >= 0 && row < rows : "row " + row + " outside 0.." + (rows - 1);
    return byteOffset(row, strideBytes) + (long) col * dtype.bytes();
  }

  /** The whole segment (rows at {@link #strideBytes()} intervals), for kernels that work on memory directly. */
  public MemorySegment segment() {
    return segment;
  }

  /** Bytes from the start of one row to the start of the next. */
  public long strideBytes() {
    return strideBytes;
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

  /** The value at byte offset {@code p}. */
  private float load(long p) {
    return dtype == DType.F32 ? segment.get(FLOAT, p) : dtype.decode(segment.get(SHORT, p));
  }

  /** Writes {@code value} at byte offset {@code p}, rounded to nearest for 16-bit rows. */
  private void store(long p, float value) {
    if (dtype == DType.F32) {
      segment.set(FLOAT, p, value);
    } else {
      segment.set(SHORT, p, (short) dtype.encode(value));
    }
  }

  @Override
  public float get(long row, int col) {
    return load(at(row, col));
  }

  @Override
  public void set(long row, int col, float value) {
    store(at(row, col), value);
  }

  @Override
  public void readRow(long row, float[] dst, int dstOffset) {
    if (dtype == DType.F32) {
      MemorySegment.copy(segment, FLOAT, at(row, 0), dst, dstOffset, dim);
      return;
    }
    long base = at(row, 0);
    for (int j = 0; j < dim; j++) {
      dst[dstOffset + j] = load(base + (long) j * Short.BYTES);
    }
  }

  @Override
  public void writeRow(long row, float[] src, int srcOffset) {
    if (dtype == DType.F32) {
      MemorySegment.copy(src, srcOffset, segment, FLOAT, at(row, 0), dim);
      return;
    }
    long base = at(row, 0);
    for (int j = 0; j < dim; j++) {
      store(base + (long) j * Short.BYTES, src[srcOffset + j]);
    }
  }

  @Override
  public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
    long base = at(row, 0);
    int bytes = dtype.bytes();
    for (int j = 0; j < dim; j++) {
      dst[dstOffset + j] += scale * load(base + (long) j * bytes);
    }
  }

  @Override
  public void addToRow(long row, float scale, float[] src, int srcOffset) {
    long base = at(row, 0);
    int bytes = dtype.bytes();
    for (int j = 0; j < dim; j++) {
      long p = base + (long) j * bytes;
      store(p, load(p) + scale * src[srcOffset + j]);
    }
  }

  @Override
  public void scaleRow(long row, float factor) {
    long base = at(row, 0);
    int bytes = dtype.bytes();
    for (int j = 0; j < dim; j++) {
      long p = base + (long) j * bytes;
      store(p, load(p) * factor);
    }
  }

  /** The segment as one chunk at {@link #strideBytes()}; for emb4j's kernels, not API. */
  @Override
  public RowMemory rowMemory() {
    MemorySegment[] chunks = {segment};
    return dtype == DType.F32
        ? new RowMemory(chunks, null, 0, Math.max(rows, 1), strideBytes, rows, dim)
        : RowMemory.ofHalfSegments(chunks, Math.max(rows, 1), strideBytes, rows, dim);
  }

  @Override
  public long sizeInBytes() {
    return byteOffset(rows, strideBytes);
  }

  /** Frees the memory of an allocated store; does nothing for a wrapped one. Idempotent. */
  @Override
  public void close() {
    if (arena != null && arena.scope().isAlive()) {
      arena.close();
    }
  }

  @Override
  public String toString() {
    return "OffHeapRowStore(" + rows + " x " + dim + (dtype == DType.F32 ? "" : ", " + dtype) + ", stride " + strideBytes + " bytes" + (arena == null ? ", wrapped)" : ")");
  }
}
