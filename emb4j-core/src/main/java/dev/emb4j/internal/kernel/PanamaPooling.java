package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.AHEAD;
import static dev.emb4j.internal.kernel.PanamaVectors.FLOAT;
import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.LB;
import static dev.emb4j.internal.kernel.PanamaVectors.NATIVE;
import static dev.emb4j.internal.kernel.PanamaVectors.S;
import static dev.emb4j.internal.kernel.PanamaVectors.value;
import static dev.emb4j.internal.kernel.PanamaVectors.vector;
import static dev.emb4j.internal.kernel.PanamaVectors.weigh;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import java.util.Optional;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Bag pooling (sum, weighted sum, max) with the Vector API.
 *
 * <p><b>Bag sums are register-blocked</b>: the sum of up to 8 vectors of columns (128 floats with AVX-512) is held in
 * registers across the whole bag and stored once, which measured about 5x faster than accumulating in memory; over a
 * table in one heap array they read the rows' offsets from a pass made beforehand ({@link RowOffsets}) and do not
 * read ahead, which measured faster. <b>Reading ahead</b>: bag sums over off-heap or chunked tables load one float of
 * the row needed {@code AHEAD} positions later (FBGEMM's prefetch distance), so that row is on its way from memory
 * when its turn comes; Java has no prefetch instruction, and the loads' sum goes to {@link PanamaVectors#sink} so the
 * JIT cannot drop them. The read-ahead index is clamped to the last position rather than guarded by a branch: C2
 * hoisted the guarded read's range check on the profile's word that the branch is always taken, and the last
 * positions of every call then trapped and had the loop recompiled (seen in the deoptimization log).
 */
final class PanamaPooling {
  private PanamaPooling() {}

  private static final ScalarKernels SCALAR = new ScalarKernels();

  static void poolSum(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long paddingIdx, float[] out,
      int[] bagSizes) {
    Optional<RowMemory> m = StoreMemory.of(w);
    if (m.isEmpty() || w.dtype() != DType.F32) { // 16-bit rows: through the store
      SCALAR.poolSum(w, ids, bagStarts, bagFrom, bagTo, psw, paddingIdx, out, bagSizes);
      return;
    }
    RowMemory mem = m.get();
    int d = mem.dim();
    // the columns of whole 8-vector blocks, each held in registers across a bag; one call covers every bag, since
    // these loops are too big for the JIT to inline into a per-bag loop
    int blocked = d - d % (8 * L);
    BagRows rows =
        blocked > 0 && mem.isHeap()
            ? BagRows.of(mem, ids, bagStarts[bagFrom], bagStarts[bagTo], psw, paddingIdx)
            : null;
    float touched = 0;
    for (int j = 0; j < blocked; j += 8 * L) {
      if (rows != null) {
        sum8(rows, bagStarts, bagFrom, bagTo, j, out, d, j);
      } else {
        touched += sum8Segment(mem, ids, bagStarts, bagFrom, bagTo, psw, paddingIdx, j, out);
      }
    }
    PanamaVectors.sink = touched;
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
      bagSizes[b] = nonPadding(ids, start, end, paddingIdx);
    }
  }

  /**
   * Where the rows of the positions {@code [base, base + n)} of a bag sum lie in heap memory: position i's row starts
   * at {@code offsets[i - base]} (or is padding, {@link RowOffsets#SKIP}, when {@code padded}) in {@code single}, or
   * in {@code arrays[i - base]} when the table is split over several arrays; its weight is {@code weights[i]}, or 1
   * when {@code weights == null}. Worked out in one pass before the sums (see {@link RowOffsets}):
   * the summing loop then reads an {@code int} per row and does no index arithmetic, and reads no row ahead, which
   * measured faster than reading ahead.
   */
  private record BagRows(float[] single, float[][] arrays, int[] offsets, int base, float[] weights, boolean padded) {

    /** The rows of positions {@code [from, to)} of {@code ids} in a heap table, weighted by {@code psw} if not null. */
    static BagRows of(RowMemory mem, long[] ids, int from, int to, float[] psw, long paddingIdx) {
      float[] single = mem.singleArray();
      if (single != null) {
        int[] offsets = RowOffsets.of(ids, from, to, mem.lead(), mem.dim(), paddingIdx);
        return new BagRows(single, null, offsets, from, psw, paddingIdx >= 0);
      }
      int[] offsets = new int[to - from];
      float[][] arrays = new float[to - from][];
      for (int i = from; i < to; i++) {
        long k = ids[i];
        offsets[i - from] = k == paddingIdx ? RowOffsets.SKIP : mem.index(k);
        arrays[i - from] = k == paddingIdx ? null : mem.array(k);
      }
      return new BagRows(null, arrays, offsets, from, psw, paddingIdx >= 0);
    }
  }

  /**
   * The eight-vector block of the bag sums over heap rows, of one array or several: for each bag b in {@code
   * [bagFrom, bagTo)}, the sum over its positions of each row's columns {@code [j, j + 8L)} (times its
   * weight: a product, then the sum), added in position order from zero, held in registers across the bag and stored
   * once at {@code out[b * stride + o ..]}. Whether there are weights, padding or several arrays does not change
   * within a call: the JIT takes those tests out of the loop.
   */
  private static void sum8(BagRows rows, int[] bagStarts, int bagFrom, int bagTo, int j, float[] out, int stride, int o) {
    float[] single = rows.single();
    float[][] arrays = rows.arrays();
    int[] offsets = rows.offsets();
    float[] weights = rows.weights();
    boolean weighted = weights != null;
    boolean padded = rows.padded();
    int base = rows.base();
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
        float[] a = arrays == null ? single : arrays[i];
        float s = weighted ? weights[i + base] : 1f;
        p += j;
        a0 = a0.add(weigh(FloatVector.fromArray(S, a, p), s, weighted));
        a1 = a1.add(weigh(FloatVector.fromArray(S, a, p + L), s, weighted));
        a2 = a2.add(weigh(FloatVector.fromArray(S, a, p + 2 * L), s, weighted));
        a3 = a3.add(weigh(FloatVector.fromArray(S, a, p + 3 * L), s, weighted));
        a4 = a4.add(weigh(FloatVector.fromArray(S, a, p + 4 * L), s, weighted));
        a5 = a5.add(weigh(FloatVector.fromArray(S, a, p + 5 * L), s, weighted));
        a6 = a6.add(weigh(FloatVector.fromArray(S, a, p + 6 * L), s, weighted));
        a7 = a7.add(weigh(FloatVector.fromArray(S, a, p + 7 * L), s, weighted));
      }
      int q = b * stride + o;
      a0.intoArray(out, q);
      a1.intoArray(out, q + L);
      a2.intoArray(out, q + 2 * L);
      a3.intoArray(out, q + 3 * L);
      a4.intoArray(out, q + 4 * L);
      a5.intoArray(out, q + 5 * L);
      a6.intoArray(out, q + 6 * L);
      a7.intoArray(out, q + 7 * L);
    }
  }

  /**
   * {@link #sum8} over off-heap segments, where the row needed {@code AHEAD} positions later is touched first (the
   * rows' addresses are not worked out beforehand: a segment and a long offset per row).
   */
  private static float sum8Segment(
      RowMemory mem, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long pad, int j, float[] out) {
    int d = mem.dim();
    boolean weighted = psw != null;
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
        float s = weighted ? psw[i] : 1f;
        a0 = a0.add(weigh(FloatVector.fromMemorySegment(S, seg, p, NATIVE), s, weighted));
        a1 = a1.add(weigh(FloatVector.fromMemorySegment(S, seg, p + LB, NATIVE), s, weighted));
        a2 = a2.add(weigh(FloatVector.fromMemorySegment(S, seg, p + 2 * LB, NATIVE), s, weighted));
        a3 = a3.add(weigh(FloatVector.fromMemorySegment(S, seg, p + 3 * LB, NATIVE), s, weighted));
        a4 = a4.add(weigh(FloatVector.fromMemorySegment(S, seg, p + 4 * LB, NATIVE), s, weighted));
        a5 = a5.add(weigh(FloatVector.fromMemorySegment(S, seg, p + 5 * LB, NATIVE), s, weighted));
        a6 = a6.add(weigh(FloatVector.fromMemorySegment(S, seg, p + 6 * LB, NATIVE), s, weighted));
        a7 = a7.add(weigh(FloatVector.fromMemorySegment(S, seg, p + 7 * LB, NATIVE), s, weighted));
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

  static void poolMax(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, long paddingIdx, float[] out,
      long[] maxIndices, int[] bagSizes) {
    Optional<RowMemory> m = StoreMemory.of(w);
    if (m.isEmpty() || w.dtype() != DType.F32) { // 16-bit rows: through the store
      SCALAR.poolMax(w, ids, bagStarts, bagFrom, bagTo, paddingIdx, out, maxIndices, bagSizes);
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
      bagSizes[b] = nonPadding(ids, start, end, paddingIdx);
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

  /** How many of the positions {@code [start, end)} of {@code ids} are not the padding row: a bag's size. */
  private static int nonPadding(long[] ids, int start, int end, long paddingIdx) {
    int count = 0;
    for (int i = start; i < end; i++) {
      if (ids[i] != paddingIdx) {
        count++;
      }
    }
    return count;
  }
}
