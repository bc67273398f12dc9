package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.QuantizedRows;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/** Plain-Java kernels: the reference every faster implementation is tested against. */
final class ScalarKernels implements KernelSupport {
  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
  private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

  /** The row decoder of 16-bit memory: each element through {@link DType#decode}, the reference of the twins. */
  @Override
  public void decodeRow(DType dtype, RowMemory m, long row, float[] dst, int off) {
    int d = m.dim();
    if (m.isHalfHeap()) {
      short[] a = m.halfArray(row);
      int p = m.index(row);
      for (int j = 0; j < d; j++) {
        dst[off + j] = dtype.decode(a[p + j]);
      }
      return;
    }
    MemorySegment seg = m.segment(row);
    long p = m.offset(row);
    for (int j = 0; j < d; j++) {
      dst[off + j] = dtype.decode(seg.get(SHORT, p + (long) j * Short.BYTES));
    }
  }

  @Override
  public void encodeRow(StochasticRounding rounding, RowMemory m, long row, float[] src, int off) {
    rounding.writeRow(m, row, src, off);
  }

  @Override
  public void gatherRows(RowStore w, long[] ids, int from, int to, float[] out) {
    int d = w.dim();
    for (int i = from; i < to; i++) {
      w.readRow(ids[i], out, i * d);
    }
  }

  @Override
  public void decodeRows(QuantizedRows q, long[] ids, int from, int to, float[] out, int outRow) {
    int d = q.dim();
    for (int i = from; i < to; i++) {
      q.decodeRow(ids[i], out, (outRow + i - from) * d);
    }
  }

  @Override
  public void poolSum(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, float[] psw, long paddingIdx, float[] out,
      int[] bagSizes) {
    int d = w.dim();
    for (int b = bagFrom; b < bagTo; b++) {
      int count = 0;
      Arrays.fill(out, b * d, (b + 1) * d, 0f);
      for (int i = bagStarts[b]; i < bagStarts[b + 1]; i++) {
        if (ids[i] == paddingIdx) {
          continue;
        }
        w.accumulateRow(ids[i], psw == null ? 1f : psw[i], out, b * d);
        count++;
      }
      bagSizes[b] = count;
    }
  }

  @Override
  public void poolMax(
      RowStore w, long[] ids, int[] bagStarts, int bagFrom, int bagTo, long paddingIdx, float[] out,
      long[] maxIndices, int[] bagSizes) {
    int d = w.dim();
    float[] row = new float[d];
    for (int b = bagFrom; b < bagTo; b++) {
      int o = b * d;
      int count = 0;
      for (int i = bagStarts[b]; i < bagStarts[b + 1]; i++) {
        long k = ids[i];
        if (k == paddingIdx) {
          continue;
        }
        w.readRow(k, row, 0);
        for (int j = 0; j < d; j++) {
          if (count == 0 || row[j] > out[o + j]) {
            out[o + j] = row[j];
            maxIndices[o + j] = k;
          }
        }
        count++;
      }
      if (count == 0) {
        for (int j = 0; j < d; j++) {
          maxIndices[o + j] = -1;
        }
      }
      bagSizes[b] = count;
    }
  }

  @Override
  public double norm(float[] row, int off, int len, double p) {
    if (p == 2) {
      double s = 0;
      for (int j = 0; j < len; j++) {
        s += (double) row[off + j] * row[off + j];
      }
      return Math.sqrt(s);
    }
    if (p == 1) {
      double s = 0;
      for (int j = 0; j < len; j++) {
        s += Math.abs(row[off + j]);
      }
      return s;
    }
    if (p == Double.POSITIVE_INFINITY || p == Double.NEGATIVE_INFINITY) {
      boolean max = p > 0;
      double m = len == 0 ? 0 : Math.abs(row[off]);
      for (int j = 1; j < len; j++) {
        double a = Math.abs(row[off + j]);
        m = max ? Math.max(m, a) : Math.min(m, a);
      }
      return m;
    }
    if (p == 0) {
      int nonZero = 0;
      for (int j = 0; j < len; j++) {
        if (row[off + j] != 0) {
          nonZero++;
        }
      }
      return nonZero;
    }
    double s = 0;
    for (int j = 0; j < len; j++) {
      s += Math.pow(Math.abs(row[off + j]), p);
    }
    return Math.pow(s, 1.0 / p);
  }

