package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.RowMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * What every Vector API kernel class shares: the vector species (the CPU's preferred width, or the width {@link
 * KernelProvider#VECTOR_BITS} forces), row addressing and the read-ahead sink.
 *
 * <p>Heap tables are read through their {@code float[]} chunks, off-heap tables through their {@code MemorySegment}
 * (vector loads from a heap segment over a {@code float[]} measured 10x slower than either, so heap rows never go
 * through a segment). Every kernel has the same shape: whole vectors in a {@code ...Body} loop, then a labelled
 * {@code // scalar tail}, with the same float32 operations in the same order as {@link ScalarKernels} (products and
 * sums, never a fused multiply-add), so both give bit-identical rows; only the dot product and the double sum of
 * squares of row-wise Adagrad sum in another order.
 *
 * <p><b>Loop bounds</b> matter to C2 here, both ways. The optimizer rule bodies, {@code addRowBody} and {@code setRow}
 * loop to {@code S.loopBound(d)}: with {@code j + L <= d} the Adagrad step over 1e6 rows ran markedly slower. The
 * gathers and bag sums keep {@code j + 8 * L <= d}: in the {@code loopBound} form, lookups over 1e6 rows ran at less
 * than half the speed.
 */
final class PanamaVectors {
  private PanamaVectors() {}

  /** The float species of every kernel. */
  static final VectorSpecies<Float> S = species();

  /** The double species of the same width (row-wise Adagrad's sum of squares converts one float vector into two). */
  static final VectorSpecies<Double> SD = VectorSpecies.of(double.class, S.vectorShape());

  /** Lanes of {@link #S}. */
  static final int L = S.length();

  /** Bytes of one vector of {@link #S}. */
  static final long LB = (long) L * Float.BYTES;

  static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

  /** How many positions ahead gathers and bag sums touch the row they will need. */
  static final int AHEAD = KernelSupport.READ_AHEAD;

  /** Where the read-ahead loads end up, so that they have an effect the JIT must keep. */
  static float sink;

  static {
    primeVectorOperations();
  }

  private static VectorSpecies<Float> species() {
    int bits = KernelProvider.forcedVectorBits();
    return bits == 0 ? FloatVector.SPECIES_PREFERRED : VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
  }

  /** The width of the CPU's preferred float vector, in bits. */
  static int preferredBits() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize();
  }

  /**
   * Runs every Vector API operation the kernels use once, on a few floats, before any kernel runs.
   *
   * <p>Without this, a kernel's hot loop could be the first code in the JVM to run an operation such as {@code add},
   * and C2 then sometimes compiled the loop with one of its vector operations left as a call to the library's Java
   * fallback, which allocates a vector object per row: bag sums ran 10x slower for the life of the JVM (JFR showed
   * {@code VectorSupport.binaryOp} called from the compiled loop, and {@code Float512Vector} allocations). Whether it
   * happened depended on start-up timing. In a probe that reproduced it on every run, one earlier use of the
   * operations, anywhere, removed it in 8 runs of 8.
   */
  private static void primeVectorOperations() {
    float[] a = new float[2 * L];
    float[] b = new float[2 * L];
    Arrays.fill(b, 1f);
    MemorySegment heap = MemorySegment.ofArray(a);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment offHeap = arena.allocate(2L * LB, 64);
      for (MemorySegment seg : new MemorySegment[] {heap, offHeap}) {
        FloatVector x = FloatVector.fromMemorySegment(S, seg, 0, NATIVE);
        x.add(x).intoMemorySegment(seg, 0, NATIVE);
      }
      // the decoders of 16-bit and quantized rows, which the summing blocks run inside their loops
      short[] halves = new short[2 * L];
      ShortVector h = ShortVector.fromArray(PanamaHalfRows.HS, halves, 0);
      FloatVector one = FloatVector.broadcast(S, 1f);
      FloatVector decoded = PanamaHalfRows.bf16ToFloat(h).add(PanamaHalfRows.f16ToFloat(h));
      decoded = decoded.add(PanamaQuantized.int8Vector(offHeap, 0, one, one));
      if (PanamaQuantized.BYTES_MATCH_FLOATS) {
        decoded = decoded.add(PanamaQuantized.int4Vector(offHeap, 0, true, one, one));
      }
      sink += decoded.toArray()[0];
    }
    FloatVector x = FloatVector.fromArray(S, b, 0);
    FloatVector y = FloatVector.zero(S).add(x).sub(x).mul(x).mul(2f).add(1f).div(x).fma(x, x).max(x);
    y = y.div(x.lanewise(VectorOperators.SQRT).add(1e-8f));
    VectorMask<Float> greater = y.compare(VectorOperators.GT, x);
    if (greater.anyTrue()) {
      y = y.blend(x, greater);
    }
    DoubleVector lo = (DoubleVector) y.convertShape(VectorOperators.F2D, SD, 0);
    DoubleVector hi = (DoubleVector) y.convertShape(VectorOperators.F2D, SD, 1);
    y.intoArray(a, L);
    sink += (float) DoubleVector.zero(SD).add(lo.mul(lo)).add(hi.mul(hi)).toArray()[0] + y.toArray()[0];
  }

  /** log2(d) when d is a power of two, else -1; see {@link #rowIndex}. */
  static int rowShift(int d) {
    return Integer.bitCount(d) == 1 ? Integer.numberOfTrailingZeros(d) : -1;
  }

  /**
   * The float index of row {@code k} in a single heap chunk. A shift where the width allows: in a probe copy of the
   * bag-sum loop over a 512 MB table, the shift was markedly faster than a multiply.
   */
  static int rowIndex(long k, int lead, int shift, int d) {
    return lead + (shift >= 0 ? (int) k << shift : (int) k * d);
  }

  /** One vector of columns of row k from column j, from either kind of memory. */
  static FloatVector vector(RowMemory mem, long k, int j) {
    return mem.isHeap()
        ? FloatVector.fromArray(S, mem.array(k), mem.index(k) + j)
        : FloatVector.fromMemorySegment(S, mem.segment(k), mem.offset(k) + (long) j * Float.BYTES, NATIVE);
  }

  /** One float of row k, column j, from either kind of memory. */
  static float value(RowMemory mem, long k, int j) {
    return mem.isHeap()
        ? mem.array(k)[mem.index(k) + j]
        : mem.segment(k).get(FLOAT, mem.offset(k) + (long) j * Float.BYTES);
  }

  /** {@code x}, or {@code x * scales[e]} when there are scales. */
  static FloatVector scale(FloatVector x, float[] scales, int e) {
    return scales == null ? x : x.mul(scales[e]);
  }

  /** {@code x * s} when {@code weighted}, else {@code x}; {@code weighted} is fixed within a loop, which C2 unswitches. */
  static FloatVector weigh(FloatVector x, float s, boolean weighted) {
    return weighted ? x.mul(s) : x;
  }

  /**
   * The lanes' sum in lane order. Not {@code reduceLanes(ADD)}: its order is unspecified and differs between the
   * interpreter and compiled code, so the same call could give different floats before and after JIT compilation
   * (a checkpoint-resume test caught that).
   */
  static float sumLanes(FloatVector v) {
    float s = 0;
    for (float x : v.toArray()) {
      s += x;
    }
    return s;
  }
}
