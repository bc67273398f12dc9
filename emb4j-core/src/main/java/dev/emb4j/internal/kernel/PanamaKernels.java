package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.RowStore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels written with the Vector API ({@code jdk.incubator.vector}) over {@link RowMemory}: heap tables through
 * their {@code float[]} chunks, off-heap tables through their {@code MemorySegment} (vector loads from a heap segment
 * over a {@code float[]} measured 10x slower than either, so heap rows never go through a segment here). The only
 * class of emb4j that imports the Vector API; the {@link KernelProvider} creates it only when the module is present.
 *
 * <p>Each kernel has the same shape: whole vectors in a {@code ...Body} loop, then a labelled {@code // scalar tail}
 * for the columns that do not fill a vector, with the same float32 operations in the same order as {@link
 * ScalarKernels} (products and sums, never a fused multiply-add), so both give bit-identical rows; only {@link
 * #dot} and the double sum of squares of row-wise Adagrad sum in another order. Stores without a {@link RowMemory}
 * view are handed to the scalar kernels.
 *
 * <p><b>Bag sums are register-blocked</b>: the sum of up to 8 vectors of columns (128 floats with AVX-512) is held in
 * registers across the whole bag and stored once, which performance.md measured to be worth 5x over accumulating in
 * memory; over a table in one heap array they read the rows' offsets from a pass made beforehand ({@link
 * RowOffsets}) and do not read ahead, which measured faster. <b>Reading ahead</b>: gathers, and bag sums over
 * off-heap or chunked tables, load one float of the row needed {@value #AHEAD} positions later (FBGEMM's prefetch
 * distance), so that row is on its way from memory when its turn comes; Java has no prefetch instruction, and the
 * loads' sum goes to {@link #sink} so the JIT cannot drop them. The read-ahead index is clamped
 * to the last position rather than guarded by a branch: C2 hoisted the guarded read's range check on the profile's
 * word that the branch is always taken, and the last positions of every call then trapped and had the loop
 * recompiled (seen in the deoptimization log).
 *
 * <p><b>Loop bounds</b> matter to C2 here, both ways. The optimizer rule bodies loop to {@code S.loopBound(d)}: with
 * {@code j + L <= d} a probe of the Adagrad step over 1e6 rows took 9.5 instead of 7.3 ms. The gathers and bag sums
 * keep {@code j + 8 * L <= d}: in the {@code loopBound} form, lookup over 1e6 rows fell from 26 to 10 M rows/s.
 */
final class PanamaKernels implements KernelSupport {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> SD = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final long LB = (long) L * Float.BYTES;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

  /** How many positions ahead gathers and bag sums touch the row they will need. */
  static final int AHEAD = READ_AHEAD;

  /** Where the read-ahead loads end up, so that they have an effect the JIT must keep. */
  static float sink;

  static {
    primeVectorOperations();
  }

  private final ScalarKernels scalar = new ScalarKernels();