  @Override
  public void scatterAddRows(
      RowStore target, long[] ids, float[] src, int[] srcRows, float[] scales, long paddingIdx) {
    int d = target.dim();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == paddingIdx) {
        continue;
      }
      target.addToRow(ids[i], scales == null ? 1f : scales[i], src, srcRows[i] * d);
    }
  }

  @Override
  public void scatterMaxGrad(RowStore target, long[] maxIndices, int[] bagSizes, float[] grad) {
    int d = target.dim();
    for (int b = 0; b < bagSizes.length; b++) {
      if (bagSizes[b] == 0) {
        continue;
      }
      for (int j = 0; j < d; j++) {
        long k = maxIndices[b * d + j];
        target.set(k, j, target.get(k, j) + grad[b * d + j]);
      }
    }
  }

  @Override
  public void copyRows(
      float[] src, int dim, int[] srcRows, float[] scales, int[] positions, int from, int to, float[] dst) {
    for (int u = from; u < to; u++) {
      int p = positions == null ? u : positions[u];
      int s = srcRows[p] * dim;
      int o = u * dim;
      if (scales == null) {
        System.arraycopy(src, s, dst, o, dim);
      } else {
        float scale = scales[p];
        for (int j = 0; j < dim; j++) {
          dst[o + j] = src[s + j] * scale;
        }
      }
    }
  }

  @Override
  public void sumRows(GradientEntries entries, int dim, int[] order, int from, int to, float[] dst, int dstOffset) {
    Arrays.fill(dst, dstOffset, dstOffset + dim, 0f);
    for (int k = from; k < to; k++) {
      addEntry(entries, order[k], dim, dst, dstOffset);
    }
  }

  @Override
  public void accumulateRows(
      GradientEntries entries, int dim, int[] rank, int count, int from, int to, float[] sums) {
    for (int e = 0; e < count; e++) {
      int r = rank[e];
      int u = r < 0 ? ~r : r;
      if (u < from || u >= to) {
        continue;
      }
      if (r < 0) {
        Arrays.fill(sums, u * dim, (u + 1) * dim, 0f);
      }
      addEntry(entries, e, dim, sums, u * dim);
    }
  }

  /** {@code dst[q .. q + dim) += value(e)}. */
  private static void addEntry(GradientEntries entries, int e, int dim, float[] dst, int q) {
    float[] src = entries.src();
    int p = entries.offset(e, dim);
    float[] scales = entries.scales();
    if (scales == null) {
      for (int j = 0; j < dim; j++) {
        dst[q + j] += src[p + j];
      }
    } else {
      float s = scales[e];
      for (int j = 0; j < dim; j++) {
        dst[q + j] += src[p + j] * s;
      }
    }
  }

  /** Reads the row and its state rows into the scratch copies, applies the rule's reference form, writes them back. */
  @Override
  public void updateRow(
      RowRule rule, RowMemory w, RowMemory[] slots, long row, float[] grad, int gradOffset, float[] scales, int e,
      StepScratch scratch) {
    int d = w.dim();
    float[] g = scratch.g();
    for (int j = 0; j < d; j++) {
      g[j] = 0f + (scales == null ? grad[gradOffset + j] : grad[gradOffset + j] * scales[e]);
    }
    float[] copy = scratch.w();
    float[][] state = scratch.state();
    StochasticRounding rounding = scratch.rounding();
    if (rounding != null) {
      decodeRow(rounding.dtype(), w, row, copy, 0);
    } else {
      MemorySegment.copy(w.segment(row), FLOAT, w.offset(row), copy, 0, d);
    }
    for (int k = 0; k < slots.length; k++) {
      MemorySegment.copy(slots[k].segment(row), FLOAT, slots[k].offset(row), state[k], 0, slots[k].dim());
    }
    rule.apply(copy, g, state);
    if (rounding != null) {
      rounding.writeRow(w, row, copy, 0);
    } else {
      MemorySegment.copy(copy, 0, w.segment(row), FLOAT, w.offset(row), d);
    }
    for (int k = 0; k < slots.length; k++) {
      MemorySegment.copy(state[k], 0, slots[k].segment(row), FLOAT, slots[k].offset(row), slots[k].dim());
    }
  }

  @Override
  public float dot(float[] a, int ao, float[] b, int bo, int len) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    for (; j + 3 < len; j += 4) {
      s0 += a[ao + j] * b[bo + j];
      s1 += a[ao + j + 1] * b[bo + j + 1];
      s2 += a[ao + j + 2] * b[bo + j + 2];
      s3 += a[ao + j + 3] * b[bo + j + 3];
    }
    // scalar tail
    for (; j < len; j++) {
      s0 += a[ao + j] * b[bo + j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void axpy(float s, float[] x, int xo, float[] y, int yo, int len) {
    for (int j = 0; j < len; j++) {
      y[yo + j] += s * x[xo + j];
    }
  }
}
