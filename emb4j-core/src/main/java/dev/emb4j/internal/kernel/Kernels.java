package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import java.util.Arrays;

/**
 * The row kernels of emb4j: gather, bag pooling, max-norm renormalisation, gradient scatter and the optimizer steps
 * (dense, and fused sparse) that apply a {@link RowRule}, as pure functions over {@link RowStore}s and flat arrays.
 *
 * <p>This facade checks array sizes and delegates to one implementation chosen once per JVM: the Vector API one when
 * java runs with {@code --add-modules jdk.incubator.vector} (the {@code emb4j} launcher and the tests do), otherwise
 * the scalar reference, after one log line saying so. The system properties {@code emb4j.kernels=scalar|panama|auto}
 * and {@code emb4j.vectorBits=128|256|512} force a choice (see {@code KernelProvider}). Ids are trusted: the tables
 * validate them, with positions in the message, before calling a kernel.
 *
 * <p><b>Threads.</b> Gathers, bag pooling, gradient-row copies and fused sparse optimizer steps split large batches
 * over {@link #threads()} threads, the public setting {@code Emb4j.setNumThreads} (default: the available processors,
 * or the system property {@code emb4j.threads}). Every thread writes its own contiguous range of output rows, so results are
 * bit-identical to one thread's; a sparse optimizer step partitions the touched rows, so no row is updated by two
 * threads (no Hogwild races). Dense gradient scatters run on the calling thread. Between calls, idle kernel threads
 * spin for a short while before they sleep, so that back-to-back calls do not pay a thread wake-up each (see {@code
 * WorkerTeam}; the system property {@code emb4j.spinMicros}, default 200, sets how long).
 *
 * <p><b>Tables of other dtypes</b> are read in float32 by the same calls, through a {@link RowDecoder} over the
 * table's rows: quantized tables (stores with {@code QuantizedRows}, 8 or 4 bits per value, each value {@code
 * fma(scale, q, bias)}) and 16-bit tables ({@link DType#F16}, {@link DType#BF16}, decoded exactly). A gather decodes
 * each row into the output; bag pooling decodes a group of bags' rows into a per-thread float32 scratch and runs the
 * float32 pooling over it ({@code DecodedPooling}), so that every result equals the float32 kernels' over the decoded
 * table, bit for bit. An optimizer step on a 16-bit table updates a float32 copy of each row and writes it back with
 * the {@link StochasticRounding} it is given.
 */
public final class Kernels {
  private Kernels() {}

  /** PyTorch's epsilon in {@code max_norm / (norm + 1e-7)}. */
  public static final double RENORM_EPSILON = 1e-7;

  private static final KernelSupport IMPL = KernelProvider.IMPL;

  /** Floats of output below which a kernel call stays on the calling thread (thread hand-off costs microseconds). */
  private static final int MIN_FLOATS_PER_THREAD = 1 << 14;

  /** The name of the implementation in use ({@code ScalarKernels} or {@code PanamaKernels}), for logs and benchmarks. */
  public static String implementationName() {
    return IMPL.getClass().getSimpleName();
  }

  /**
   * Sets how many threads large kernel calls use from now on (1: the calling thread only): {@code
   * Emb4j.setNumThreads}.
   *
   * @throws IllegalArgumentException unless {@code 1 <= threads <= 1024}
   */
  public static void setThreads(int threads) {
    Parallel.setThreads(threads);
  }

  /** How many threads large kernel calls use. */
  public static int threads() {
    return Parallel.threads();
  }

  /** Items per thread chunk so that each chunk has at least MIN_FLOATS_PER_THREAD floats of rows of {@code dim}. */
  private static int minChunk(int dim) {
    return Math.max(1, MIN_FLOATS_PER_THREAD / Math.max(dim, 1));
  }

  /** {@code out[i * D ..] = W[ids[i]]}: the forward pass of an embedding lookup. */
  public static void gatherRows(RowStore w, long[] ids, float[] out) {
    checkLength("out", out.length, (long) ids.length * w.dim());
    int d = w.dim();
    RowDecoder decoder = RowDecoder.of(IMPL, w);
    if (decoder != null) {
      Parallel.forRange(ids.length, minChunk(d), (from, to) -> decoder.decodeRows(ids, from, to, out, from));
      return;
    }
    Parallel.forRange(ids.length, minChunk(d), (from, to) -> IMPL.gatherRows(w, ids, from, to, out));
  }

