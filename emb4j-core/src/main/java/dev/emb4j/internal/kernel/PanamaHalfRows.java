package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.NATIVE;
import static dev.emb4j.internal.kernel.PanamaVectors.S;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API twins of the 16-bit row codecs: {@link #decodeRow} of {@link ScalarKernels#decodeRow} (bfloat16 and
 * float16 to float32, exact) and {@link #encodeRow} of {@link StochasticRounding#writeRow}, bit for bit, on {@link
 * PanamaVectors#S}'s lanes: a row's 16-bit elements are loaded {@code L} at a time as shorts (a vector half as wide),
 * widened to ints and turned into floats by shifts and masks; the way back narrows the ints to shorts.
 *
 * <p>Float16 to float32: the exponent and fraction bits shifted into a float32's place give the value divided by
 * 2^112 (subnormals included, which then become normal float32s), so one multiplication by 2^112 finishes the normal
 * and subnormal lanes; infinities and NaNs get the all-ones exponent instead.
 */
final class PanamaHalfRows {
  private PanamaHalfRows() {}

  /** Ints of the same width as the floats. */
  private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());

  /** {@code L} shorts: half the width of the float vectors. */
  static final VectorSpecies<Short> HS =
      VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));

  /** 0, 1, .., L - 1. */
  private static final IntVector LANES = IntVector.zero(IS).addIndex(1);

  private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

  /**
   * Where a row's 16-bit elements lie: in a heap {@code array} from {@code index}, or else in a {@code segment} from
   * byte {@code offset}. Made per row and inlined, so the JIT keeps its fields in registers.
   */
  private record HalfRow(short[] array, int index, MemorySegment segment, long offset) {
    static HalfRow of(RowMemory m, long row) {
      return m.isHalfHeap()
          ? new HalfRow(m.halfArray(row), m.index(row), null, 0)
          : new HalfRow(null, 0, m.segment(row), m.offset(row));
    }

    ShortVector load(int j) {
      return array != null
          ? ShortVector.fromArray(HS, array, index + j)
          : ShortVector.fromMemorySegment(HS, segment, offset + 2L * j, NATIVE);
    }

    void store(int j, ShortVector h) {
      if (array != null) {
        h.intoArray(array, index + j);
      } else {
        h.intoMemorySegment(segment, offset + 2L * j, NATIVE);
      }
    }

    short get(int j) {
      return array != null ? array[index + j] : segment.get(SHORT, offset + 2L * j);
    }

    void set(int j, short h) {
      if (array != null) {
        array[index + j] = h;
      } else {
        segment.set(SHORT, offset + 2L * j, h);
      }
    }
  }

  static void decodeRow(DType dtype, RowMemory m, long row, float[] dst, int off) {
    int d = m.dim();
    HalfRow r = HalfRow.of(m, row);
    boolean bf16 = dtype == DType.BF16;
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      ShortVector h = r.load(j);
      (bf16 ? bf16ToFloat(h) : f16ToFloat(h)).intoArray(dst, off + j);
    }
    // scalar tail
    for (; j < d; j++) {
      dst[off + j] = dtype.decode(r.get(j));
    }
  }

  /**
   * {@link KernelSupport#decodeRows} with the row needed {@code AHEAD} positions later touched first (see {@link
   * PanamaVectors}): a bag's rows come from all over a large table, and the decode of one row is too short to keep
   * enough of them in flight otherwise.
   */
  static void decodeRows(DType dtype, RowMemory m, long[] ids, int from, int to, float[] out, int outRow) {
    int d = m.dim();
    boolean heap = m.isHalfHeap();
    float touched = 0;
    for (int i = from; i < to; i++) {
      long ahead = ids[Math.min(i + PanamaVectors.AHEAD, to - 1)];
      touched += heap ? m.halfArray(ahead)[m.index(ahead)] : m.segment(ahead).get(SHORT, m.offset(ahead));
      decodeRow(dtype, m, ids[i], out, (outRow + i - from) * d);
    }
    PanamaVectors.sink = touched;
  }

  /** {@code L} bfloat16 values, exactly as float32s. */
  static FloatVector bf16ToFloat(ShortVector h) {
    IntVector i = (IntVector) h.convertShape(VectorOperators.S2I, IS, 0);
    return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  /** {@code L} float16 values, exactly as float32s. */
  static FloatVector f16ToFloat(ShortVector h) {
    IntVector bits = (IntVector) h.convertShape(VectorOperators.ZERO_EXTEND_S2I, IS, 0);
    IntVector sign = bits.and(0x8000).lanewise(VectorOperators.LSHL, 16);
    IntVector magnitude = bits.and(0x7FFF);
    IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
    IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
    VectorMask<Integer> infOrNan = magnitude.compare(VectorOperators.GE, 0x7C00);
    IntVector special = // NaN: quiet
        shifted.or(0x7F800000).lanewise(VectorOperators.OR, 0x00400000, magnitude.compare(VectorOperators.GT, 0x7C00));
    return finite.blend(special, infOrNan).or(sign).reinterpretAsFloats();
  }

  static void encodeRow(StochasticRounding rounding, RowMemory m, long row, float[] src, int off) {
    int d = m.dim();
    HalfRow r = HalfRow.of(m, row);
    DType dtype = rounding.dtype();
    boolean bf16 = dtype == DType.BF16;
    long key = rounding.rowKey(row);
    IntVector keys = IntVector.broadcast(IS, (int) key);
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      IntVector columns = LANES.add(j).mul(StochasticRounding.COLUMN_STEP);
      IntVector u = fmix32(keys.add(columns));
      FloatVector x = FloatVector.fromArray(S, src, off + j);
      IntVector bits = bf16 ? roundBf16(x, u) : roundF16(x, u);
      r.store(j, (ShortVector) bits.convertShape(VectorOperators.I2S, HS, 0));
    }
    // scalar tail
    for (; j < d; j++) {
      r.set(j, (short) StochasticRounding.round(dtype, src[off + j], StochasticRounding.noise(key, j)));
    }
  }

  /** {@link StochasticRounding#fmix32} on every lane. */
  private static IntVector fmix32(IntVector h) {
    h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
    h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
    return h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
  }

  /** {@link StochasticRounding#roundBf16} on every lane. */
  private static IntVector roundBf16(FloatVector x, IntVector u) {
    IntVector b = x.reinterpretAsInts();
    IntVector upper = b.lanewise(VectorOperators.LSHR, 16);
    VectorMask<Integer> infOrNan = b.and(0x7F800000).compare(VectorOperators.EQ, 0x7F800000);
    VectorMask<Integer> nan = b.and(0x007FFFFF).compare(VectorOperators.NE, 0);
    IntVector special = upper.blend(upper.or(0x0040), nan);
    IntVector h = b.add(u.and(0xFFFF)).lanewise(VectorOperators.LSHR, 16);
    h = h.lanewise(VectorOperators.SUB, 1, h.and(0x7F80).compare(VectorOperators.EQ, 0x7F80));
    return h.blend(special, infOrNan);
  }

  /** {@link StochasticRounding#roundF16} on every lane: each case computed, then the lane's chosen. */
  private static IntVector roundF16(FloatVector x, IntVector u) {
    IntVector b = x.reinterpretAsInts();
    IntVector sign = b.lanewise(VectorOperators.LSHR, 16).and(0x8000);
    IntVector a = b.and(0x7FFFFFFF);
    IntVector e = a.lanewise(VectorOperators.LSHR, 23).sub(127);
    IntVector drop = IntVector.broadcast(IS, -1).sub(e).max(13);
    IntVector mask = IntVector.broadcast(IS, 1).lanewise(VectorOperators.LSHL, drop).sub(1);
    IntVector r = a.add(u.and(mask)).and(mask.not());
    IntVector e2 = r.lanewise(VectorOperators.LSHR, 23).sub(127);
    IntVector normal = r.lanewise(VectorOperators.LSHR, 13).sub(0x1C000).min(StochasticRounding.F16_MAX);
    IntVector subnormal =
        r.and(0x7FFFFF).or(0x800000).lanewise(VectorOperators.LSHR, IntVector.broadcast(IS, -1).sub(e2));
    IntVector h = subnormal.blend(normal, e2.compare(VectorOperators.GE, -14));
    IntVector threshold = (IntVector) a.reinterpretAsFloats().mul(0x1p55f).convert(VectorOperators.F2I, 0);
    IntVector tiny = IntVector.zero(IS).blend(1, u.lanewise(VectorOperators.LSHR, 1).compare(VectorOperators.LT, threshold));
    h = h.blend(tiny, e.compare(VectorOperators.LT, -24));
    IntVector special = IntVector.broadcast(IS, 0x7E00).blend(0x7C00, a.compare(VectorOperators.EQ, 0x7F800000));
    h = h.blend(special, a.compare(VectorOperators.GE, 0x7F800000));
    return h.or(sign);
  }
}
