package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.AHEAD;
import static dev.emb4j.internal.kernel.PanamaVectors.FLOAT;
import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.LB;
import static dev.emb4j.internal.kernel.PanamaVectors.NATIVE;
import static dev.emb4j.internal.kernel.PanamaVectors.S;
import static dev.emb4j.internal.kernel.PanamaVectors.rowIndex;
import static dev.emb4j.internal.kernel.PanamaVectors.rowShift;
import static dev.emb4j.internal.kernel.PanamaVectors.scale;
import static dev.emb4j.internal.kernel.PanamaVectors.sumLanes;
import static dev.emb4j.internal.kernel.PanamaVectors.value;
import static dev.emb4j.internal.kernel.PanamaVectors.vector;

import dev.emb4j.store.RowMemory;
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
    Optional<RowMemory> m = w.memory();
    if (m.isEmpty()) {
      SCALAR.poolSum(w, ids, bagStarts, bagFrom, bagTo, psw, paddingIdx, out, bagSizes);
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
    Optional<RowMemory> m = w.memory();
    if (m.isEmpty()) {
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
}