  /**
   * Runs every Vector API operation the kernels use once, on a few floats, before any kernel runs.
   *
   * <p>Without this, a kernel's hot loop could be the first code in the JVM to run an operation such as {@code add},
   * and C2 then sometimes compiled the loop with one of its vector operations left as a call to the library's Java
   * fallback, which allocates a vector object per row: bag sums ran 10x slower for the life of the JVM (JFR showed
   * {@code VectorSupport.binaryOp} called from the compiled loop, and {@code Float512Vector} allocations). Whether it
   * happened depended on start-up timing. In a probe that reproduced it on every run (bag sums over a table in cache at
   * 12-16 instead of 220 M rows/s), one earlier use of the operations, anywhere, removed it in 8 runs of 8.
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
    }
    FloatVector x = FloatVector.fromArray(S, b, 0);
    FloatVector y = FloatVector.zero(S).add(x).sub(x).mul(x).mul(2f).add(1f).div(x).fma(x, x);
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


  /** The width of the preferred float vector, in bits (the provider falls back to scalar below 128). */
  static int preferredBits() {
    return S.vectorBitSize();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Gather
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public void gatherRows(RowStore w, long[] ids, int from, int to, float[] out) {
    Optional<RowMemory> m = StoreMemory.of(w);
    if (m.isEmpty()) {
      scalar.gatherRows(w, ids, from, to, out);
      return;
    }
    RowMemory mem = m.get();
    sink = mem.isHeap() ? gatherHeap(mem, ids, from, to, out) : gatherSegment(mem, ids, from, to, out);
  }

  /*
   * The row copy is written out inside the loops of the two gathers below: as a method of its own it is too big for
   * the JIT to inline, and the call per row measured about a third slower on a table in cache. Its 8 loads come
   * before the 8 stores, so all of a row's cache lines are requested at once (a plain vector loop over a row width
   * the JIT does not know measured 2x slower on a DRAM-resident table).
   */

  /** log2(d) when d is a power of two, else -1; see {@link #rowIndex}. */
  private static int rowShift(int d) {
    return Integer.bitCount(d) == 1 ? Integer.numberOfTrailingZeros(d) : -1;
  }

  /**
   * The float index of row {@code k} in a single heap chunk. A shift where the width allows: in a probe copy of the
   * bag-sum loop over a 512 MB table, a multiply here measured 48-54 M rows/s and the shift 69-73.
   */
  private static int rowIndex(long k, int lead, int shift, int d) {
    return lead + (shift >= 0 ? (int) k << shift : (int) k * d);
  }

  /** The gather from heap chunks; returns the sum of the read-ahead loads. */
  private static float gatherHeap(RowMemory mem, long[] ids, int from, int to, float[] out) {
    int d = mem.dim();
    float[] single = mem.singleArray(); // locals: the JIT would reload the fields for every row
    int lead = mem.lead();
    int shift = rowShift(d);
    float touched = 0;
    for (int i = from; i < to; i++) {
      long ahead = ids[Math.min(i + AHEAD, to - 1)];
      touched += single != null ? single[rowIndex(ahead, lead, shift, d)] : mem.array(ahead)[mem.index(ahead)];
      long k = ids[i];
      float[] w = single != null ? single : mem.array(k);
      int p = single != null ? rowIndex(k, lead, shift, d) : mem.index(k);
      int o = i * d;
      int j = 0;
      for (; j + 8 * L <= d; j += 8 * L) {
        FloatVector v0 = FloatVector.fromArray(S, w, p + j);
        FloatVector v1 = FloatVector.fromArray(S, w, p + j + L);
        FloatVector v2 = FloatVector.fromArray(S, w, p + j + 2 * L);
        FloatVector v3 = FloatVector.fromArray(S, w, p + j + 3 * L);
        FloatVector v4 = FloatVector.fromArray(S, w, p + j + 4 * L);
        FloatVector v5 = FloatVector.fromArray(S, w, p + j + 5 * L);
        FloatVector v6 = FloatVector.fromArray(S, w, p + j + 6 * L);
        FloatVector v7 = FloatVector.fromArray(S, w, p + j + 7 * L);
        v0.intoArray(out, o + j);
        v1.intoArray(out, o + j + L);
        v2.intoArray(out, o + j + 2 * L);
        v3.intoArray(out, o + j + 3 * L);
        v4.intoArray(out, o + j + 4 * L);
        v5.intoArray(out, o + j + 5 * L);
        v6.intoArray(out, o + j + 6 * L);
        v7.intoArray(out, o + j + 7 * L);
      }
      for (; j + L <= d; j += L) {
        FloatVector.fromArray(S, w, p + j).intoArray(out, o + j);
      }
      // scalar tail
      for (; j < d; j++) {
        out[o + j] = w[p + j];
      }
    }
    return touched;
  }

  /** The gather from off-heap segments; returns the sum of the read-ahead loads. */
  private static float gatherSegment(RowMemory mem, long[] ids, int from, int to, float[] out) {
    int d = mem.dim();
    float touched = 0;
    for (int i = from; i < to; i++) {
      long ahead = ids[Math.min(i + AHEAD, to - 1)];
      touched += mem.segment(ahead).get(FLOAT, mem.offset(ahead));
      long k = ids[i];
      MemorySegment seg = mem.segment(k);
      long off = mem.offset(k);
      int o = i * d;
      int j = 0;
      for (; j + 8 * L <= d; j += 8 * L) {
        long p = off + (long) j * Float.BYTES;
        FloatVector v0 = FloatVector.fromMemorySegment(S, seg, p, NATIVE);
        FloatVector v1 = FloatVector.fromMemorySegment(S, seg, p + LB, NATIVE);
        FloatVector v2 = FloatVector.fromMemorySegment(S, seg, p + 2 * LB, NATIVE);
        FloatVector v3 = FloatVector.fromMemorySegment(S, seg, p + 3 * LB, NATIVE);
        FloatVector v4 = FloatVector.fromMemorySegment(S, seg, p + 4 * LB, NATIVE);
        FloatVector v5 = FloatVector.fromMemorySegment(S, seg, p + 5 * LB, NATIVE);
        FloatVector v6 = FloatVector.fromMemorySegment(S, seg, p + 6 * LB, NATIVE);
        FloatVector v7 = FloatVector.fromMemorySegment(S, seg, p + 7 * LB, NATIVE);
        v0.intoArray(out, o + j);
        v1.intoArray(out, o + j + L);
        v2.intoArray(out, o + j + 2 * L);
        v3.intoArray(out, o + j + 3 * L);
        v4.intoArray(out, o + j + 4 * L);
        v5.intoArray(out, o + j + 5 * L);
        v6.intoArray(out, o + j + 6 * L);
        v7.intoArray(out, o + j + 7 * L);
      }
      for (; j + L <= d; j += L) {
        FloatVector.fromMemorySegment(S, seg, off + (long) j * Float.BYTES, NATIVE).intoArray(out, o + j);
      }
      // scalar tail
      for (; j < d; j++) {
        out[o + j] = seg.get(FLOAT, off + (long) j * Float.BYTES);
      }
    }
    return touched;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Bag pooling
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public void poolSum(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long paddingIdx, float[] out,
      int[] bagSizes) {
    Optional<RowMemory> m = StoreMemory.of(w);
    if (m.isEmpty()) {
      scalar.poolSum(w, ids, bagStarts, bagFrom, bagTo, psw, paddingIdx, out, bagSizes);
      return;
    }
    RowMemory mem = m.get();
    int d = mem.dim();
    // the columns of whole 8-vector blocks, each held in registers across a bag; one call covers every bag, since
    // these loops are too big for the JIT to inline into a per-bag loop
    int blocked = d - d % (8 * L);
    float[] single = mem.singleArray();
    int[] offsets =
        single != null && blocked > 0
            ? RowOffsets.of(ids, bagStarts[bagFrom], bagStarts[bagTo], mem.lead(), d, paddingIdx)
            : null;
    float touched = 0;
    for (int j = 0; j < blocked; j += 8 * L) {
      if (offsets != null) {
        if (psw == null) {
          sum8Single(single, offsets, bagStarts, bagFrom, bagTo, j, d, paddingIdx >= 0, out);
        } else {
          weightedSum8Single(single, offsets, bagStarts, bagFrom, bagTo, psw, j, d, paddingIdx >= 0, out);
        }
      } else if (mem.isHeap()) {
        touched +=
            psw == null
                ? sum8Heap(mem, ids, bagStarts, bagFrom, bagTo, paddingIdx, j, out)
                : weightedSum8Heap(mem, ids, bagStarts, bagFrom, bagTo, psw, paddingIdx, j, out);
      } else {
        touched +=
            psw == null
                ? sum8Segment(mem, ids, bagStarts, bagFrom, bagTo, paddingIdx, j, out)
                : weightedSum8Segment(mem, ids, bagStarts, bagFrom, bagTo, psw, paddingIdx, j, out);
      }
    }
    sink = touched;
    for (int b = bagFrom; b < bagTo; b++) {
      int start = bagStarts[b];
      int end = bagStarts[b + 1];
      int o = b * d;
      int j = blocked;
      for (; j + L <= d; j += L) {
        sum1Body(mem, ids, start, end, psw, paddingIdx, j, out, o + j);
      }
      // scalar tail
      for (; j < d; j++) {
        float acc = 0;
        for (int i = start; i < end; i++) {
          long k = ids[i];
          if (k != paddingIdx) {
            float x = value(mem, k, j);
            acc += psw == null ? x : psw[i] * x;
          }
        }
        out[o + j] = acc;
      }
      int count = 0;
      for (int i = start; i < end; i++) {
        if (ids[i] != paddingIdx) {
          count++;
        }
      }
      bagSizes[b] = count;
    }
  }

  /**
   * The sums of each bag over the 8 vectors of columns from column {@code j}, from a table in one heap array, with
   * the rows' offsets worked out beforehand ({@link RowOffsets}). It does not read rows ahead: the loop with the
   * offsets (and no padding test) measured 79 M rows/s at V = 1e6 without and 67 with a read-ahead 16 rows on, 68
   * and 64 at V = 1e7. The padding test sits behind {@code padded}, which the JIT hoists out of the loop: tested on
   * every row, it cost 6 % at 1e6.
   */
  private static void sum8Single(
      float[] a, int[] offsets, int[] bagStarts, int bagFrom, int bagTo, int j, int d, boolean padded, float[] out) {
    int base = bagStarts[bagFrom];
    for (int b = bagFrom; b < bagTo; b++) {
      int start = bagStarts[b] - base;
      int end = bagStarts[b + 1] - base;
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector a4 = a0;
      FloatVector a5 = a0;
      FloatVector a6 = a0;
      FloatVector a7 = a0;
      for (int i = start; i < end; i++) {
        int p = offsets[i];
        if (padded && p == RowOffsets.SKIP) {
          continue;
        }
        p += j;
        a0 = a0.add(FloatVector.fromArray(S, a, p));
        a1 = a1.add(FloatVector.fromArray(S, a, p + L));
        a2 = a2.add(FloatVector.fromArray(S, a, p + 2 * L));
        a3 = a3.add(FloatVector.fromArray(S, a, p + 3 * L));
        a4 = a4.add(FloatVector.fromArray(S, a, p + 4 * L));
        a5 = a5.add(FloatVector.fromArray(S, a, p + 5 * L));
        a6 = a6.add(FloatVector.fromArray(S, a, p + 6 * L));
        a7 = a7.add(FloatVector.fromArray(S, a, p + 7 * L));
      }
      int o = b * d + j;
      a0.intoArray(out, o);
      a1.intoArray(out, o + L);
      a2.intoArray(out, o + 2 * L);
      a3.intoArray(out, o + 3 * L);
      a4.intoArray(out, o + 4 * L);
      a5.intoArray(out, o + 5 * L);
      a6.intoArray(out, o + 6 * L);
      a7.intoArray(out, o + 7 * L);
    }
  }

  /** {@link #sum8Single} with per-sample weights: each row times its weight (a product, then the sum). */
  private static void weightedSum8Single(
      float[] a, int[] offsets, int[] bagStarts, int bagFrom, int bagTo, float[] psw, int j, int d, boolean padded,
      float[] out) {
    int base = bagStarts[bagFrom];
    for (int b = bagFrom; b < bagTo; b++) {
      int start = bagStarts[b];
      int end = bagStarts[b + 1];
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector a4 = a0;
      FloatVector a5 = a0;
      FloatVector a6 = a0;
      FloatVector a7 = a0;
      for (int i = start; i < end; i++) {
        int p = offsets[i - base];
        if (padded && p == RowOffsets.SKIP) {
          continue;
        }
        p += j;
        float s = psw[i];
        a0 = a0.add(FloatVector.fromArray(S, a, p).mul(s));
        a1 = a1.add(FloatVector.fromArray(S, a, p + L).mul(s));
        a2 = a2.add(FloatVector.fromArray(S, a, p + 2 * L).mul(s));
        a3 = a3.add(FloatVector.fromArray(S, a, p + 3 * L).mul(s));
        a4 = a4.add(FloatVector.fromArray(S, a, p + 4 * L).mul(s));
        a5 = a5.add(FloatVector.fromArray(S, a, p + 5 * L).mul(s));
        a6 = a6.add(FloatVector.fromArray(S, a, p + 6 * L).mul(s));
        a7 = a7.add(FloatVector.fromArray(S, a, p + 7 * L).mul(s));
      }
      int o = b * d + j;
      a0.intoArray(out, o);
      a1.intoArray(out, o + L);
      a2.intoArray(out, o + 2 * L);
      a3.intoArray(out, o + 3 * L);
      a4.intoArray(out, o + 4 * L);
      a5.intoArray(out, o + 5 * L);
      a6.intoArray(out, o + 6 * L);
      a7.intoArray(out, o + 7 * L);
    }
  }

  /** The sums of each bag over the 8 vectors of columns from column {@code j}, from a table in several heap chunks. */
  private static float sum8Heap(
      RowMemory mem, long[] ids, int[] bagStarts, int bagFrom, int bagTo, long pad, int j, float[] out) {
    int d = mem.dim();
    int aheadLast = bagStarts[bagTo] - 1;
    float touched = 0;
    for (int b = bagFrom; b < bagTo; b++) {
      int start = bagStarts[b];
      int end = bagStarts[b + 1];
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector a4 = a0;
      FloatVector a5 = a0;
      FloatVector a6 = a0;
      FloatVector a7 = a0;
      for (int i = start; i < end; i++) {
        long ahead = ids[Math.min(i + AHEAD, aheadLast)];
        touched += mem.array(ahead)[mem.index(ahead)];
        long k = ids[i];
        if (k == pad) {
          continue;
        }
        float[] a = mem.array(k);
        int p = mem.index(k) + j;
        a0 = a0.add(FloatVector.fromArray(S, a, p));
        a1 = a1.add(FloatVector.fromArray(S, a, p + L));
        a2 = a2.add(FloatVector.fromArray(S, a, p + 2 * L));
        a3 = a3.add(FloatVector.fromArray(S, a, p + 3 * L));
        a4 = a4.add(FloatVector.fromArray(S, a, p + 4 * L));
        a5 = a5.add(FloatVector.fromArray(S, a, p + 5 * L));
        a6 = a6.add(FloatVector.fromArray(S, a, p + 6 * L));
        a7 = a7.add(FloatVector.fromArray(S, a, p + 7 * L));
      }
      int o = b * d + j;
      a0.intoArray(out, o);
      a1.intoArray(out, o + L);
      a2.intoArray(out, o + 2 * L);
      a3.intoArray(out, o + 3 * L);
      a4.intoArray(out, o + 4 * L);
      a5.intoArray(out, o + 5 * L);
      a6.intoArray(out, o + 6 * L);
      a7.intoArray(out, o + 7 * L);
    }
    return touched;
  }

  /** {@link #sum8Heap} over off-heap segments. */
  private static float sum8Segment(
      RowMemory mem, long[] ids, int[] bagStarts, int bagFrom, int bagTo, long pad, int j, float[] out) {
    int d = mem.dim();
    int aheadLast = bagStarts[bagTo] - 1;
    float touched = 0;
    for (int b = bagFrom; b < bagTo; b++) {
      int start = bagStarts[b];
      int end = bagStarts[b + 1];
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector a4 = a0;
      FloatVector a5 = a0;
      FloatVector a6 = a0;
      FloatVector a7 = a0;
      for (int i = start; i < end; i++) {
        long ahead = ids[Math.min(i + AHEAD, aheadLast)];
        touched += mem.segment(ahead).get(FLOAT, mem.offset(ahead));
        long k = ids[i];
        if (k == pad) {
          continue;
        }
        MemorySegment seg = mem.segment(k);
        long p = mem.offset(k) + (long) j * Float.BYTES;
        a0 = a0.add(FloatVector.fromMemorySegment(S, seg, p, NATIVE));
        a1 = a1.add(FloatVector.fromMemorySegment(S, seg, p + LB, NATIVE));
        a2 = a2.add(FloatVector.fromMemorySegment(S, seg, p + 2 * LB, NATIVE));
        a3 = a3.add(FloatVector.fromMemorySegment(S, seg, p + 3 * LB, NATIVE));
        a4 = a4.add(FloatVector.fromMemorySegment(S, seg, p + 4 * LB, NATIVE));
        a5 = a5.add(FloatVector.fromMemorySegment(S, seg, p + 5 * LB, NATIVE));
        a6 = a6.add(FloatVector.fromMemorySegment(S, seg, p + 6 * LB, NATIVE));
        a7 = a7.add(FloatVector.fromMemorySegment(S, seg, p + 7 * LB, NATIVE));
      }
      int o = b * d + j;
      a0.intoArray(out, o);
      a1.intoArray(out, o + L);
      a2.intoArray(out, o + 2 * L);
      a3.intoArray(out, o + 3 * L);
      a4.intoArray(out, o + 4 * L);
      a5.intoArray(out, o + 5 * L);
      a6.intoArray(out, o + 6 * L);
      a7.intoArray(out, o + 7 * L);
    }
    return touched;
  }

  /** {@link #sum8Heap} with per-sample weights: each row times its weight (a product, then the sum). */
  private static float weightedSum8Heap(
      RowMemory mem, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long pad, int j, float[] out) {
    int d = mem.dim();
    int aheadLast = bagStarts[bagTo] - 1;
    float touched = 0;
    for (int b = bagFrom; b < bagTo; b++) {
      int start = bagStarts[b];
      int end = bagStarts[b + 1];
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector a4 = a0;
      FloatVector a5 = a0;
      FloatVector a6 = a0;
      FloatVector a7 = a0;
      for (int i = start; i < end; i++) {
        long ahead = ids[Math.min(i + AHEAD, aheadLast)];
        touched += mem.array(ahead)[mem.index(ahead)];
        long k = ids[i];
        if (k == pad) {
          continue;
        }
        float[] a = mem.array(k);
        int p = mem.index(k) + j;
        float s = psw[i];
        a0 = a0.add(FloatVector.fromArray(S, a, p).mul(s));
        a1 = a1.add(FloatVector.fromArray(S, a, p + L).mul(s));
        a2 = a2.add(FloatVector.fromArray(S, a, p + 2 * L).mul(s));
        a3 = a3.add(FloatVector.fromArray(S, a, p + 3 * L).mul(s));
        a4 = a4.add(FloatVector.fromArray(S, a, p + 4 * L).mul(s));
        a5 = a5.add(FloatVector.fromArray(S, a, p + 5 * L).mul(s));
        a6 = a6.add(FloatVector.fromArray(S, a, p + 6 * L).mul(s));
        a7 = a7.add(FloatVector.fromArray(S, a, p + 7 * L).mul(s));
      }
      int o = b * d + j;
      a0.intoArray(out, o);
      a1.intoArray(out, o + L);
      a2.intoArray(out, o + 2 * L);
      a3.intoArray(out, o + 3 * L);
      a4.intoArray(out, o + 4 * L);
      a5.intoArray(out, o + 5 * L);
      a6.intoArray(out, o + 6 * L);
      a7.intoArray(out, o + 7 * L);
    }
    return touched;
  }

  /** {@link #weightedSum8Heap} over off-heap segments. */
  private static float weightedSum8Segment(
      RowMemory mem, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long pad, int j, float[] out) {
    int d = mem.dim();
    int aheadLast = bagStarts[bagTo] - 1;
    float touched = 0;
    for (int b = bagFrom; b < bagTo; b++) {
      int start = bagStarts[b];
      int end = bagStarts[b + 1];
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector a4 = a0;
      FloatVector a5 = a0;
      FloatVector a6 = a0;
      FloatVector a7 = a0;
      for (int i = start; i < end; i++) {
        long ahead = ids[Math.min(i + AHEAD, aheadLast)];
        touched += mem.segment(ahead).get(FLOAT, mem.offset(ahead));
        long k = ids[i];
        if (k == pad) {
          continue;
        }
        MemorySegment seg = mem.segment(k);
        long p = mem.offset(k) + (long) j * Float.BYTES;
        float s = psw[i];
        a0 = a0.add(FloatVector.fromMemorySegment(S, seg, p, NATIVE).mul(s));
        a1 = a1.add(FloatVector.fromMemorySegment(S, seg, p + LB, NATIVE).mul(s));
        a2 = a2.add(FloatVector.fromMemorySegment(S, seg, p + 2 * LB, NATIVE).mul(s));
        a3 = a3.add(FloatVector.fromMemorySegment(S, seg, p + 3 * LB, NATIVE).mul(s));
        a4 = a4.add(FloatVector.fromMemorySegment(S, seg, p + 4 * LB, NATIVE).mul(s));
        a5 = a5.add(FloatVector.fromMemorySegment(S, seg, p + 5 * LB, NATIVE).mul(s));
        a6 = a6.add(FloatVector.fromMemorySegment(S, seg, p + 6 * LB, NATIVE).mul(s));
        a7 = a7.add(FloatVector.fromMemorySegment(S, seg, p + 7 * LB, NATIVE).mul(s));
      }
      int o = b * d + j;
      a0.intoArray(out, o);
      a1.intoArray(out, o + L);
      a2.intoArray(out, o + 2 * L);
      a3.intoArray(out, o + 3 * L);
      a4.intoArray(out, o + 4 * L);
      a5.intoArray(out, o + 5 * L);
      a6.intoArray(out, o + 6 * L);
      a7.intoArray(out, o + 7 * L);
    }
    return touched;
  }

  /** One vector of columns of row k from column j, from either kind of memory. */
  private static FloatVector vector(RowMemory mem, long k, int j) {
    return mem.isHeap()
        ? FloatVector.fromArray(S, mem.array(k), mem.index(k) + j)
        : FloatVector.fromMemorySegment(S, mem.segment(k), mem.offset(k) + (long) j * Float.BYTES, NATIVE);
  }

  /** One float of row k, column j, from either kind of memory. */
  private static float value(RowMemory mem, long k, int j) {
    return mem.isHeap()
        ? mem.array(k)[mem.index(k) + j]
        : mem.segment(k).get(FLOAT, mem.offset(k) + (long) j * Float.BYTES);
  }

  /** One vector of columns over one bag (the columns left after the 8-vector blocks). */
  private static void sum1Body(
      RowMemory mem, long[] ids, int start, int end, float[] psw, long pad, int col, float[] out, int o) {
    FloatVector acc = FloatVector.zero(S);
    for (int i = start; i < end; i++) {
      long k = ids[i];
      if (k == pad) {
        continue;
      }
      FloatVector x = vector(mem, k, col);
      acc = acc.add(psw == null ? x : x.mul(psw[i]));
    }
    acc.intoArray(out, o);
  }

  @Override
  public void poolMax(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, long paddingIdx, float[] out,
      long[] maxIndices, int[] bagSizes) {
    Optional<RowMemory> m = StoreMemory.of(w);
    if (m.isEmpty()) {
      scalar.poolMax(w, ids, bagStarts, bagFrom, bagTo, paddingIdx, out, maxIndices, bagSizes);
      return;
    }
    RowMemory mem = m.get();
    int d = mem.dim();
    for (int b = bagFrom; b < bagTo; b++) {
      int start = bagStarts[b];
      int end = bagStarts[b + 1];
      int o = b * d;
      int first = start;
      while (first < end && ids[first] == paddingIdx) {
        first++;
      }
      if (first == end) {
        Arrays.fill(maxIndices, o, o + d, -1L);
        bagSizes[b] = 0;
        continue;
      }
      int j = 0;
      for (; j + L <= d; j += L) {
        maxBody(mem, ids, first, end, paddingIdx, j, out, maxIndices, o);
      }
      // scalar tail
      for (; j < d; j++) {
        long seed = ids[first];
        float best = value(mem, seed, j);
        long winner = seed;
        for (int i = first + 1; i < end; i++) {
          long k = ids[i];
          if (k == paddingIdx) {
            continue;
          }
          float x = value(mem, k, j);
          if (x > best) {
            best = x;
            winner = k;
          }
        }
        out[o + j] = best;
        maxIndices[o + j] = winner;
      }
      int count = 0;
      for (int i = start; i < end; i++) {
        if (ids[i] != paddingIdx) {
          count++;
        }
      }
      bagSizes[b] = count;
    }
  }

  /** The maximum of one vector of columns over a bag whose first non-padding position is {@code first}. */
  private static void maxBody(
      RowMemory mem, long[] ids, int first, int end, long pad, int j, float[] out, long[] maxIndices, int o) {
    long seed = ids[first];
    FloatVector best = vector(mem, seed, j);
    Arrays.fill(maxIndices, o + j, o + j + L, seed);
    for (int i = first + 1; i < end; i++) {
      long k = ids[i];
      if (k == pad) {
        continue;
      }
      FloatVector x = vector(mem, k, j);
      VectorMask<Float> greater = x.compare(VectorOperators.GT, best);
      if (greater.anyTrue()) {
        best = best.blend(x, greater);
        long lanes = greater.toLong();
        while (lanes != 0) {
          maxIndices[o + j + Long.numberOfTrailingZeros(lanes)] = k;
          lanes &= lanes - 1;
        }
      }
    }
    best.intoArray(out, o + j);
  }

  @Override
  public double norm(float[] row, int off, int len, double p) {
    return scalar.norm(row, off, len, p); // double accumulation: renorm only, not worth a vector version
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Backward
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public void scatterAddRows(
      RowStore target, long[] ids, float[] src, int[] srcRows, float[] scales, long paddingIdx) {
    Optional<RowMemory> m = StoreMemory.of(target);
    if (m.isEmpty()) {
      scalar.scatterAddRows(target, ids, src, srcRows, scales, paddingIdx);
      return;
    }
    RowMemory mem = m.get();
    int d = mem.dim();
    for (int i = 0; i < ids.length; i++) {
      long k = ids[i];
      if (k == paddingIdx) {
        continue;
      }
      float scale = scales == null ? 1f : scales[i];
      if (mem.isHeap()) {
        addRowBody(mem.array(k), mem.index(k), scale, src, srcRows[i] * d, d);
      } else {
        addRowBody(mem.segment(k), mem.offset(k), scale, src, srcRows[i] * d, d);
      }
    }
  }

  /** {@code row += scale * src[so ..]} (a product, then the sum) on a heap row. */
  private static void addRowBody(float[] row, int ro, float scale, float[] src, int so, int d) {
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector x = FloatVector.fromArray(S, src, so + j).mul(scale);
      FloatVector.fromArray(S, row, ro + j).add(x).intoArray(row, ro + j);
    }
    // scalar tail
    for (; j < d; j++) {
      row[ro + j] += scale * src[so + j];
    }
  }

  /** {@code row += scale * src[so ..]} (a product, then the sum). */
  private static void addRowBody(MemorySegment seg, long off, float scale, float[] src, int so, int d) {
    int j = 0;
    for (; j + L <= d; j += L) {
      long p = off + (long) j * Float.BYTES;
      FloatVector x = FloatVector.fromArray(S, src, so + j).mul(scale);
      FloatVector.fromMemorySegment(S, seg, p, NATIVE).add(x).intoMemorySegment(seg, p, NATIVE);
    }
    // scalar tail
    for (; j < d; j++) {
      long p = off + (long) j * Float.BYTES;
      seg.set(FLOAT, p, seg.get(FLOAT, p) + scale * src[so + j]);
    }
  }

  @Override
  public void scatterMaxGrad(RowStore target, long[] maxIndices, int[] bagSizes, float[] grad) {
    scalar.scatterMaxGrad(target, maxIndices, bagSizes, grad); // column-wise scatter: nothing to vectorise
  }

  @Override
  public void copyRows(
      float[] src, int dim, int[] srcRows, float[] scales, int[] positions, int from, int to, float[] dst) {
    if (scales == null) {
      scalar.copyRows(src, dim, srcRows, null, positions, from, to, dst); // System.arraycopy per row
      return;
    }
    for (int u = from; u < to; u++) {
      int p = positions == null ? u : positions[u];
      int s = srcRows[p] * dim;
      int o = u * dim;
      float scale = scales[p];
      int j = 0;
      for (; j + L <= dim; j += L) {
        FloatVector.fromArray(S, src, s + j).mul(scale).intoArray(dst, o + j);
      }
      // scalar tail
      for (; j < dim; j++) {
        dst[o + j] = src[s + j] * scale;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Fused optimizer rows
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public void sumRows(
      float[] src, int[] srcRows, float[] scales, int dim, int[] order, int from, int to, float[] dst, int dstOffset) {
    int j = 0;
    for (; j + 8 * L <= dim; j += 8 * L) {
      sumRows8Body(src, srcRows, scales, dim, order, from, to, j, dst, dstOffset + j);
    }
    for (; j + L <= dim; j += L) {
      FloatVector acc = FloatVector.zero(S);
      for (int k = from; k < to; k++) {
        int e = order[k];
        FloatVector x = FloatVector.fromArray(S, src, (srcRows == null ? e : srcRows[e]) * dim + j);
        acc = acc.add(scales == null ? x : x.mul(scales[e]));
      }
      acc.intoArray(dst, dstOffset + j);
    }
    // scalar tail
    for (; j < dim; j++) {
      float acc = 0;
      for (int k = from; k < to; k++) {
        int e = order[k];
        float x = src[(srcRows == null ? e : srcRows[e]) * dim + j];
        acc += scales == null ? x : x * scales[e];
      }
      dst[dstOffset + j] = acc;
    }
  }

  /** Columns {@code [j, j + 8L)} of {@link #sumRows}, written to {@code dst[q ..]}. */
  private static void sumRows8Body(
      float[] src, int[] srcRows, float[] scales, int dim, int[] order, int from, int to, int j, float[] dst, int q) {
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    FloatVector a4 = a0;
    FloatVector a5 = a0;
    FloatVector a6 = a0;
    FloatVector a7 = a0;
    for (int k = from; k < to; k++) {
      int e = order[k];
      int p = (srcRows == null ? e : srcRows[e]) * dim + j;
      if (scales == null) {
        a0 = a0.add(FloatVector.fromArray(S, src, p));
        a1 = a1.add(FloatVector.fromArray(S, src, p + L));
        a2 = a2.add(FloatVector.fromArray(S, src, p + 2 * L));
        a3 = a3.add(FloatVector.fromArray(S, src, p + 3 * L));
        a4 = a4.add(FloatVector.fromArray(S, src, p + 4 * L));
        a5 = a5.add(FloatVector.fromArray(S, src, p + 5 * L));
        a6 = a6.add(FloatVector.fromArray(S, src, p + 6 * L));
        a7 = a7.add(FloatVector.fromArray(S, src, p + 7 * L));
      } else {
        float s = scales[e];
        a0 = a0.add(FloatVector.fromArray(S, src, p).mul(s));
        a1 = a1.add(FloatVector.fromArray(S, src, p + L).mul(s));
        a2 = a2.add(FloatVector.fromArray(S, src, p + 2 * L).mul(s));
        a3 = a3.add(FloatVector.fromArray(S, src, p + 3 * L).mul(s));
        a4 = a4.add(FloatVector.fromArray(S, src, p + 4 * L).mul(s));
        a5 = a5.add(FloatVector.fromArray(S, src, p + 5 * L).mul(s));
        a6 = a6.add(FloatVector.fromArray(S, src, p + 6 * L).mul(s));
        a7 = a7.add(FloatVector.fromArray(S, src, p + 7 * L).mul(s));
      }
    }
    a0.intoArray(dst, q);
    a1.intoArray(dst, q + L);
    a2.intoArray(dst, q + 2 * L);
    a3.intoArray(dst, q + 3 * L);
    a4.intoArray(dst, q + 4 * L);
    a5.intoArray(dst, q + 5 * L);
    a6.intoArray(dst, q + 6 * L);
    a7.intoArray(dst, q + 7 * L);
  }

  @Override
  public void accumulateRows(
      float[] src, int[] srcRows, float[] scales, int dim, int[] rank, int entries, int from, int to, float[] sums) {
    for (int e = 0; e < entries; e++) {
      int r = rank[e];
      int u = r < 0 ? ~r : r;
      if (u < from || u >= to) {
        continue;
      }
      int p = (srcRows == null ? e : srcRows[e]) * dim;
      int q = u * dim;
      if (r < 0) {
        setRow(src, p, scales, e, dim, sums, q);
        continue;
      }
      int j = 0;
      // written out in the loop: a method per entry would be too big to inline
      for (; j + 8 * L <= dim; j += 8 * L) {
        addInto(sums, q + j, scale(FloatVector.fromArray(S, src, p + j), scales, e));
        addInto(sums, q + j + L, scale(FloatVector.fromArray(S, src, p + j + L), scales, e));
        addInto(sums, q + j + 2 * L, scale(FloatVector.fromArray(S, src, p + j + 2 * L), scales, e));
        addInto(sums, q + j + 3 * L, scale(FloatVector.fromArray(S, src, p + j + 3 * L), scales, e));
        addInto(sums, q + j + 4 * L, scale(FloatVector.fromArray(S, src, p + j + 4 * L), scales, e));
        addInto(sums, q + j + 5 * L, scale(FloatVector.fromArray(S, src, p + j + 5 * L), scales, e));
        addInto(sums, q + j + 6 * L, scale(FloatVector.fromArray(S, src, p + j + 6 * L), scales, e));
        addInto(sums, q + j + 7 * L, scale(FloatVector.fromArray(S, src, p + j + 7 * L), scales, e));
      }
      for (; j + L <= dim; j += L) {
        addInto(sums, q + j, scale(FloatVector.fromArray(S, src, p + j), scales, e));
      }
      // scalar tail
      for (; j < dim; j++) {
        sums[q + j] += scales == null ? src[p + j] : src[p + j] * scales[e];
      }
    }
  }

  /** {@code sums[q .. q + dim) = 0 + value(e)}: the first entry of a row, as if added to zeros. */
  private static void setRow(float[] src, int p, float[] scales, int e, int dim, float[] sums, int q) {
    FloatVector zero = FloatVector.zero(S);
    int j = 0;
    for (int bound = S.loopBound(dim); j < bound; j += L) {
      zero.add(scale(FloatVector.fromArray(S, src, p + j), scales, e)).intoArray(sums, q + j);
    }
    // scalar tail
    for (; j < dim; j++) {
      sums[q + j] = 0f + (scales == null ? src[p + j] : src[p + j] * scales[e]);
    }
  }

  /** {@code y[i .. i + L) += x}. */
  private static void addInto(float[] y, int i, FloatVector x) {
    FloatVector.fromArray(S, y, i).add(x).intoArray(y, i);
  }

  /** {@code x}, or {@code x * scales[e]} when there are scales. */
  private static FloatVector scale(FloatVector x, float[] scales, int e) {
    return scales == null ? x : x.mul(scales[e]);
  }

  /**
   * {@link KernelSupport#applyRows} with the arrays and row offsets resolved once for all rows when the state is in
   * single heap arrays and the parameter in one heap array or one off-heap segment (otherwise row by row through
   * {@link #applyRule}). Resolving them per row took the Adagrad step over 1e6 rows from 7.4 to 8.2-8.5 ms in a
   * probe: the memory-bound loop gets fewer rows' loads in flight when each row carries more instructions.
   */
  @Override
  public void applyRows(
      RowRule rule, RowMemory w, RowMemory[] slots, long[] rows, int[] start, int[] order, float[] src,
      int[] srcRows, float[] scales, int from, int to, float[] sums, int[] gradAt, float[] g, float[] rowCopy) {
    float[] wa = w.singleArray();
    MemorySegment ws = w.isHeap() ? null : w.single();
    float[] s0 = slots.length > 0 ? slots[0].singleArray() : null;
    float[] s1 = slots.length > 1 ? slots[1].singleArray() : null;
    if ((wa == null && ws == null) || (slots.length > 0 && s0 == null) || (slots.length > 1 && s1 == null)) {
      KernelSupport.super.applyRows(
          rule, w, slots, rows, start, order, src, srcRows, scales, from, to, sums, gradAt, g, rowCopy);
      return;
    }
    int d = w.dim();
    locateGradients(src, srcRows, scales, d, start, order, from, to, sums, gradAt);
    if (wa != null) {
      // a loop per rule, each in a method of its own that calls its rule's body: with one loop for all, whichever
      // rule ran second in a JVM stayed slower, its loop compiled for both. Adagrad step over 1e6 rows after SGD
      // steps in the same JVM (probe): 9.0 ms, against 7.2-7.6 alone; 7.6-7.8 with these loops
      switch (rule) {
        case RowRule.Sgd r -> sgdRows(r, w, rows, start, order, src, scales, from, to, sums, gradAt);
        case RowRule.Adagrad r -> adagradRows(r, w, slots[0], rows, start, order, src, scales, from, to, sums, gradAt);
        case RowRule.RowWiseAdagrad r ->
            rowWiseAdagradRows(r, w, slots[0], rows, start, order, src, scales, from, to, sums, gradAt);
        case RowRule.SparseAdam r ->
            sparseAdamRows(r, w, slots[0], slots[1], rows, start, order, src, scales, from, to, sums, gradAt);
      }
      return;
    }
    long stride = w.strideBytes();
    // a slot keeps D floats per row, or one (row-wise Adagrad)
    int d0 = slots.length > 0 ? slots[0].dim() : 0;
    int d1 = slots.length > 1 ? slots[1].dim() : 0;
    int shift0 = rowShift(d0);
    int shift1 = rowShift(d1);
    int l0 = slots.length > 0 ? slots[0].lead() : 0;
    int l1 = slots.length > 1 ? slots[1].lead() : 0;
    // an off-heap parameter row is updated in a heap copy (rowCopy), then written back
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      long row = rows[u];
      MemorySegment.copy(ws, FLOAT, row * stride, rowCopy, 0, d);
      update(rule, rowCopy, 0, s0, rowIndex(row, l0, shift0, d0), s1, rowIndex(row, l1, shift1, d1),
          at >= 0 ? src : sums, at >= 0 ? at : ~at, at >= 0 ? scales : null, scales == null ? 0 : order[start[u]], d);
      MemorySegment.copy(rowCopy, 0, ws, FLOAT, row * stride, d);
    }
  }

  /*
   * The loops of applyRows over a parameter in one heap array, one per rule. Row u's gradient is the entry at
   * gradAt[u - from] in src (with its scale), or at ~gradAt[u - from] in sums when negative (a sum of several).
   */

  private static void sgdRows(
      RowRule.Sgd r, RowMemory w, long[] rows, int[] start, int[] order, float[] src, float[] scales, int from,
      int to, float[] sums, int[] gradAt) {
    float[] wa = w.singleArray();
    int d = w.dim();
    int wl = w.lead();
    int shift = rowShift(d);
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      int e = scales == null ? 0 : order[start[u]];
      sgdBody(wa, rowIndex(rows[u], wl, shift, d), at >= 0 ? src : sums, at >= 0 ? at : ~at,
          at >= 0 ? scales : null, e, d, r.minusLr());
    }
  }

  private static void adagradRows(
      RowRule.Adagrad r, RowMemory w, RowMemory sum, long[] rows, int[] start, int[] order, float[] src,
      float[] scales, int from, int to, float[] sums, int[] gradAt) {
    float[] wa = w.singleArray();
    float[] sa = sum.singleArray();
    int d = w.dim();
    int wl = w.lead();
    int sl = sum.lead();
    int shift = rowShift(d);
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      int e = scales == null ? 0 : order[start[u]];
      long row = rows[u];
      adagradBody(wa, rowIndex(row, wl, shift, d), sa, rowIndex(row, sl, shift, d), at >= 0 ? src : sums,
          at >= 0 ? at : ~at, at >= 0 ? scales : null, e, d, r);
    }
  }

  /** As {@link #adagradRows}, with one float of state per row. */
  private static void rowWiseAdagradRows(
      RowRule.RowWiseAdagrad r, RowMemory w, RowMemory sum, long[] rows, int[] start, int[] order, float[] src,
      float[] scales, int from, int to, float[] sums, int[] gradAt) {
    float[] wa = w.singleArray();
    float[] sa = sum.singleArray();
    int d = w.dim();
    int wl = w.lead();
    int sl = sum.lead();
    int shift = rowShift(d);
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      int e = scales == null ? 0 : order[start[u]];
      long row = rows[u];
      rowWiseAdagradBody(wa, rowIndex(row, wl, shift, d), sa, rowIndex(row, sl, 0, 1), at >= 0 ? src : sums,
          at >= 0 ? at : ~at, at >= 0 ? scales : null, e, d, r);
    }
  }

  private static void sparseAdamRows(
      RowRule.SparseAdam r, RowMemory w, RowMemory m, RowMemory v, long[] rows, int[] start, int[] order,
      float[] src, float[] scales, int from, int to, float[] sums, int[] gradAt) {
    float[] wa = w.singleArray();
    float[] ma = m.singleArray();
    float[] va = v.singleArray();
    int d = w.dim();
    int wl = w.lead();
    int ml = m.lead();
    int vl = v.lead();
    int shift = rowShift(d);
    for (int u = from; u < to; u++) {
      int at = gradAt[u - from];
      int e = scales == null ? 0 : order[start[u]];
      long row = rows[u];
      sparseAdamBody(wa, rowIndex(row, wl, shift, d), ma, rowIndex(row, ml, shift, d), va,
          rowIndex(row, vl, shift, d), at >= 0 ? src : sums, at >= 0 ? at : ~at, at >= 0 ? scales : null, e, d, r);
    }
  }

  @Override
  public void applyRule(
      RowRule rule, RowMemory w, RowMemory[] slots, long row, float[] src, int so, float[] scales, int e,
      float[] g, float[] rowCopy) {
    int d = w.dim();
    for (RowMemory slot : slots) {
      if (!slot.isHeap()) {
        // optimizers keep their state on the heap; anything else: scalar
        scalar.applyRule(rule, w, slots, row, src, so, scales, e, g, rowCopy);
        return;
      }
    }
    float[] s0 = slots.length > 0 ? slots[0].array(row) : null;
    int o0 = slots.length > 0 ? slots[0].index(row) : 0;
    float[] s1 = slots.length > 1 ? slots[1].array(row) : null;
    int o1 = slots.length > 1 ? slots[1].index(row) : 0;
    if (w.isHeap()) {
      update(rule, w.array(row), w.index(row), s0, o0, s1, o1, src, so, scales, e, d);
      return;
    }
    // an off-heap row: update a heap copy (two bulk copies of D floats), then write it back
    MemorySegment.copy(w.segment(row), FLOAT, w.offset(row), rowCopy, 0, d);
    update(rule, rowCopy, 0, s0, o0, s1, o1, src, so, scales, e, d);
    MemorySegment.copy(rowCopy, 0, w.segment(row), FLOAT, w.offset(row), d);
  }

  /**
   * One row's update: the parameter row at {@code w[wo ..]}, its state rows at {@code s0[o0 ..]} and {@code s1[o1
   * ..]} (as many as the rule keeps), the gradient {@code 0 + src[so ..]} (times {@code scales[e]} when not null).
   */
  private static void update(
      RowRule rule, float[] w, int wo, float[] s0, int o0, float[] s1, int o1, float[] src, int so, float[] scales,
      int e, int d) {
    switch (rule) {
      case RowRule.Sgd r -> sgdBody(w, wo, src, so, scales, e, d, r.minusLr());
      case RowRule.Adagrad r -> adagradBody(w, wo, s0, o0, src, so, scales, e, d, r);
      case RowRule.RowWiseAdagrad r -> rowWiseAdagradBody(w, wo, s0, o0, src, so, scales, e, d, r);
      case RowRule.SparseAdam r -> sparseAdamBody(w, wo, s0, o0, s1, o1, src, so, scales, e, d, r);
    }
  }

  /** The gradient's lanes {@code [p, p + L)}: {@code 0 + value(e)}, as a sum over one entry gives. */
  private static FloatVector gradient(float[] src, int p, float[] scales, int e) {
    return FloatVector.zero(S).add(scale(FloatVector.fromArray(S, src, p), scales, e));
  }

  /** The gradient's value at {@code p}, as {@link #gradient}. */
  private static float gradientAt(float[] src, int p, float[] scales, int e) {
    return 0f + (scales == null ? src[p] : src[p] * scales[e]);
  }

  private static void sgdBody(float[] w, int wo, float[] src, int so, float[] scales, int e, int d, float minusLr) {
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector x = gradient(src, so + j, scales, e).mul(minusLr);
      FloatVector.fromArray(S, w, wo + j).add(x).intoArray(w, wo + j);
    }
    // scalar tail
    for (; j < d; j++) {
      w[wo + j] += minusLr * gradientAt(src, so + j, scales, e);
    }
  }

