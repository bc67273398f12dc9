package dev.emb4j.store;

/**
 * The element types of tables and vector files. Values are always handled as {@code float} in memory; {@link #F16}
 * and {@link #BF16} are converted on read and write (round to nearest, ties to even).
 *
 * <p>{@link #INT8} and {@link #INT4} are quantized <em>row-wise</em>, for inference: each row holds its values as
 * unsigned integers {@code q} and a scale and a bias of its own, and stands for {@code fma(scale, q, bias)}. Their
 * rows have exactly the layout of PyTorch's (FBGEMM's) prepacked rows, so that bytes prepacked by PyTorch load as
 * they are (see {@link QuantizedRowStore}):
 *
 * <pre>
 * INT8 ({@code torch.ops.quantized.embedding_bag_byte_prepack}):  D uint8, then scale and bias as float32 little-endian
 * INT4 ({@code torch.ops.quantized.embedding_bag_4bit_prepack}):  ceil(D / 2) bytes, value 2i in the low 4 bits of
 *      byte i and value 2i + 1 in its high 4 bits, then scale and bias as float16 little-endian
 * </pre>
 *
 * <p>A quantized value has no bits of its own ({@link #decode} and {@link #encode} refuse them): use {@link
 * #rowBytes(int)} for sizes.
 */
public enum DType {
  /** IEEE 754 binary32. */
  F32(32),
  /** IEEE 754 binary16 (half precision): largest finite value 65504. */
  F16(16),
  /** bfloat16: the upper 16 bits of a binary32 (8 exponent bits, 7 fraction bits). */
  BF16(16),
  /** Row-wise quantized to 8 bits (0..255), with a float32 scale and bias per row; for inference. */
  INT8(8),
  /** Row-wise quantized to 4 bits (0..15), two per byte, with a float16 scale and bias per row; for inference. */
  INT4(4);

  private final int bits;

  DType(int bits) {
    this.bits = bits;
  }

  /**
   * Bytes per element.
   *
   * @return 4 for {@link #F32}, 2 for {@link #F16} and {@link #BF16}, 1 for {@link #INT8}
   * @throws UnsupportedOperationException for {@link #INT4}, whose elements are half a byte: use {@link #rowBytes}
   */
  public int bytes() {
    if (bits < 8) {
      throw new UnsupportedOperationException(this + " packs two values per byte; use rowBytes(dim)");
    }
    return bits / 8;
  }

  /**
   * Bits per element (the scale and bias of a quantized row not counted).
   *
   * @return 32, 16, 16, 8 or 4
   */
  public int bits() {
    return bits;
  }

  /**
   * Whether rows of this type are quantized row-wise (a scale and a bias per row): {@link #INT8} and {@link #INT4}.
   *
   * @return true for the quantized types
   */
  public boolean quantized() {
    return this == INT8 || this == INT4;
  }

  /**
   * Bytes of one row of {@code dim} values, scale and bias included: {@code 4 dim}, {@code 2 dim}, {@code dim + 8} or
   * {@code ceil(dim / 2) + 4}.
   *
   * @param dim values per row, positive
   * @return the row's size in bytes
   * @throws IllegalArgumentException if {@code dim} is not positive
   */
  public long rowBytes(int dim) {
    if (dim <= 0) {
      throw new IllegalArgumentException("the row width (embedding dim) must be positive, got " + dim);
    }
    return switch (this) {
      case F32, F16, BF16 -> (long) dim * (bits / 8);
      case INT8 -> dim + 2L * Float.BYTES;
      case INT4 -> (dim + 1L) / 2 + 2L * Short.BYTES;
    };
  }

  /**
   * The lower-case name used in file headers and on the command line: {@code f32}, {@code f16}, {@code bf16}, {@code
   * int8}, {@code int4}.
   *
   * @return the name
   */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The type with the given {@link #label()}, case-insensitive; {@code fp32} and {@code fp16} are accepted too.
   *
   * @param label e.g. {@code "int8"} or {@code "fp16"}
   * @return the type
   * @throws IllegalArgumentException naming the accepted labels if none matches
   */
  public static DType fromLabel(String label) {
    String l = label.trim().toLowerCase(java.util.Locale.ROOT);
    for (DType t : values()) {
      if (t.label().equals(l) || t.label().equals(l.replace("fp", "f"))) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown dtype '" + label + "' (known: f32, f16, bf16, int8, int4)");
  }

  /**
   * The float that an element's raw bits stand for (a float16 NaN becomes a quiet float32 NaN with its payload).
   *
   * @param bits the element's bits in the low {@code 8 * bytes()} bits of an int
   * @return the value
   * @throws UnsupportedOperationException for a quantized type, whose values need their row's scale and bias
   */
  public float decode(int bits) {
    return switch (this) {
      case F32 -> Float.intBitsToFloat(bits);
      case F16 -> {
        float f = Float.float16ToFloat((short) bits);
        // a NaN comes back quiet, as the JIT's intrinsic (vcvtph2ps) gives it while the library's Java code keeps a
        // signalling one: the same result interpreted and compiled
        yield f != f ? Float.intBitsToFloat(Float.floatToRawIntBits(f) | 0x0040_0000) : f;
      }
      case BF16 -> Float.intBitsToFloat(bits << 16);
      case INT8, INT4 -> throw perRow();
    };
  }

  /**
   * The raw bits of the element nearest to {@code value} (round to nearest, ties to even). A finite value beyond the
   * type's range becomes an infinity; callers that must not lose it check with {@link #decode}.
   *
   * @param value the value
   * @return the bits, in the low {@code 8 * bytes()} bits
   * @throws UnsupportedOperationException for a quantized type, whose values need their row's scale and bias
   */
  public int encode(float value) {
    return switch (this) {
      case F32 -> Float.floatToRawIntBits(value);
      case F16 -> Float.floatToFloat16(value) & 0xFFFF;
      case BF16 -> {
        int b = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
          yield (b >>> 16) | 0x40; // keep it a (quiet) NaN whatever the low bits were
        }
        yield ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16) & 0xFFFF;
      }
      case INT8, INT4 -> throw perRow();
    };
  }

  private UnsupportedOperationException perRow() {
    return new UnsupportedOperationException(
        this + " is quantized row-wise: a value needs its row's scale and bias (see QuantizedRowStore)");
  }
}