  /** {@link KernelSupport#poolSum} for bags {@code [from, to)} of any store, through {@code decoder} when not null. */
  private static void poolSumRange(
      RowStore w, RowDecoder decoder, long[] ids, int[] bagStarts, int from, int to, float[] psw, long paddingIdx,
      float[] out, int[] bagSizes) {
    if (decoder != null) {
      if (!IMPL.poolSumEncoded(w, ids, bagStarts, from, to, psw, paddingIdx, out, bagSizes)) {
        DecodedPooling.poolSum(IMPL, decoder, w.dim(), ids, bagStarts, from, to, psw, paddingIdx, out, bagSizes);
      }
    } else {
      IMPL.poolSum(w, ids, bagStarts, from, to, psw, paddingIdx, out, bagSizes);
    }
  }

  /**
   * Sums (or weighted sums, when {@code psw != null}) the rows of each bag into {@code out} (overwritten), skipping
   * {@code paddingIdx} (-1: none); {@code bagSizes[b]} receives the non-padding count of bag b.
   */
  public static void poolSum(
      RowStore w, long[] ids, int[] bagStarts, float[] psw, long paddingIdx, float[] out, int[] bagSizes) {
    checkBags(w, ids, bagStarts, out, bagSizes);
    if (psw != null) {
      checkLength("per-sample weights", psw.length, ids.length);
    }
    RowDecoder decoder = RowDecoder.of(IMPL, w);
    Parallel.forRange(
        bagSizes.length,
        bagChunk(w, ids, bagStarts),
        (from, to) -> poolSumRange(w, decoder, ids, bagStarts, from, to, psw, paddingIdx, out, bagSizes));
  }

  /** The mean of each bag's non-padding rows; an empty bag gives zeros. */
  public static void poolMean(RowStore w, long[] ids, int[] bagStarts, long paddingIdx, float[] out, int[] bagSizes) {
    checkBags(w, ids, bagStarts, out, bagSizes);
    int d = w.dim();
    RowDecoder decoder = RowDecoder.of(IMPL, w);
    Parallel.forRange(
        bagSizes.length,
        bagChunk(w, ids, bagStarts),
        (from, to) -> {
          poolSumRange(w, decoder, ids, bagStarts, from, to, null, paddingIdx, out, bagSizes);
          for (int b = from; b < to; b++) {
            if (bagSizes[b] > 1) {
              float n = bagSizes[b];
              for (int j = b * d; j < (b + 1) * d; j++) {
                out[j] /= n;
              }
            }
          }
        });
  }

  /** Bags per thread chunk: enough that a chunk reads about MIN_FLOATS_PER_THREAD floats of rows. */
  private static int bagChunk(RowStore w, long[] ids, int[] bagStarts) {
    int bags = bagStarts.length - 1;
    long rowsPerBag = bags == 0 ? 1 : Math.max(1, ids.length / bags);
    return (int) Math.max(1, minChunk(w.dim()) / rowsPerBag);
  }

  /** The element-wise maximum of each bag's non-padding rows, with the winning row ids; see {@link KernelSupport}. */
  public static void poolMax(
      RowStore w, long[] ids, int[] bagStarts, long paddingIdx, float[] out, long[] maxIndices, int[] bagSizes) {
    checkBags(w, ids, bagStarts, out, bagSizes);
    checkLength("maxIndices", maxIndices.length, out.length);
    Arrays.fill(out, 0f);
    RowDecoder decoder = RowDecoder.of(IMPL, w);
    int d = w.dim();
    Parallel.forRange(
        bagSizes.length,
        bagChunk(w, ids, bagStarts),
        (from, to) -> {
          if (decoder != null) {
            DecodedPooling.poolMax(IMPL, decoder, d, ids, bagStarts, from, to, paddingIdx, out, maxIndices, bagSizes);
          } else {
            IMPL.poolMax(w, ids, bagStarts, from, to, paddingIdx, out, maxIndices, bagSizes);
          }
        });
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

  /**
   * The rows of a sparse gradient: row u is {@code src[srcRows[p] * dim ..]} times {@code scales[p]} (if not null),
   * with {@code p = positions == null ? u : positions[u]}, for u in {@code [0, count)}. A new array of {@code count *
   * dim} floats.
   */
  public static float[] copyRows(float[] src, int dim, int[] srcRows, float[] scales, int[] positions, int count) {
    if (positions != null) {
      checkLength("positions", positions.length, count);
    } else {
      checkLength("srcRows", srcRows.length, count);
    }
    long n = (long) count * dim;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(count + " rows of " + dim + " floats exceed one Java array");
    }
    if (scales == null && positions == null && isIdentity(srcRows) && src.length >= n) {
      return Arrays.copyOf(src, (int) n); // one bulk copy, and the JIT skips zeroing the new array
    }
    float[] dst = new float[(int) n];
    Parallel.forRange(
        count, minChunk(dim), (from, to) -> IMPL.copyRows(src, dim, srcRows, scales, positions, from, to, dst));
    return dst;
  }

