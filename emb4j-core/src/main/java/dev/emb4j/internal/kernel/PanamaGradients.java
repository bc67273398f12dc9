package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.FLOAT;
import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.NATIVE;
import static dev.emb4j.internal.kernel.PanamaVectors.S;
import static dev.emb4j.internal.kernel.PanamaVectors.scale;
import static dev.emb4j.internal.kernel.PanamaVectors.value;
import static dev.emb4j.internal.kernel.PanamaVectors.vector;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import jdk.incubator.vector.FloatVector;

/**
 * Gradient rows with the Vector API: the scatter of a lookup's backward pass, the copies of a sparse gradient's rows
 * and the sums of a sparse step's rows with several entries.
 */
final class PanamaGradients {
  private PanamaGradients() {}

  private static final ScalarKernels SCALAR = new ScalarKernels();
  private static final BlockSum ENTRY_SUMS = PanamaBlockSum.forKind(BlockSum.ENTRIES_KIND);

  static void scatterAddRows(
      RowStore target, long[] ids, float[] src, int[] srcRows, float[] scales, long paddingIdx) {
    Optional<RowMemory> m = StoreMemory.of(target);
    if (m.isEmpty() || target.dtype() != DType.F32) { // 16-bit rows: through the store
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

  /**
   * {@code dst[dstOffset ..] = } the sum of the entries {@code order[from .. to)}; see {@link KernelSupport#sumRows}.
   * Its eight-vector block reads each entry's row where it lies: a sparse step calls this for every row with several
   * entries, and working their offsets out in a pass beforehand, as the bag sums do, made a training step over a
   * table in cache about a tenth slower.
   */
  static void sumRows(GradientEntries entries, int dim, int[] order, int from, int to, float[] dst, int dstOffset) {
    float[] src = entries.src();
    float[] scales = entries.scales();
    int j = 0;
    if (dim >= 8 * L) {
      BlockSum.Rows group = new BlockSum.Rows.Entries(entries, dim, order, from, to);
      for (; j + 8 * L <= dim; j += 8 * L) {
        ENTRY_SUMS.sum(group, null, 0, 1, j, dst, 0, dstOffset + j);
      }
    }
    for (; j + L <= dim; j += L) {
      FloatVector acc = FloatVector.zero(S);
      for (int k = from; k < to; k++) {
        int e = order[k];
        acc = acc.add(scale(FloatVector.fromArray(S, src, entries.offset(e, dim) + j), scales, e));
      }
      acc.intoArray(dst, dstOffset + j);
    }
    // scalar tail
    for (; j < dim; j++) {
      float acc = 0;
      for (int k = from; k < to; k++) {
        int e = order[k];
        float x = src[entries.offset(e, dim) + j];
        acc += scales == null ? x : x * scales[e];
      }
      dst[dstOffset + j] = acc;
    }
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
