package dev.emb4j.internal.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Row-wise quantized rows in one {@link MemorySegment}, in the layout of PyTorch's (FBGEMM's) prepacked embedding rows,
 * and the scalar reference of their arithmetic: quantizing a float row and decoding it back. The Vector API decoders
 * of the kernels are tested bit for bit against {@link #decodeRow}.
 *
 * <pre>
 * row r at byte r * rowBytes, rows packed (no padding), all little-endian:
 * 8 bits: D bytes q[j], then scale and bias as float32     (rowBytes = D + 8;  embedding_bag_byte_prepack)
 * 4 bits: ceil(D/2) bytes, q[2i] in the low and q[2i + 1] in the high 4 bits of byte i, then scale and bias as
 *         float16                                           (rowBytes = ceil(D/2) + 4; embedding_bag_4bit_prepack)
 * value[j] = fma(scale, q[j], bias), in float32
 * </pre>
 *
 * <p>The decode is the one PyTorch's quantized lookup ({@code embedding_bag_byte_rowwise_offsets} over a bag of one
 * row) computes; {@code embedding_bag_byte_unpack} rounds the product first and may differ by one unit in the last
 * place. Quantizing follows {@code embedding_bag_byte_prepack} and {@code embedding_bag_4bit_prepack} exactly
 * (without FBGEMM; checked against PyTorch 1.13), see {@link #encodeRow}.
 *
 * <p>Row numbers are trusted (the tables validate ids); a view is valid while its store is open.
 */
public final class QuantizedRows {
  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort SHORT_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** fp16's largest finite value: 4-bit rows keep their scale and bias in fp16. */
  private static final float HALF_MAX = 65504f;

  private final MemorySegment segment;
  private final long rows;
  private final int dim;
  private final int bits;
  private final long rowBytes;
  /** Bytes of quantized values at the start of a row: D, or ceil(D/2). */
  private final int valueBytes;

  /**
   * A view of {@code rows} quantized rows of {@code dim} values at the start of {@code segment}.
   *
   * @param segment the rows, at least {@code rows * rowBytes(dim, bits)} bytes
   * @param rows the number of rows
   * @param dim values per row
   * @param bits 8 or 4
   */
  public QuantizedRows(MemorySegment segment, long rows, int dim, int bits) {
    if (bits != 8 && bits != 4) {
      throw new IllegalArgumentException("rows are quantized to 8 or 4 bits, not " + bits);
    }
    this.segment = segment;
    this.rows = rows;
    this.dim = dim;
    this.bits = bits;
    this.rowBytes = rowBytes(dim, bits);
    this.valueBytes = bits == 8 ? dim : (dim + 1) / 2;
    if (segment.byteSize() < rows * rowBytes) {
      throw new IllegalArgumentException(
          segment.byteSize() + " bytes cannot hold " + rows + " rows of " + rowBytes + " bytes");
    }
  }

  /**
   * Bytes of one quantized row, scale and bias included.
   *
   * @param dim values per row
   * @param bits 8 or 4
   * @return {@code dim + 8} or {@code ceil(dim / 2) + 4}
   */
  public static long rowBytes(int dim, int bits) {
    return bits == 8 ? dim + 8L : (dim + 1L) / 2 + 4;
  }

  /** The memory of the rows. */
  public MemorySegment segment() {
    return segment;
  }

  /** Number of rows. */
  public long rows() {
    return rows;
  }

  /** Values per row. */
  public int dim() {
    return dim;
  }

  /** 8 or 4. */
  public int bits() {
    return bits;
  }

  /** Bytes from one row to the next. */
  public long rowBytes() {
    return rowBytes;
  }

  /** The byte offset of {@code row}. */
  public long offset(long row) {
    assert row >= 0 && row < rows : "row " + row + " outside 0.." + (rows - 1);
    return row * rowBytes;
  }

  /** The scale of {@code row}. */
  public float scale(long row) {
    return scaleAt(segment, offset(row));
  }

  /** The bias of {@code row}. */
  public float bias(long row) {
    return biasAt(segment, offset(row));
  }

  /** The scale of the row at byte {@code at} of {@code seg}. */
  public float scaleAt(MemorySegment seg, long at) {
    return bits == 8
        ? seg.get(FLOAT_LE, at + valueBytes)
        : Float.float16ToFloat(seg.get(SHORT_LE, at + valueBytes));
  }

  /** The bias of the row at byte {@code at} of {@code seg}. */
  public float biasAt(MemorySegment seg, long at) {
    return bits == 8
        ? seg.get(FLOAT_LE, at + valueBytes + Float.BYTES)
        : Float.float16ToFloat(seg.get(SHORT_LE, at + valueBytes + Short.BYTES));
  }

  /** The quantized value {@code q} of column {@code col} of the row at byte {@code at}: 0..255 or 0..15. */
  public int quantum(long at, int col) {
    if (bits == 8) {
      return segment.get(ValueLayout.JAVA_BYTE, at + col) & 0xFF;
    }
    int b = segment.get(ValueLayout.JAVA_BYTE, at + (col >> 1)) & 0xFF;
    return (col & 1) == 0 ? b & 0x0F : b >>> 4;
  }

  /** One value: {@code fma(scale, q, bias)}. */
  public float value(long row, int col) {
    long at = offset(row);
    return Math.fma(scaleAt(segment, at), (float) quantum(at, col), biasAt(segment, at));
  }

  /** The reference decode: {@code dst[off + j] = fma(scale, q[j], bias)} for every column j of {@code row}. */
  public void decodeRow(long row, float[] dst, int off) {
    long at = offset(row);
    float scale = scaleAt(segment, at);
    float bias = biasAt(segment, at);
    for (int j = 0; j < dim; j++) {
      dst[off + j] = Math.fma(scale, (float) quantum(at, j), bias);
    }
  }

  /**
   * Why {@code src[off .. off + dim)} cannot be quantized to {@code bits}, or null when it can: a NaN or infinite
   * value, a range (max - min) beyond float32, or, for 4 bits, a minimum or scale beyond float16.
   *
   * @return e.g. {@code "column 3 is NaN"}, or null
   */
  public static String problem(float[] src, int off, int dim, int bits) {
    for (int j = 0; j < dim; j++) {
      if (!Float.isFinite(src[off + j])) {
        return "column " + j + " is " + src[off + j];
      }
    }
    float min = min(src, off, dim);
    float max = max(src, off, dim);
    if (!Float.isFinite(max - min)) {
      return "its values span " + min + " .. " + max + ", a range beyond float32";
    }
    if (bits == 4 && (Math.abs(min) > HALF_MAX || (max - min) / 15f > HALF_MAX)) {
      return "its values span " + min + " .. " + max + ", beyond the float16 scale and bias of a 4-bit row (at most "
          + HALF_MAX + ")";
    }
    return null;
  }

  /**
   * Quantizes {@code src[off .. off + dim)} into the row at byte {@code at} of {@code dst}, with PyTorch's arithmetic
   * (all float32, {@code rint} rounding half to even as C's {@code lrintf}):
   *
   * <pre>
   * 8 bits: scale = (max - min) / 255, bias = min, q = rint((x - min) * (255 / (max - min + 1e-8)))
   * 4 bits: bias = fp16(min), range = max - bias, scale = fp16(range / 15) (1 when range is 0, or when that
   *         scale is 0 or its inverse infinite), q = clamp(rint((x - bias) * (1 / scale)), 0, 15)
   * </pre>
   *
   * The row must pass {@link #problem} (finite, in range); the caller checks it and names the row.
   */
  public static void encodeRow(float[] src, int off, int dim, int bits, MemorySegment dst, long at) {
    float min = min(src, off, dim);
    float max = max(src, off, dim);
    if (bits == 8) {
      float range = max - min;
      float inverse = 255f / (range + 1e-8f);
      for (int j = 0; j < dim; j++) {
        dst.set(ValueLayout.JAVA_BYTE, at + j, (byte) (int) Math.rint((src[off + j] - min) * inverse));
      }
      dst.set(FLOAT_LE, at + dim, range / 255f);
      dst.set(FLOAT_LE, at + dim + Float.BYTES, min);
      return;
    }
    short biasBits = Float.floatToFloat16(min);
    float bias = Float.float16ToFloat(biasBits);
    float range = max - bias;
    short scaleBits = Float.floatToFloat16(range == 0 ? 1f : range / 15f);
    float scale = Float.float16ToFloat(scaleBits);
    float inverse = scale == 0 ? 1f : 1f / scale;
    if (scale == 0 || Float.isInfinite(inverse)) {
      scaleBits = Float.floatToFloat16(1f);
      inverse = 1f;
    }
    int packed = (dim + 1) / 2;
    for (int i = 0; i < packed; i++) {
      int lo = quantum4(src[off + 2 * i], bias, inverse);
      int hi = 2 * i + 1 < dim ? quantum4(src[off + 2 * i + 1], bias, inverse) : 0;
      dst.set(ValueLayout.JAVA_BYTE, at + i, (byte) (lo | hi << 4));
    }
    dst.set(SHORT_LE, at + packed, scaleBits);
    dst.set(SHORT_LE, at + packed + Short.BYTES, biasBits);
  }

  private static int quantum4(float x, float bias, float inverse) {
    return (int) Math.max(0, Math.min(15, Math.rint((x - bias) * inverse)));
  }

  /** The first smallest value by {@code <}, as {@code std::min_element}: of 0.0 and -0.0, whichever comes first. */
  private static float min(float[] src, int off, int dim) {
    float m = src[off];
    for (int j = 1; j < dim; j++) {
      if (src[off + j] < m) {
        m = src[off + j];
      }
    }
    return m;
  }

  /** The first largest value by {@code <}, as {@code std::max_element}. */
  private static float max(float[] src, int off, int dim) {
    float m = src[off];
    for (int j = 1; j < dim; j++) {
      if (m < src[off + j]) {
        m = src[off + j];
      }
    }
    return m;
  }
}