  /**
   * Copies rows {@code [from, to)} of {@code src} into the same rows of {@code dst}, a store of the same width with at
   * least {@code to} rows, through a row buffer: for stores of any kind (a table or optimizer state that grows, a heap
   * copy of a state slot).
   */
  public static void copyRows(RowStore src, RowStore dst, long from, long to) {
    float[] row = new float[src.dim()];
    for (long r = from; r < to; r++) {
      src.readRow(r, row, 0);
      dst.writeRow(r, row, 0);
    }
  }

  private static boolean isIdentity(int[] a) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] != i) {
        return false;
      }
    }
    return true;
  }

  /**
   * Applies {@code rule} to every row of {@code w} and of each state slot, in place, with the rows of the dense
   * gradient {@code grad} (of {@code w}'s shape) as they are: an optimizer's dense step. Runs on the calling thread.
   *
   * @param slots the optimizer's state for {@code w}: stores with {@code w}'s rows, as wide as {@code w} or 1
   */
  public static void updateDenseRows(RowRule rule, RowStore w, RowStore[] slots, RowStore grad) {
    updateDenseRows(rule, w, slots, grad, null);
  }

  /**
   * {@link #updateDenseRows(RowRule, RowStore, RowStore[], RowStore)} for a parameter of any dtype: the rows of a
   * 16-bit {@code w} are updated in float32 and written back with {@code rounding} (null for float32).
   */
  public static void updateDenseRows(
      RowRule rule, RowStore w, RowStore[] slots, RowStore grad, StochasticRounding rounding) {
    checkRounding(w.dtype(), rounding);
    if (grad.rows() != w.rows() || grad.dim() != w.dim()) {
      throw new IllegalArgumentException(
          "gradient has shape " + grad.rows() + " x " + grad.dim() + " but the parameter is " + w.rows() + " x "
              + w.dim());
    }
    for (RowStore slot : slots) {
      checkSlot(slot.rows(), slot.dim(), w.rows(), w.dim());
    }
    IMPL.updateDenseRows(rule, w, slots, grad, rounding);
  }

  /**
   * The fused sparse optimizer step: each touched row of {@code step} once, its gradient entries summed in the order
   * given (from zero), {@code step.rule()} applied to the row of the parameter and of each state slot, in place. The
   * rows must be distinct: they are split over the kernel threads, each row updated by exactly one.
   */
  public static void updateSparseRows(SparseStep step) {
    RowMemory w = step.w();
    if ((step.rounding() == null) != (w.elementBytes() == Float.BYTES)) {
      throw new IllegalArgumentException(
          "a parameter of " + w.elementBytes() + "-byte elements is written back with "
              + (step.rounding() == null ? "stochastic rounding" : "no rounding") + ", got " + step.rounding());
    }
    int count = step.count();
    int[] start = step.start();
    if (start.length <= count || step.rows().length < count) {
      throw new IllegalArgumentException(
          count + " touched rows need " + (count + 1) + " starts and " + count + " row ids, got " + start.length
              + " and " + step.rows().length);
    }
    for (RowMemory slot : step.slots()) {
      checkSlot(slot.rows(), slot.dim(), w.rows(), w.dim());
    }
    int d = w.dim();
    int entries = start[count];
    GradientEntries g = step.entries();
    if (g.srcRows() != null) {
      checkLength("srcRows", g.srcRows().length, entries);
    }
    if (g.scales() != null) {
      checkLength("scales", g.scales().length, entries);
    }
    boolean cachedSource = (long) g.src().length * Float.BYTES <= CACHED_SOURCE_BYTES;
    if (count > 0 && (long) count * DUPLICATES_FOR_SCAN <= entries && !cachedSource) {
      updateManyDuplicates(step, entries);
      return;
    }
    // a row costs about its entries plus one update: chunk by touched rows
    Parallel.forRange(
        count,
        Math.max(1, minChunk(d) / 4),
        (from, to) -> {
          StepScratch scratch =
              StepScratch.of(d, step.slots(), SumsBuffer.atLeast(SUM_BLOCK * d), SUM_BLOCK, step.rounding());
          for (int block = from; block < to; block += SUM_BLOCK) {
            IMPL.updateRows(step, block, Math.min(to, block + SUM_BLOCK), scratch);
          }
        });
  }

  /**
   * Applies {@code rule}, which keeps no state (e.g. {@link RowRule.Sgd}), to row {@code ids[i]} of {@code w} for each
   * i in turn, with the gradient {@code grad[0 .. D)} times {@code scale}: one update per entry, duplicates included
   * rather than summed first, as fastText's Hogwild step updates the input rows of an example. Runs on the calling
   * thread; ids are trusted (the caller's model made them).
   */
  public static void updateEachRow(RowRule rule, RowMemory w, int[] ids, float[] grad, float scale) {
    updateEachRow(rule, w, ids, grad, scale, null);
  }

  /**
   * {@link #updateEachRow(RowRule, RowMemory, int[], float[], float)} for rows of any dtype: a 16-bit {@code w}'s rows
   * are updated in float32 and written back with {@code rounding} (null for float32 rows).
   */
  public static void updateEachRow(
      RowRule rule, RowMemory w, int[] ids, float[] grad, float scale, StochasticRounding rounding) {
    checkLength("grad", grad.length, w.dim());
    if ((rounding == null) != (w.elementBytes() == Float.BYTES)) {
      throw new IllegalArgumentException(
          "rows of " + w.elementBytes() + "-byte elements need " + (rounding == null ? "a" : "no") + " rounding");
    }
    IMPL.updateEachRow(rule, w, ids, grad, new float[] {scale}, rounding);
  }

  /** Checks that a parameter of {@code dtype} comes with a rounding of that dtype exactly when it is 16-bit. */
  private static void checkRounding(DType dtype, StochasticRounding rounding) {
    boolean needed = dtype != DType.F32;
    if (needed != (rounding != null) || (needed && rounding.dtype() != dtype)) {
      throw new IllegalArgumentException(
          "a parameter of " + dtype + " rows is written back with " + (needed ? "stochastic rounding to " + dtype
              : "no rounding") + ", got " + rounding);
    }
  }

  private static void checkSlot(long rows, int dim, long paramRows, int paramDim) {
    if (rows != paramRows || (dim != paramDim && dim != 1)) {
      throw new IllegalArgumentException(
          "a state slot of shape " + rows + " x " + dim + " does not fit a parameter of shape " + paramRows + " x "
              + paramDim + " (it needs " + paramRows + " rows of " + paramDim + " or 1 floats)");
    }
  }

  /** Touched rows per block of a sparse step: the block's rows with several entries are summed before it. */
  private static final int SUM_BLOCK = 256;

  /** Entries per touched row from which the gradient is summed by one pass over the entries in input order. */
  private static final int DUPLICATES_FOR_SCAN = 4;

  /**
   * Gradient sources up to this size (a bag's {@code (B, D)} output gradient, typically) are read row by row in each
   * touched row's entry order whatever the duplicates: they stay in cache, and the sums then stay in registers.
   */
  private static final long CACHED_SOURCE_BYTES = 4L << 20;

  /**
   * {@link #updateSparseRows} when rows repeat often (a small table): instead of gathering each row's entries from
   * all over the source, one pass in input order adds every entry into its row's slot of a compact {@code count x
   * D} buffer (same additions in the same order, so the same sums). Each thread owns a range of touched rows and
   * skips the entries of the others. The buffer is the calling thread's {@link SumsBuffer}, reused across steps
   * without zeroing: each row's first entry sets it, so no fresh memory is zeroed per step and pushes the table's
   * rows out of the cache before the next forward pass.
   */
  private static void updateManyDuplicates(SparseStep step, int entries) {
    int count = step.count();
    int[] start = step.start();
    int[] order = step.order();
    int d = step.w().dim();
    int[] rank = new int[entries];
    for (int u = 0; u < count; u++) {
      rank[order[start[u]]] = ~u; // the first entry sets the row's sum, the others add to it
      for (int k = start[u] + 1; k < start[u + 1]; k++) {
        rank[order[k]] = u;
      }
    }
    float[] sums = SumsBuffer.atLeast(Math.multiplyExact(count, d));
    Parallel.forRange(
        count,
        Math.max(1, minChunk(d) / 4),
        (from, to) -> {
          IMPL.accumulateRows(step.entries(), d, rank, entries, from, to, sums);
          StepScratch scratch = StepScratch.of(d, step.slots(), new float[0], 0, step.rounding());
          for (int u = from; u < to; u++) {
            IMPL.updateRow(step.rule(), step.w(), step.slots(), step.rows()[u], sums, u * d, null, 0, scratch);
          }
        });
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
