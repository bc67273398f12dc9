package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.S;
import static dev.emb4j.internal.kernel.PanamaVectors.value;
import static dev.emb4j.internal.kernel.PanamaVectors.vector;
import static dev.emb4j.internal.kernel.PanamaVectors.weigh;

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
 * <p><b>Sums are register-blocked</b>: the sum of up to 8 vectors of columns (128 floats with AVX-512) is held in
 * registers across the whole bag and stored once, which measured about 5x faster than accumulating in memory. One
 * summing body ({@link #sum}) serves every bag sum whose rows it can read as they are (float32 anywhere, bfloat16 on
 * the heap) and the sums of a sparse step's gradient entries ({@link PanamaGradients#sumRows}); {@link
 * PanamaSummedRows} says where each position's row lies. <b>Reading ahead</b>: sums over off-heap rows load one float
 * of the row needed {@code AHEAD} positions later (FBGEMM's prefetch distance), so that row is on its way from memory
 * when its turn comes; Java has no prefetch instruction, and the loads' sum goes to {@link PanamaVectors#sink} so the
 * JIT cannot drop them.
 */
final class PanamaPooling {
  private PanamaPooling() {}

  private static final ScalarKernels SCALAR = new ScalarKernels();

  static void poolSum(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long paddingIdx, float[] out,
      int[] bagSizes) {
    Optional<RowMemory> m = StoreMemory.of(w);
    PanamaSummedRows rows =
        m.isEmpty()
            ? null
            : PanamaSummedRows.ofBags(m.get(), w.dtype(), ids, bagStarts[bagFrom], bagStarts[bagTo], psw, paddingIdx);
    if (rows == null) { // rows the body does not read as they are: through the store
      SCALAR.poolSum(w, ids, bagStarts, bagFrom, bagTo, psw, paddingIdx, out, bagSizes);
      return;
    }
    sum(rows, bagStarts, bagFrom, bagTo, w.dim(), out, w.dim(), 0);
    for (int b = bagFrom; b < bagTo; b++) {
      bagSizes[b] = nonPadding(ids, bagStarts[b], bagStarts[b + 1], paddingIdx);
    }
  }

  /** Whether {@link #poolSum} reads {@code w}'s rows as they are, rather than through the store. */
  static boolean sumsDirectly(RowStore w) {
    Optional<RowMemory> m = StoreMemory.of(w);
    return m.isPresent() && PanamaSummedRows.readsAsTheyAre(m.get(), w.dtype());
  }

  /**
   * The summing body of bag sums and of a sparse step's rows with several entries: for each bag b in {@code [bagFrom,
   * bagTo)}, {@code out[b * stride + o ..]} (dim floats) = the sum over its positions {@code [bagStarts[b],
   * bagStarts[b + 1])} of each row (times its weight: a product, then the sum), added in position order from zero,
   * skipping padding. Columns in blocks of eight vectors ({@link #sum8}), then single vectors, then one at a time.
   */
  static void sum(PanamaSummedRows rows, int[] bagStarts, int bagFrom, int bagTo, int dim, float[] out, int stride, int o) {
    // the columns of whole 8-vector blocks, each held in registers across a bag; one call covers every bag, since
    // these loops are too big for the JIT to inline into a per-bag loop
    int blocked = dim - dim % (8 * L);
    float touched = 0;
    for (int j = 0; j < blocked; j += 8 * L) {
      touched += sum8(rows, bagStarts, bagFrom, bagTo, j, out, stride, o + j);
    }
    PanamaVectors.sink = touched;
    boolean weighted = rows.weighted();
    for (int b = bagFrom; b < bagTo; b++) {
      int start = bagStarts[b];
      int end = bagStarts[b + 1];
      int q = b * stride + o;
      int j = blocked;
      for (; j + L <= dim; j += L) {
        FloatVector acc = FloatVector.zero(S);
        for (int i = start; i < end; i++) {
          if (!rows.skips(i)) {
            acc = acc.add(weigh(rows.load(i, j), weighted ? rows.weight(i) : 1f, weighted));
          }
        }
        acc.intoArray(out, q + j);
      }
      // scalar tail
      for (; j < dim; j++) {
        float acc = 0;
        for (int i = start; i < end; i++) {
          if (!rows.skips(i)) {
            float x = rows.value(i, j);
            acc += weighted ? rows.weight(i) * x : x;
          }
        }
        out[q + j] = acc;
      }
    }
  }

  /**
   * The eight-vector block of {@link #sum}: columns {@code [j, j + 8L)} of each bag, held in registers across the bag
   * and stored once at {@code out[b * stride + o ..]}; returns the sum of the rows touched ahead. Whether there are
   * weights or padding, and where the rows lie, does not change within a call: the JIT takes those tests out of the
   * loop or predicts them.
   */
  private static float sum8(
      PanamaSummedRows rows, int[] bagStarts, int bagFrom, int bagTo, int j, float[] out, int stride, int o) {
    boolean weighted = rows.weighted();
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
        touched += rows.touchAhead(i);
        if (rows.skips(i)) {
          continue;
        }
        float s = weighted ? rows.weight(i) : 1f;
        a0 = a0.add(weigh(rows.load(i, j), s, weighted));
        a1 = a1.add(weigh(rows.load(i, j + L), s, weighted));
        a2 = a2.add(weigh(rows.load(i, j + 2 * L), s, weighted));
        a3 = a3.add(weigh(rows.load(i, j + 3 * L), s, weighted));
        a4 = a4.add(weigh(rows.load(i, j + 4 * L), s, weighted));
        a5 = a5.add(weigh(rows.load(i, j + 5 * L), s, weighted));
        a6 = a6.add(weigh(rows.load(i, j + 6 * L), s, weighted));
        a7 = a7.add(weigh(rows.load(i, j + 7 * L), s, weighted));
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
    return touched;
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
