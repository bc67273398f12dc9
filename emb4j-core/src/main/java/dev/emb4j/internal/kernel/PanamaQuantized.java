package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.AHEAD;
import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.NATIVE;
import static dev.emb4j.internal.kernel.PanamaVectors.S;

import dev.emb4j.internal.store.QuantizedRows;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API twins of {@link QuantizedRows#decodeRow}: quantized rows (8 or 4 bits, see {@link QuantizedRows})
 * decoded into float rows, {@code fma(scale, q, bias)} per value exactly as the scalar reference computes it (a fused
 * multiply-add rounds once, so the vector and scalar results are the same floats).
 *
 * <p>A vector of {@code BL} bytes ({@link #BYTES}: as many lanes as a float vector, at least 8) is loaded at a time
 * and zero-extended into {@code BL / L} int vectors, converted to floats and scaled. A 4-bit load holds {@code 2 BL}
 * values: each half of its bytes is spread over {@code BL} lanes (byte i to lanes 2i and 2i + 1) and the even lanes
 * keep the low 4 bits, the odd lanes the high 4 bits. Rows are touched {@code AHEAD} positions early, as in the
 * gathers.
 */
final class PanamaQuantized {
  private PanamaQuantized() {}

  /** The byte species: as many lanes as {@link PanamaVectors#S}, but at least the 64-bit shape's 8. */
  private static final VectorSpecies<Byte> BYTES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * Byte.SIZE)));

  /** Lanes of {@link #BYTES}. */
  private static final int BL = BYTES.length();

  /** Float vectors per byte vector. */
  private static final int PARTS = BL / L;

  /** The int species that a byte vector's parts widen into: the float species' shape. */
  private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, S.vectorShape());

  /** Lane i takes byte i / 2 of the first half of a 4-bit load, lane i of the second spread takes byte BL/2 + i/2. */
  private static final VectorShuffle<Byte> SPREAD_FIRST = VectorShuffle.fromOp(BYTES, i -> i / 2);

  private static final VectorShuffle<Byte> SPREAD_SECOND = VectorShuffle.fromOp(BYTES, i -> BL / 2 + i / 2);

  /** The odd lanes, which keep the high 4 bits of their byte. */
  private static final VectorMask<Byte> ODD = VectorMask.fromLong(BYTES, 0xAAAA_AAAA_AAAA_AAAAL);

  static void decodeRows(QuantizedRows q, long[] ids, int from, int to, float[] out, int outRow) {
    MemorySegment seg = q.segment();
    int d = q.dim();
    int aheadLast = ids.length - 1;
    int touched = 0;
    for (int i = from; i < to; i++) {
      touched += seg.get(ValueLayout.JAVA_BYTE, q.offset(ids[Math.min(i + AHEAD, aheadLast)]));
      decodeRow(q, seg, q.offset(ids[i]), d, out, (outRow + i - from) * d);
    }
    PanamaVectors.sink = touched;
  }

  /** One row at byte {@code at} into {@code out[o .. o + d)}: whole byte vectors, then a scalar tail. */
  private static void decodeRow(QuantizedRows q, MemorySegment seg, long at, int d, float[] out, int o) {
    float scale = q.scaleAt(seg, at);
    float bias = q.biasAt(seg, at);
    FloatVector sv = FloatVector.broadcast(S, scale);
    FloatVector bv = FloatVector.broadcast(S, bias);
    int j = 0;
    if (q.bits() == 8) {
      for (; j + BL <= d; j += BL) {
        store(ByteVector.fromMemorySegment(BYTES, seg, at + j, NATIVE), sv, bv, out, o + j);
      }
    } else {
      for (; j + 2 * BL <= d; j += 2 * BL) {
        ByteVector packed = ByteVector.fromMemorySegment(BYTES, seg, at + j / 2, NATIVE);
        store(nibbles(packed.rearrange(SPREAD_FIRST)), sv, bv, out, o + j);
        store(nibbles(packed.rearrange(SPREAD_SECOND)), sv, bv, out, o + j + BL);
      }
    }
    // scalar tail
    for (; j < d; j++) {
      out[o + j] = Math.fma(scale, (float) q.quantum(at, j), bias);
    }
  }

  /**
   * Whether a byte vector holds as many lanes as a float vector, which {@link #int4Vector} needs (the float vectors of
   * 128 bits, 4 lanes, pair with 64-bit byte vectors of 8).
   */
  static final boolean BYTES_MATCH_FLOATS = BL == L;

  /** One float vector of an 8-bit row: the {@code L} values from byte {@code at}, {@code fma(q, scale, bias)}. */
  static FloatVector int8Vector(MemorySegment seg, long at, FloatVector scale, FloatVector bias) {
    return widen(ByteVector.fromMemorySegment(BYTES, seg, at, NATIVE), 0).fma(scale, bias);
  }

  /**
   * One float vector of a 4-bit row ({@link #BYTES_MATCH_FLOATS} only): the pair of vectors held by the {@code L}
   * bytes from {@code at} gives its first or {@code second} half of values, {@code fma(q, scale, bias)}.
   */
  static FloatVector int4Vector(MemorySegment seg, long at, boolean second, FloatVector scale, FloatVector bias) {
    ByteVector packed = ByteVector.fromMemorySegment(BYTES, seg, at, NATIVE);
    return widen(nibbles(packed.rearrange(second ? SPREAD_SECOND : SPREAD_FIRST)), 0).fma(scale, bias);
  }

  /** Even lanes: the low 4 bits of their byte; odd lanes: the high 4 bits. */
  private static ByteVector nibbles(ByteVector spread) {
    return spread.blend(spread.lanewise(VectorOperators.LSHR, 4), ODD).and((byte) 0x0F);
  }

  /** Widens {@code BL} unsigned bytes to floats and stores {@code fma(q, scale, bias)} at {@code out[o ..]}. */
  private static void store(ByteVector b, FloatVector scale, FloatVector bias, float[] out, int o) {
    for (int p = 0; p < PARTS; p++) {
      widen(b, p).fma(scale, bias).intoArray(out, o + p * L);
    }
  }

  /** Part {@code p} ({@code L} lanes) of {@code b}'s unsigned bytes as floats. */
  private static FloatVector widen(ByteVector b, int p) {
    IntVector ints = (IntVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, p);
    return (FloatVector) ints.convert(VectorOperators.I2F, 0);
  }
}