  private static void adagradBody(
      float[] w, int wo, float[] sum, int sumo, float[] src, int so, float[] scales, int e, int d,
      RowRule.Adagrad r) {
    float minusClr = r.minusClr();
    float eps = r.eps();
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector gj = gradient(src, so + j, scales, e);
      FloatVector acc = FloatVector.fromArray(S, sum, sumo + j).add(gj.mul(gj));
      acc.intoArray(sum, sumo + j);
      FloatVector step = gj.div(acc.lanewise(VectorOperators.SQRT).add(eps)).mul(minusClr);
      FloatVector.fromArray(S, w, wo + j).add(step).intoArray(w, wo + j);
    }
    // scalar tail
    for (; j < d; j++) {
      float gj = gradientAt(src, so + j, scales, e);
      float acc = sum[sumo + j] + gj * gj;
      sum[sumo + j] = acc;
      w[wo + j] += minusClr * (gj / ((float) Math.sqrt(acc) + eps));
    }
  }

  /**
   * Row-wise Adagrad from the gradient where it lies: one pass for the sum of squares, one for the update, each
   * adding the weight decay to the gradient again (the same floats), so that nothing is stored and read back.
   */
  private static void rowWiseAdagradBody(
      float[] w, int wo, float[] sum, int sumo, float[] src, int so, float[] scales, int e, int d,
      RowRule.RowWiseAdagrad r) {
    float wd = r.weightDecay();
    DoubleVector sq0 = DoubleVector.zero(SD);
    DoubleVector sq1 = sq0;
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector x = decayed(gradient(src, so + j, scales, e), w, wo + j, wd);
      DoubleVector lo = (DoubleVector) x.convertShape(VectorOperators.F2D, SD, 0);
      DoubleVector hi = (DoubleVector) x.convertShape(VectorOperators.F2D, SD, 1);
      sq0 = sq0.add(lo.mul(lo));
      sq1 = sq1.add(hi.mul(hi));
    }
    // reduce, lane by lane in a fixed order (see sumLanes)
    DoubleVector sq = sq0.add(sq1);
    double squares = 0;
    for (int lane = 0; lane < SD.length(); lane++) {
      squares += sq.lane(lane);
    }
    // scalar tail
    for (; j < d; j++) {
      float x = gradientAt(src, so + j, scales, e);
      x = wd != 0 ? x + wd * w[wo + j] : x;
      squares += (double) x * x;
    }
    float acc = (float) (sum[sumo] + squares / d);
    sum[sumo] = acc;
    float minusMultiplier = (float) (-r.lr() / (Math.sqrt(acc) + r.eps()));
    j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector x = decayed(gradient(src, so + j, scales, e), w, wo + j, wd);
      FloatVector.fromArray(S, w, wo + j).add(x.mul(minusMultiplier)).intoArray(w, wo + j);
    }
    // scalar tail
    for (; j < d; j++) {
      float x = gradientAt(src, so + j, scales, e);
      x = wd != 0 ? x + wd * w[wo + j] : x;
      w[wo + j] += minusMultiplier * x;
    }
  }

  /** {@code x + wd * w[p ..]}, or {@code x} without weight decay. */
  private static FloatVector decayed(FloatVector x, float[] w, int p, float wd) {
    return wd != 0 ? x.add(FloatVector.fromArray(S, w, p).mul(wd)) : x;
  }

  private static void sparseAdamBody(
      float[] w, int wo, float[] m, int mo, float[] v, int vo, float[] src, int so, float[] scales, int e, int d,
      RowRule.SparseAdam r) {
    float b1 = r.oneMinusB1();
    float b2 = r.oneMinusB2();
    float eps = r.eps();
    float minusStep = r.minusStepSize();
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector gj = gradient(src, so + j, scales, e);
      FloatVector mOld = FloatVector.fromArray(S, m, mo + j);
      FloatVector vOld = FloatVector.fromArray(S, v, vo + j);
      FloatVector mj = mOld.add(gj.sub(mOld).mul(b1));
      FloatVector vj = vOld.add(gj.mul(gj).sub(vOld).mul(b2));
      mj.intoArray(m, mo + j);
      vj.intoArray(v, vo + j);
      FloatVector step = mj.div(vj.lanewise(VectorOperators.SQRT).add(eps)).mul(minusStep);
      FloatVector.fromArray(S, w, wo + j).add(step).intoArray(w, wo + j);
    }
    // scalar tail
    for (; j < d; j++) {
      float gj = gradientAt(src, so + j, scales, e);
      float mOld = m[mo + j];
      float vOld = v[vo + j];
      float mj = mOld + (gj - mOld) * b1;
      float vj = vOld + (gj * gj - vOld) * b2;
      m[mo + j] = mj;
      v[vo + j] = vj;
      w[wo + j] += minusStep * (mj / ((float) Math.sqrt(vj) + eps));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Dense math (Linear)
  // ---------------------------------------------------------------------------------------------------------------

  @Override
  public float dot(float[] a, int ao, float[] b, int bo, int len) {
    if (len < 2 * L) {
      return scalar.dot(a, ao, b, bo, len);
    }
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = s0;
    int j = 0;
    for (; j + 2 * L <= len; j += 2 * L) {
      s0 = FloatVector.fromArray(S, a, ao + j).fma(FloatVector.fromArray(S, b, bo + j), s0);
      s1 = FloatVector.fromArray(S, a, ao + j + L).fma(FloatVector.fromArray(S, b, bo + j + L), s1);
    }
    // reduce
    float s = sumLanes(s0.add(s1));
    // scalar tail
    for (; j < len; j++) {
      s += a[ao + j] * b[bo + j];
    }
    return s;
  }

  /**
   * The lanes' sum in lane order. Not {@code reduceLanes(ADD)}: its order is unspecified and differs between the
   * interpreter and compiled code, so the same call could give different floats before and after JIT compilation
   * (a checkpoint-resume test caught that).
   */
  private static float sumLanes(FloatVector v) {
    float s = 0;
    for (float x : v.toArray()) {
      s += x;
    }
    return s;
  }

  @Override
  public void axpy(float s, float[] x, int xo, float[] y, int yo, int len) {
    int j = 0;
    for (; j + L <= len; j += L) {
      FloatVector.fromArray(S, y, yo + j).add(FloatVector.fromArray(S, x, xo + j).mul(s)).intoArray(y, yo + j);
    }
    // scalar tail
    for (; j < len; j++) {
      y[yo + j] += s * x[xo + j];
    }
  }
}
