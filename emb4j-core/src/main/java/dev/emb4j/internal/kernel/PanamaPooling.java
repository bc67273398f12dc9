package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.S;
import static dev.emb4j.internal.kernel.PanamaVectors.value;
import static dev.emb4j.internal.kernel.PanamaVectors.vector;

import dev.emb4j.internal.store.QuantizedBacked;
import dev.emb4j.internal.store.QuantizedRows;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import java.util.Optional;
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

  /** Positions per group of bags whose encoded rows are summed a block at a time: a few tens of KiB of rows. */
  private static final int CACHED_POSITIONS = 256;
  /** The summing block of each kind of table rows, indexed by kind (the gradient entries' kind is unused here). */
  private static final BlockSum[] SUMS = new BlockSum[BlockSum.KINDS];

  static {
    for (int kind = 0; kind < BlockSum.KINDS; kind++) {
      if (kind != BlockSum.ENTRIES_KIND) {
        SUMS[kind] = PanamaBlockSum.forKind(kind);
      }
    }
  }

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
    if (blocked > 0) {
      BlockSum body = SUMS[mem.isHeap() ? BlockSum.HEAP_KIND : BlockSum.SEGMENT_KIND];
      BlockSum.Rows rows =
          mem.isHeap()
              ? heapRows(mem, ids, bagStarts[bagFrom], bagStarts[bagTo], psw, paddingIdx)
              : new BlockSum.Rows.Ids(mem, ids, psw, paddingIdx, bagStarts[bagTo] - 1);
      float touched = 0;
      for (int j = 0; j < blocked; j += 8 * L) {
        touched += body.sum(rows, bagStarts, bagFrom, bagTo, j, out, d, j);
      }
      PanamaVectors.sink = touched;
    }
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

  /** The rows of positions {@code [from, to)} of {@code ids} in a heap table, weighted by {@code psw} if not null. */
  private static BlockSum.Rows.Heap heapRows(RowMemory mem, long[] ids, int from, int to, float[] psw, long paddingIdx) {
    float[] single = mem.singleArray();
    if (single != null) {
      int[] offsets = RowOffsets.of(ids, from, to, mem.lead(), mem.dim(), paddingIdx);
      return new BlockSum.Rows.Heap(single, null, offsets, from, psw, paddingIdx >= 0);
    }
    int[] offsets = new int[to - from];
    float[][] arrays = new float[to - from][];
    for (int i = from; i < to; i++) {
      long k = ids[i];
      offsets[i - from] = k == paddingIdx ? RowOffsets.SKIP : mem.index(k);
      arrays[i - from] = k == paddingIdx ? null : mem.array(k);
    }
    return new BlockSum.Rows.Heap(null, arrays, offsets, from, psw, paddingIdx >= 0);
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

  /**
   * {@link #poolSum} over rows that are not float32, each vector decoded as it is summed ({@link BlockSum}), when
   * the row width is a whole number of the kind's blocks and the dtype has a block kind here; else false, and nothing is
   * written.
   */
  static boolean poolSumEncoded(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long paddingIdx, float[] out,
      int[] bagSizes) {
    int d = w.dim();
    int aheadLast = bagStarts[bagTo] - 1;
    BlockSum body;
    BlockSum.Rows rows;
    if (w instanceof QuantizedBacked backed) {
      QuantizedRows q = backed.quantizedRows();
      if (q.bits() == 4 && !PanamaQuantized.BYTES_MATCH_FLOATS) {
        return false;
      }
      body = SUMS[q.bits() == 8 ? BlockSum.INT8_KIND : BlockSum.INT4_KIND];
      rows = new BlockSum.Rows.Quantized(q, ids, psw, paddingIdx, aheadLast);
    } else {
      RowMemory mem = StoreMemory.of(w).orElse(null);
      DType dtype = w.dtype();
      if (mem == null || (dtype != DType.BF16 && dtype != DType.F16)) {
        return false;
      }
      boolean bf16 = dtype == DType.BF16;
      int kind =
          mem.isHalfHeap()
              ? (bf16 ? BlockSum.BF16_HEAP_KIND : BlockSum.F16_HEAP_KIND)
              : (bf16 ? BlockSum.BF16_SEGMENT_KIND : BlockSum.F16_SEGMENT_KIND);
      body = SUMS[kind];
      rows = new BlockSum.Rows.Ids(mem, ids, psw, paddingIdx, aheadLast);
    }
    int block = body.vectors() * L;
    if (d % block != 0) {
      return false;
    }
    float touched = 0;
    if (d == block) {
      touched += body.sum(rows, bagStarts, bagFrom, bagTo, 0, out, d, 0);
    } else {
      // a row wider than a block is summed a block at a time: bags go in groups small enough that their rows stay in
      // the cache from one block to the next, rather than all bags per block, which read every row from memory again
      for (int b = bagFrom; b < bagTo; ) {
        int e = b + 1;
        while (e < bagTo && bagStarts[e + 1] - bagStarts[b] <= CACHED_POSITIONS) {
          e++;
        }
        for (int j = 0; j < d; j += block) {
          touched += body.sum(rows, bagStarts, b, e, j, out, d, j);
        }
        b = e;
      }
    }
    PanamaVectors.sink = touched;
    for (int b = bagFrom; b < bagTo; b++) {
      bagSizes[b] = nonPadding(ids, bagStarts[b], bagStarts[b + 1], paddingIdx);
    }
    return true;
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
