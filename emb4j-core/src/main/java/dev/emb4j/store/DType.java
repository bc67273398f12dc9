package dev.emb4j.store;

/**
 * The element types of tables and vector files, with their size in bytes. Values are always handled as {@code float} in
 * memory; {@link #F16} and {@link #BF16} are converted on read and write (round to nearest, ties to even).
 */
public enum DType {
  /** IEEE 754 binary32. */
  F32(4),
  /** IEEE 754 binary16 (half precision): largest finite value 65504. */
  F16(2),
  /** bfloat16: the upper 16 bits of a binary32 (8 exponent bits, 7 fraction bits). */
  BF16(2);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /**
   * Bytes per element.
   *
   * @return 4 for {@link #F32}, 2 otherwise
   */
  public int bytes() {
    return bytes;
  }

  /**
   * The float that an element's raw bits stand for (a float16 NaN becomes a quiet float32 NaN with its payload).
   *
   * @param bits the element's bits in the low {@code 8 * bytes()} bits of an int
   * @return the value
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
    };
  }

  /**
   * The raw bits of the element nearest to {@code value} (round to nearest, ties to even). A finite value beyond the
   * type's range becomes an infinity; callers that must not lose it check with {@link #decode}.
   *
   * @param value the value
   * @return the bits, in the low {@code 8 * bytes()} bits
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
    };
  }
}
