package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.AHEAD;
import static dev.emb4j.internal.kernel.PanamaVectors.FLOAT;
import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.LB;
import static dev.emb4j.internal.kernel.PanamaVectors.NATIVE;
import static dev.emb4j.internal.kernel.PanamaVectors.S;
import static dev.emb4j.internal.kernel.PanamaVectors.rowIndex;
import static dev.emb4j.internal.kernel.PanamaVectors.rowShift;
import static dev.emb4j.internal.kernel.PanamaVectors.vector;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import java.util.Optional;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Row gathers ({@code out[i] = W[ids[i]]}) with the Vector API: each row copied as 8 vectors at a time, loads before
 * stores, with the row needed {@code AHEAD} positions later touched first (see {@link PanamaVectors}).
 */
final class PanamaGather {
  private PanamaGather() {}

  private static final ScalarKernels SCALAR = new ScalarKernels();

  static void gatherRows(RowStore w, long[] ids, int from, int to, float[] out) {
    Optional<RowMemory> m = StoreMemory.of(w);
    if (m.isEmpty() || w.dtype() != DType.F32) { // 16-bit rows: through the store
      SCALAR.gatherRows(w, ids, from, to, out);
      return;
    }
    RowMemory mem = m.get();
    PanamaVectors.sink = mem.isHeap() ? gatherHeap(mem, ids, from, to, out) : gatherSegment(mem, ids, from, to, out);
  }

  /*
   * The row copy is written out inside the loops of the two gathers below: as a method of its own it is too big for
   * the JIT to inline, and the call per row measured about a third slower on a table in cache. Its 8 loads come
   * before the 8 stores, so all of a row's cache lines are requested at once (a plain vector loop over a row width
   * the JIT does not know measured 2x slower on a DRAM-resident table).
   */

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
}
