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
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Gradient rows with the Vector API: the scatter of a lookup's backward pass, the copies of a sparse gradient's rows
 * and the sums of a sparse step's rows with several entries.
 */
final class PanamaGradients {
  private PanamaGradients() {}

  private static final ScalarKernels SCALAR = new ScalarKernels();

  static void scatterAddRows(
      RowStore target, long[] ids, float[] src, int[] srcRows, float[] scales, long paddingIdx) {
    Optional<RowMemory> m = target.memory();
    if (m.isEmpty()) {
      SCALAR.scatterAddRows(target, ids, src, srcRows, scales, paddingIdx);
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

  static void scatterMaxGrad(RowStore target, long[] maxIndices, int[] bagSizes, float[] grad) {
    SCALAR.scatterMaxGrad(target, maxIndices, bagSizes, grad); // column-wise scatter: nothing to vectorise
  }

  static void copyRows(
      float[] src, int dim, int[] srcRows, float[] scales, int[] positions, int from, int to, float[] dst) {
    if (scales == null) {
      SCALAR.copyRows(src, dim, srcRows, null, positions, from, to, dst); // System.arraycopy per row
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


  static void sumRows(GradientEntries entries, int dim, int[] order, int from, int to, float[] dst, int dstOffset) {
    float[] src = entries.src();
    int[] srcRows = entries.srcRows();
    float[] scales = entries.scales();
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

  static void accumulateRows(
      GradientEntries entries, int dim, int[] rank, int count, int from, int to, float[] sums) {
    float[] src = entries.src();
    int[] srcRows = entries.srcRows();
    float[] scales = entries.scales();
    for (int e = 0; e < count; e++) {
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

}
