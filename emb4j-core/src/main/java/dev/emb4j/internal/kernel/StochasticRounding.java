package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import java.lang.foreign.ValueLayout;

/**
 * How an optimizer step writes updated rows back into a 16-bit table: stochastic rounding, as FBGEMM rounds the
 * updates of its fp16 tables. A value between two neighbours of the 16-bit type goes to the upper one (in magnitude)
 * with a probability equal to its distance from the lower one in units of their gap, so the expected stored value is
 * the float32 value: small updates that round to nearest would drop accumulate instead, on average.
 *
 * <p>This is the scalar reference ({@link #round} per element, {@link #writeRow} per row); {@code PanamaHalfRows}
 * holds its Vector API twin, tested bit for bit, and {@link ScalarKernels#decodeRow} the way back to float32. The random bits are a counter-based hash of {@code (seed, step,
 * row, column)}, so a step's result depends neither on thread scheduling nor on the order rows are written in, and a
 * run repeats exactly.
 *
 * <p>Rounding, for a float32 {@code x} and 32 random bits {@code u}:
 *
 * <ul>
 *   <li>{@link DType#BF16}: the low 16 bits of {@code u} are added to the magnitude bits of {@code x}, which are then
 *       truncated to their upper 16 (bfloat16 is the upper half of a float32, subnormals included).
 *   <li>{@link DType#F16}: from {@code 2^-24} (the smallest subnormal) up, the float32 bits below the float16 value's
 *       precision (13 for normal values, up to 23 for subnormals) get that many random bits added, then are cleared,
 *       which leaves a float16 value exactly. Below {@code 2^-24} the result is 0 or {@code 2^-24}, the latter with
 *       probability {@code |x| * 2^24} (compared with 31 random bits: exact to 2^-31).
 *   <li>Exactly representable values are kept as they are (the added bits never carry); NaN stays NaN (a quiet one,
 *       its sign kept) and infinities stay infinite.
 *   <li>Overflow saturates: a finite value rounds at most to the largest finite value ({@code 65504} for float16,
 *       {@code 3.3895e38} for bfloat16), as FBGEMM's rounding toward zero after adding the random bits does, rather
 *       than becoming an infinity that no later update could bring back.
 * </ul>
 *
 * @param dtype the table's element type ({@link DType#F16} or {@link DType#BF16})
 * @param seed the stream's seed
 * @param step the step, so that each step draws new bits
 */
public record StochasticRounding(DType dtype, long seed, long step) {

  /** Float16 bits of the largest finite value, 65504. */
  static final int F16_MAX = 0x7BFF;

  /** The odd constant of the per-column Weyl sequence (2^32 / golden ratio). */
  static final int COLUMN_STEP = 0x9E3779B9;

  /** Checks that the type is a 16-bit float. */
  public StochasticRounding {
    if (dtype != DType.F16 && dtype != DType.BF16) {
      throw new IllegalArgumentException("stochastic rounding writes F16 or BF16 rows, not " + dtype);
    }
  }

  /** The key of a row's random bits: a 64-bit hash of {@code (seed, step, row)}. */
  long rowKey(long row) {
    return mix64(seed ^ mix64(step * 0x9E3779B97F4A7C15L + row));
  }

  /** The 32 random bits of column {@code col} of the row with key {@code rowKey}: murmur3's finaliser of a Weyl step. */
  static int noise(long rowKey, int col) {
    return fmix32((int) rowKey + col * COLUMN_STEP);
  }

  static int fmix32(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h;
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * The bits of {@code x} rounded stochastically to {@code dtype} with the random bits {@code u}: the reference.
   *
   * @return the 16-bit pattern in the low bits
   */
  static int round(DType dtype, float x, int u) {
    return dtype == DType.BF16 ? roundBf16(x, u) : roundF16(x, u);
  }

  static int roundBf16(float x, int u) {
    int b = Float.floatToRawIntBits(x);
    if ((b & 0x7F800000) == 0x7F800000) {
      return (b & 0x007FFFFF) != 0 ? (b >>> 16) | 0x0040 : b >>> 16; // NaN stays a quiet NaN; infinities stay
    }
    int h = (b + (u & 0xFFFF)) >>> 16; // the sign bit cannot change: the magnitude stays below 0x7F810000
    return (h & 0x7F80) == 0x7F80 ? h - 1 : h; // rounded up to infinity: the largest finite value instead
  }

  static int roundF16(float x, int u) {
    int b = Float.floatToRawIntBits(x);
    int sign = (b >>> 16) & 0x8000;
    int a = b & 0x7FFFFFFF;
    if (a >= 0x7F800000) {
      return sign | (a == 0x7F800000 ? 0x7C00 : 0x7E00);
    }
    int e = (a >>> 23) - 127;
    if (e < -24) {
      // below the smallest subnormal 2^-24: 0 or 2^-24, the latter with probability |x| * 2^24
      int threshold = (int) (Float.intBitsToFloat(a) * 0x1p55f);
      return sign | ((u >>> 1) < threshold ? 1 : 0);
    }
    int drop = Math.max(13, -1 - e); // float32 bits below float16's precision at this magnitude
    int mask = (1 << drop) - 1;
    int r = (a + (u & mask)) & ~mask;
    int e2 = (r >>> 23) - 127;
    int h = e2 >= -14 ? Math.min((r >>> 13) - 0x1C000, F16_MAX) : ((r & 0x7FFFFF) | 0x800000) >>> (-1 - e2);
    return sign | h;
  }

  /**
   * Writes {@code src[off .. off + dim)} into row {@code row} of the 16-bit memory {@code m}, each value rounded
   * stochastically with this step's bits for that row and column.
   */
  void writeRow(RowMemory m, long row, float[] src, int off) {
    long key = rowKey(row);
    int d = m.dim();
    if (m.isHalfHeap()) {
      short[] a = m.halfArray(row);
      int p = m.index(row);
      for (int j = 0; j < d; j++) {
        a[p + j] = (short) round(dtype, src[off + j], noise(key, j));
      }
      return;
    }
    var seg = m.segment(row);
    long p = m.offset(row);
    for (int j = 0; j < d; j++) {
      seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, p + 2L * j, (short) round(dtype, src[off + j], noise(key, j)));
    }
  }
}
