package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.AHEAD;
import static dev.emb4j.internal.kernel.PanamaVectors.FLOAT;
import static dev.emb4j.internal.kernel.PanamaVectors.NATIVE;
import static dev.emb4j.internal.kernel.PanamaVectors.S;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * The rows that the one summing body ({@link PanamaPooling#sum}) adds, and where each lies: the rows of a bag sum in
 * a heap table of float32 or bfloat16 rows or in off-heap (or mapped) float32 segments, or the entries of a sparse
 * step's gradient (rows of a heap array, like a table's). The body reads position i through {@link #load}, {@link
 * #value}, {@link #weight}, {@link #skips} and {@link #touchAhead}, each of which tests the kind first: the kind is
 * fixed within a call, so the tests are always predicted the same way, and each kind's load is a few instructions,
 * which keeps the whole body inlined and its eight accumulators in registers.
 *
 * <pre>
 * kind       row of position i (an index into the ids, or into the picked entries)      weight
 * HEAP       single (or arrays[i - base]) from float offsets[i - base]                weights[i - weightBase] or 1
 * HEAP_BF16  halves (or halfArrays[i - base]) from offsets[i - base], widened exactly  weights[i - weightBase] or 1
 * SEGMENT    mem.segment(ids[i]) from byte mem.offset(ids[i])                          weights[i - weightBase] or 1
 * </pre>
 *
 * <p>The heap kinds work their rows' offsets out in a pass beforehand ({@link RowOffsets}): the summing loop then reads
 * an {@code int} per row and does no index arithmetic, and reads no row ahead, which measured faster. Segments are
 * read where they lie, with the row needed {@code AHEAD} positions later touched first (see {@link PanamaVectors}).
 * Gradient entries get their offsets and weights worked out once for all the rows of a step's block that have
 * several entries ({@link PanamaGradients#locateGradients}): worked out per row, the allocations and the second pass
 * made a training step slower. A bfloat16 value widened to float32 is exact, so a sum over bfloat16 rows is the
 * float32 sum over the decoded rows, bit for bit.
 */
record PanamaSummedRows(
    int kind,
    float[] single,
    float[][] arrays,
    short[] halves,
    short[][] halfArrays,
    int[] offsets,
    int base,
    boolean padded,
    RowMemory mem,
    long[] ids,
    long pad,
    int aheadLast,
    float[] weights,
    int weightBase) {

  static final int HEAP = 0;
  static final int HEAP_BF16 = 1;
  static final int SEGMENT = 2;

  /** Whether the body reads rows of {@code dtype} in {@code mem} as they are (see {@link #ofBags}). */
  static boolean readsAsTheyAre(RowMemory mem, DType dtype) {
    return dtype == DType.F32 ? mem.elementBytes() == Float.BYTES : dtype == DType.BF16 && mem.isHalfHeap();
  }

  /**
   * The rows of the bag positions {@code [from, to)} of {@code ids} in {@code mem}, of {@code dtype}, weighted by
   * {@code psw} if not null; or null when the body cannot read them as they are (float16, or bfloat16 off the heap:
   * those are decoded first, see {@code DecodedPooling}).
   */
  static PanamaSummedRows ofBags(
      RowMemory mem, DType dtype, long[] ids, int from, int to, float[] psw, long paddingIdx) {
    boolean padded = paddingIdx >= 0;
    boolean half = dtype == DType.BF16 && mem.isHalfHeap();
    if (half || dtype == DType.F32 && mem.isHeap()) {
      float[] single = mem.singleArray();
      short[] halves = mem.singleHalfArray();
      if (single != null || halves != null) {
        int[] offsets = RowOffsets.of(ids, from, to, mem.lead(), mem.dim(), paddingIdx);
        return heap(half ? HEAP_BF16 : HEAP, single, null, halves, null, offsets, from, padded, psw);
      }
      // several chunks: each position's own, and its row's index in it
      float[][] arrays = half ? null : new float[to - from][];
      short[][] halfArrays = half ? new short[to - from][] : null;
      int[] offsets = new int[to - from];
      for (int i = from; i < to; i++) {
        long k = ids[i];
        offsets[i - from] = k == paddingIdx ? RowOffsets.SKIP : mem.index(k);
        if (k != paddingIdx && half) {
          halfArrays[i - from] = mem.halfArray(k);
        } else if (k != paddingIdx) {
          arrays[i - from] = mem.array(k);
        }
      }
      return heap(half ? HEAP_BF16 : HEAP, null, arrays, null, halfArrays, offsets, from, padded, psw);
    }
    if (readsAsTheyAre(mem, dtype)) {
      int aheadLast = Math.max(to - 1, 0);
      return new PanamaSummedRows(
          SEGMENT, null, null, null, null, null, 0, padded, mem, ids, paddingIdx, aheadLast, psw, 0);
    }
    return null;
  }

  /**
   * The gradient entries {@code order[i]} for the positions i in {@code [from, to)}, rows of {@code dim} floats,
   * their offsets worked out in a pass beforehand as the bag sums' are.
   */
  static PanamaSummedRows ofEntries(GradientEntries entries, int dim, int[] order, int from, int to) {
    int[] offsets = new int[to - from];
    float[] scales = entries.scales();
    float[] weights = scales == null ? null : new float[to - from];
    for (int i = from; i < to; i++) {
      int e = order[i];
      offsets[i - from] = entries.offset(e, dim);
      if (weights != null) {
        weights[i - from] = scales[e];
      }
    }
    return new PanamaSummedRows(
        HEAP, entries.src(), null, null, null, offsets, from, false, null, null, -1, 0, weights, from);
  }

  private static PanamaSummedRows heap(
      int kind, float[] single, float[][] arrays, short[] halves, short[][] halfArrays, int[] offsets, int base,
      boolean padded, float[] psw) {
    return new PanamaSummedRows(
        kind, single, arrays, halves, halfArrays, offsets, base, padded, null, null, -1, 0, psw, 0);
  }

  /** Whether the positions have weights. */
  boolean weighted() {
    return weights != null;
  }

  /** Whether position i is the padding row, which a sum skips. */
  boolean skips(int i) {
    return kind == SEGMENT ? ids[i] == pad : padded && offsets[i - base] == RowOffsets.SKIP;
  }

  /** Position i's weight (the positions have weights). */
  float weight(int i) {
    return weights[i - weightBase];
  }

  /** One vector of position i's row from column {@code col}. */
  FloatVector load(int i, int col) {
    return switch (kind) {
      case HEAP -> FloatVector.fromArray(S, arrays == null ? single : arrays[i - base], offsets[i - base] + col);
      case HEAP_BF16 ->
          PanamaHalfRows.bf16ToFloat(
              ShortVector.fromArray(
                  PanamaHalfRows.HS, halfArrays == null ? halves : halfArrays[i - base], offsets[i - base] + col));
      default -> {
        long k = ids[i];
        yield FloatVector.fromMemorySegment(S, mem.segment(k), mem.offset(k) + (long) col * Float.BYTES, NATIVE);
      }
    };
  }

  /** Position i's value in column {@code col}. */
  float value(int i, int col) {
    return switch (kind) {
      case HEAP -> (arrays == null ? single : arrays[i - base])[offsets[i - base] + col];
      case HEAP_BF16 -> DType.BF16.decode((halfArrays == null ? halves : halfArrays[i - base])[offsets[i - base] + col]);
      default -> {
        long k = ids[i];
        yield mem.segment(k).get(FLOAT, mem.offset(k) + (long) col * Float.BYTES);
      }
    };
  }

  /**
   * Off-heap rows: reads the first float of the row {@code AHEAD} positions after i (the last position's at the end),
   * so that it is on its way from memory when its turn comes; 0 for the other kinds. The index is clamped rather than
   * guarded by a branch: C2 hoisted a guarded read's range check on the profile's word that the branch is always
   * taken, and the last positions of every call then trapped and had the loop recompiled.
   */
  float touchAhead(int i) {
    if (kind != SEGMENT) {
      return 0;
    }
    long ahead = ids[Math.min(i + AHEAD, aheadLast)];
    MemorySegment seg = mem.segment(ahead);
    return seg.get(FLOAT, mem.offset(ahead));
  }
}
