package dev.emb4j.kernel;

import dev.emb4j.store.RowStore;

/**
 * The row kernels of emb4j: gather, bag pooling, max-norm renormalisation and gradient scatter, as pure functions
 * over {@link RowStore}s and flat arrays.
 *
 * <p>This facade checks array sizes and delegates to one {@link KernelSupport} implementation chosen once per JVM.
 * Today that is the scalar reference ({@link ScalarKernels}); a Vector API implementation plugs in behind the same
 * interface. Ids are trusted: the tables validate them, with positions in the message, before calling a kernel.
 */
public final class Kernels {
  private Kernels() {}

  /** PyTorch's epsilon in {@code max_norm / (norm + 1e-7)}. */
  public static final double RENORM_EPSILON = 1e-7;

  private static final KernelSupport IMPL = new ScalarKernels();

  /** The name of the implementation in use, for logs and benchmark output. */
  public static String implementationName() {
    return IMPL.getClass().getSimpleName();
  }

  /** {@code out[i * D ..] = W[ids[i]]}: the forward pass of an embedding lookup. */
  public static void gatherRows(RowStore w, long[] ids, float[] out) {
    checkLength("out", out.length, (long) ids.length * w.dim());
    IMPL.gatherRows(w, ids, out);
  }

  /**
   * Sums (or weighted sums, when {@code psw != null}) the rows of each bag into {@code out} (zeroed first), skipping
   * {@code paddingIdx} (-1: none); {@code bagSizes[b]} receives the non-padding count of bag b.
   */
  public static void poolSum(
      RowStore w, long[] ids, int[] bagStarts, float[] psw, long paddingIdx, float[] out, int[] bagSizes) {
    checkBags(w, ids, bagStarts, out, bagSizes);
    if (psw != null) {
      checkLength("per-sample weights", psw.length, ids.length);
    }
    java.util.Arrays.fill(out, 0f);
    IMPL.poolSum(w, ids, bagStarts, psw, paddingIdx, out, bagSizes);
  }

  /** The mean of each bag's non-padding rows; an empty bag gives zeros. */
  public static void poolMean(RowStore w, long[] ids, int[] bagStarts, long paddingIdx, float[] out, int[] bagSizes) {
    poolSum(w, ids, bagStarts, null, paddingIdx, out, bagSizes);
    int d = w.dim();
    for (int b = 0; b < bagSizes.length; b++) {
      if (bagSizes[b] > 1) {
        float n = bagSizes[b];
        for (int j = b * d; j < (b + 1) * d; j++) {
          out[j] /= n;
        }
      }
    }
  }

  /** The element-wise maximum of each bag's non-padding rows, with the winning row ids; see {@link KernelSupport}. */
  public static void poolMax(
      RowStore w, long[] ids, int[] bagStarts, long paddingIdx, float[] out, long[] maxIndices, int[] bagSizes) {
    checkBags(w, ids, bagStarts, out, bagSizes);
    checkLength("maxIndices", maxIndices.length, out.length);
    java.util.Arrays.fill(out, 0f);
    IMPL.poolMax(w, ids, bagStarts, paddingIdx, out, maxIndices, bagSizes);
  }

  /**
   * The p-norm of a row as {@code torch.norm} defines it: p = 2 Euclidean, 1 sum of magnitudes, +inf / -inf largest /
   * smallest magnitude, 0 number of non-zeros, otherwise {@code (sum |x|^p)^(1/p)} (negative p included).
   */
  public static double norm(float[] row, int off, int len, double p) {
    return IMPL.norm(row, off, len, p);
  }

  /**
   * PyTorch's {@code embedding_renorm_}: every row in {@code sortedUniqueIds} whose p-norm, in float32, is strictly
   * greater than {@code maxNorm} is scaled in place by {@code (float) (maxNorm / (norm + 1e-7))}.
   */
  public static void renormRows(RowStore w, long[] sortedUniqueIds, double maxNorm, double normType) {
    int d = w.dim();
    float[] row = new float[d];
    for (long k : sortedUniqueIds) {
      w.readRow(k, row, 0);
      float norm = (float) IMPL.norm(row, 0, d, normType);
      if (norm > maxNorm) {
        double scale = maxNorm / ((double) norm + RENORM_EPSILON);
        w.scaleRow(k, (float) scale);
      }
    }
  }

  /** {@code target[ids[i]] += scales[i] * src[srcRows[i] * D ..]} for each non-padding i ({@code scales} may be null). */
  public static void scatterAddRows(
      RowStore target, long[] ids, float[] src, int[] srcRows, float[] scales, long paddingIdx) {
    checkLength("srcRows", srcRows.length, ids.length);
    if (scales != null) {
      checkLength("scales", scales.length, ids.length);
    }
    IMPL.scatterAddRows(target, ids, src, srcRows, scales, paddingIdx);
  }

  /** Routes each bag's gradient to its max-pool winners: {@code target[maxIndices[b, d], d] += grad[b, d]}. */
  public static void scatterMaxGrad(RowStore target, long[] maxIndices, int[] bagSizes, float[] grad) {
    checkLength("grad", grad.length, (long) bagSizes.length * target.dim());
    checkLength("maxIndices", maxIndices.length, grad.length);
    IMPL.scatterMaxGrad(target, maxIndices, bagSizes, grad);
  }

  private static void checkBags(RowStore w, long[] ids, int[] bagStarts, float[] out, int[] bagSizes) {
    int bags = bagStarts.length - 1;
    if (bags < 0 || bagStarts[0] != 0 || bagStarts[bags] != ids.length) {
      throw new IllegalArgumentException("bagStarts must run from 0 to the number of ids (" + ids.length + ")");
    }
    checkLength("bagSizes", bagSizes.length, bags);
    checkLength("out", out.length, (long) bags * w.dim());
  }

  private static void checkLength(String what, long actual, long expected) {
    if (actual != expected) {
      throw new IllegalArgumentException(what + " has " + actual + " elements where " + expected + " are needed");
    }
  }
}
