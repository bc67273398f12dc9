package dev.emb4j.kernel;

import dev.emb4j.store.RowStore;

/** Plain-Java kernels: the reference every faster implementation is tested against. */
final class ScalarKernels implements KernelSupport {

  @Override
  public void gatherRows(RowStore w, long[] ids, float[] out) {
    int d = w.dim();
    for (int i = 0; i < ids.length; i++) {
      w.readRow(ids[i], out, i * d);
    }
  }

  @Override
  public void poolSum(
      RowStore w, long[] ids, int[] bagStarts, float[] psw, long paddingIdx, float[] out, int[] bagSizes) {
    int d = w.dim();
    for (int b = 0; b + 1 < bagStarts.length; b++) {
      int count = 0;
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
      RowStore w, long[] ids, int[] bagStarts, long paddingIdx, float[] out, long[] maxIndices, int[] bagSizes) {
    int d = w.dim();
    float[] row = new float[d];
    for (int b = 0; b + 1 < bagStarts.length; b++) {
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
}
