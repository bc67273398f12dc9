package dev.emb4j.internal.kernel;

import dev.emb4j.store.HeapRowStore;
import java.util.Arrays;

/**
 * Bag pooling over rows that are not float32 (16-bit or quantized) without a pooling body of its own: the rows of a
 * group of whole bags are decoded ({@link RowDecoder}) into a small per-thread float32 scratch table, which stays in
 * the L2 cache, and the float32 pooling body ({@link KernelSupport#poolSum}, {@link KernelSupport#poolMax}) runs over
 * it, position i of the group reading scratch row i. The results are therefore those of the float32 kernels over the
 * decoded table, bit for bit.
 *
 * <pre>
 * bags [b, e) with positions [s, s + n), n <= ROWS:  scratch row i = decode(ids[s + i]),  local id of i = i
 *                                                   (ROWS for a padding position, the local padding row),
 *                                                   local start of bag k = bagStarts[k] - s, written to out[k] as is
 * a bag of more than ROWS positions:                decoded ROWS rows at a time and added (axpy) or compared row by
 *                                                   row in position order, as the pooling body does
 * </pre>
 *
 * <p>A bag too long for the scratch stays on the decoders and the Vector API {@code axpy}: the alternative, the scalar
 * reference reading the rows one by one through the store, gives the same floats but decodes and adds one value at a
 * time.
 */
final class DecodedPooling {
  private DecodedPooling() {}

  /** Floats of decoded rows per group: 128 KiB, comfortably inside a core's L2 cache. */
  private static final int SCRATCH_FLOATS = 1 << 15;

  /** One thread's scratch for rows of one width; replaced when a call needs another width or more bags. */
  private static final class Scratch {
    final int dim;
    final int rows;
    final float[] decoded;
    final HeapRowStore table;
    final long[] localIds;
    final float[] weights;
    int[] starts = new int[0];

    Scratch(int dim) {
      this.dim = dim;
      this.rows = Math.max(8, SCRATCH_FLOATS / dim);
      this.decoded = new float[(rows + 1) * dim]; // row `rows` is the local padding row, never read
      this.table = HeapRowStore.wrap(decoded, dim);
      this.localIds = new long[rows];
      this.weights = new float[rows];
    }

    /** Local bag starts indexed by the caller's bag numbers, so the pooling body writes the caller's rows of out. */
    int[] starts(int bags) {
      if (starts.length < bags + 1) {
        starts = new int[bags + 1];
      }
      return starts;
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

  private static Scratch scratch(int dim) {
    Scratch s = SCRATCH.get();
    if (s == null || s.dim != dim) {
      s = new Scratch(dim);
      SCRATCH.set(s);
    }
    return s;
  }

  /** {@link KernelSupport#poolSum} over the rows of {@code decoder}, {@code dim} values each. */
  static void poolSum(
      KernelSupport impl, RowDecoder decoder, int dim, long[] ids, int[] bagStarts, int bagFrom, int bagTo,
      float[] psw, long paddingIdx, float[] out, int[] bagSizes) {
    pool(impl, decoder, dim, ids, bagStarts, bagFrom, bagTo, psw, paddingIdx, out, null, bagSizes);
  }

  /**
   * {@link KernelSupport#poolMax} over the rows of {@code decoder}, {@code dim} values each; {@code out} is zero for
   * the bags of the range.
   */
  static void poolMax(
      KernelSupport impl, RowDecoder decoder, int dim, long[] ids, int[] bagStarts, int bagFrom, int bagTo,
      long paddingIdx, float[] out, long[] maxIndices, int[] bagSizes) {
    pool(impl, decoder, dim, ids, bagStarts, bagFrom, bagTo, null, paddingIdx, out, maxIndices, bagSizes);
  }

  /**
   * Splits bags {@code [bagFrom, bagTo)} into groups that fit the scratch, decodes each and pools it: sums when
   * {@code maxIndices == null}, maxima otherwise.
   */
  private static void pool(
      KernelSupport impl, RowDecoder decoder, int dim, long[] ids, int[] bagStarts, int bagFrom, int bagTo,
      float[] psw, long paddingIdx, float[] out, long[] maxIndices, int[] bagSizes) {
    Scratch s = scratch(dim);
    int[] starts = s.starts(bagTo);
    long localPad = paddingIdx < 0 ? -1 : s.rows;
    for (int b = bagFrom; b < bagTo; ) {
      int e = groupEnd(s, bagStarts, b, bagTo);
      if (e == b) {
        if (maxIndices == null) {
          sumLargeBag(impl, decoder, s, ids, bagStarts[b], bagStarts[b + 1], psw, paddingIdx, out, b, bagSizes);
        } else {
          maxLargeBag(decoder, s, ids, bagStarts[b], bagStarts[b + 1], paddingIdx, out, maxIndices, b, bagSizes);
        }
        b++;
        continue;
      }
      int first = decodeGroup(decoder, s, ids, bagStarts, b, e, paddingIdx, starts);
      if (maxIndices == null) {
        float[] weights = null;
        if (psw != null) {
          weights = s.weights;
          System.arraycopy(psw, first, weights, 0, bagStarts[e] - first);
        }
        impl.poolSum(s.table, s.localIds, starts, b, e, weights, localPad, out, bagSizes);
      } else {
        impl.poolMax(s.table, s.localIds, starts, b, e, localPad, out, maxIndices, bagSizes);
        // the winners are local positions: back to the caller's row ids
        for (int k = b * dim; k < e * dim; k++) {
          if (maxIndices[k] >= 0) {
            maxIndices[k] = ids[first + (int) maxIndices[k]];
          }
        }
      }
      b = e;
    }
  }

  /**
   * The end of the group of whole bags that starts at bag {@code b}: as many bags as fit the scratch rows (at most
   * that many bags too, empty ones included), or {@code b} itself when bag b alone has more positions.
   */
  private static int groupEnd(Scratch s, int[] bagStarts, int b, int bagTo) {
    int first = bagStarts[b];
    int e = b;
    while (e < bagTo && e - b < s.rows && bagStarts[e + 1] - first <= s.rows) {
      e++;
    }
    return e;
  }

  /**
   * Decodes the positions of bags {@code [b, e)} into the scratch rows, sets their local ids and the bags' local
   * starts; returns the group's first position.
   */
  private static int decodeGroup(
      RowDecoder decoder, Scratch s, long[] ids, int[] bagStarts, int b, int e, long paddingIdx, int[] starts) {
    int first = bagStarts[b];
    int n = bagStarts[e] - first;
    decoder.decodeRows(ids, first, first + n, s.decoded, 0);
    for (int i = 0; i < n; i++) {
      s.localIds[i] = ids[first + i] == paddingIdx ? s.rows : i;
    }
    for (int k = b; k <= e; k++) {
      starts[k] = bagStarts[k] - first;
    }
    return first;
  }

  /** The sum of one bag of more than the scratch's rows, a scratch of rows at a time, in position order from zero. */
  private static void sumLargeBag(
      KernelSupport impl, RowDecoder decoder, Scratch s, long[] ids, int start, int end, float[] psw,
      long paddingIdx, float[] out, int b, int[] bagSizes) {
    int d = s.dim;
    Arrays.fill(out, b * d, (b + 1) * d, 0f);
    int count = 0;
    for (int from = start; from < end; from += s.rows) {
      int to = Math.min(end, from + s.rows);
      decoder.decodeRows(ids, from, to, s.decoded, 0);
      for (int i = from; i < to; i++) {
        if (ids[i] != paddingIdx) {
          impl.axpy(psw == null ? 1f : psw[i], s.decoded, (i - from) * d, out, b * d, d);
          count++;
        }
      }
    }
    bagSizes[b] = count;
  }

  /**
   * The maximum of one bag of more than the scratch's rows: the first non-padding row seeds it, a later value replaces
   * it only when strictly greater (the rule of {@link KernelSupport#poolMax}).
   */
  private static void maxLargeBag(
      RowDecoder decoder, Scratch s, long[] ids, int start, int end, long paddingIdx, float[] out, long[] maxIndices,
      int b, int[] bagSizes) {
    int d = s.dim;
    int o = b * d;
    int count = 0;
    for (int from = start; from < end; from += s.rows) {
      int to = Math.min(end, from + s.rows);
      decoder.decodeRows(ids, from, to, s.decoded, 0);
      for (int i = from; i < to; i++) {
        long k = ids[i];
        if (k == paddingIdx) {
          continue;
        }
        int r = (i - from) * d;
        for (int j = 0; j < d; j++) {
          if (count == 0 || s.decoded[r + j] > out[o + j]) {
            out[o + j] = s.decoded[r + j];
            maxIndices[o + j] = k;
          }
        }
        count++;
      }
    }
    if (count == 0) {
      Arrays.fill(maxIndices, o, o + d, -1L);
    }
    bagSizes[b] = count;
  }
}
