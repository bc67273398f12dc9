package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import java.util.Arrays;

/**
 * Bag pooling over a table of 16-bit rows with the float32 pooling kernels: the rows of a group of bags are decoded
 * ({@link KernelSupport#decodeRows}) into the calling thread's scratch table of float32 rows, one scratch row per
 * position, and the kernel's own {@code poolSum} or {@code poolMax} runs over that scratch, with each position's id
 * replaced by its scratch row. The sums are the same floats as the reference's, which adds each decoded row in
 * position order.
 *
 * <p>The scratch holds {@link #SCRATCH_FLOATS} floats (in L2 on current CPUs), so groups are as many whole bags as fit
 * it. A bag with more rows than the scratch holds is pooled by the scalar reference through the store's methods.
 */
final class DecodedPooling {
  private DecodedPooling() {}

  /** Floats of a thread's scratch rows: 256 KiB. */
  static final int SCRATCH_FLOATS = 1 << 16;

  private static final ScalarKernels SCALAR = new ScalarKernels();

  private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<>();

  /** One thread's scratch for rows of one width. */
  private static final class Scratch {
    final int dim;
    final int capacity;
    final float[] rows;
    final HeapRowStore table;
    final long[] ids;
    final int[] starts;
    final float[] out;
    final int[] sizes;
    final long[] winners;
    final float[] weights;

    Scratch(int dim) {
      this.dim = dim;
      this.capacity = Math.max(1, SCRATCH_FLOATS / dim);
      this.rows = new float[capacity * dim];
      this.table = HeapRowStore.wrap(rows, dim);
      this.ids = new long[capacity];
      this.starts = new int[capacity + 1];
      this.out = new float[capacity * dim];
      this.sizes = new int[capacity];
      this.winners = new long[capacity * dim];
      this.weights = new float[capacity];
    }

    static Scratch of(int dim) {
      Scratch s = SCRATCH.get();
      if (s == null || s.dim != dim) {
        s = new Scratch(dim);
        SCRATCH.set(s);
      }
      return s;
    }
  }

  /**
   * {@link KernelSupport#poolSum} (with {@code maxIndices == null}) or {@link KernelSupport#poolMax} over the 16-bit
   * table {@code w}, whose memory is {@code mem}, for the bags {@code [bagFrom, bagTo)}.
   */
  static void pool(
      KernelSupport impl, RowStore w, RowMemory mem, long[] ids, int[] bagStarts, int bagFrom, int bagTo,
      float[] psw, long paddingIdx, float[] out, long[] maxIndices, int[] bagSizes) {
    int d = mem.dim();
    DType dtype = w.dtype();
    Scratch s = Scratch.of(d);
    int b = bagFrom;
    while (b < bagTo) {
      int first = b;
      int base = bagStarts[first];
      while (b < bagTo && bagStarts[b + 1] - base <= s.capacity && b - first < s.capacity) {
        b++;
      }
      if (b == first) { // one bag larger than the scratch: the reference, through the store
        if (maxIndices == null) {
          SCALAR.poolSum(w, ids, bagStarts, first, first + 1, psw, paddingIdx, out, bagSizes);
        } else {
          SCALAR.poolMax(w, ids, bagStarts, first, first + 1, paddingIdx, out, maxIndices, bagSizes);
        }
        b++;
        continue;
      }
      poolGroup(impl, dtype, mem, s, ids, bagStarts, first, b, psw, paddingIdx, out, maxIndices, bagSizes);
    }
  }

  /** Pools the bags {@code [first, last)}, whose positions all fit the scratch. */
  private static void poolGroup(
      KernelSupport impl, DType dtype, RowMemory mem, Scratch s, long[] ids, int[] bagStarts, int first, int last,
      float[] psw, long paddingIdx, float[] out, long[] maxIndices, int[] bagSizes) {
    int d = s.dim;
    int base = bagStarts[first];
    int end = bagStarts[last];
    int bags = last - first;
    // padding positions keep an id no scratch row has, and the pooling skips it as padding
    long localPad = paddingIdx < 0 ? -1 : s.capacity;
    for (int i = base; i < end; i++) {
      s.ids[i - base] = ids[i] == paddingIdx ? localPad : i - base;
    }
    for (int k = 0; k <= bags; k++) {
      s.starts[k] = bagStarts[first + k] - base;
    }
    impl.decodeRows(dtype, mem, ids, base, end, paddingIdx, s.rows, 0);
    float[] weights = null;
    if (psw != null) {
      System.arraycopy(psw, base, s.weights, 0, end - base);
      weights = s.weights;
    }
    if (maxIndices == null) {
      impl.poolSum(s.table, s.ids, s.starts, 0, bags, weights, localPad, s.out, s.sizes);
    } else {
      Arrays.fill(s.out, 0, bags * d, 0f);
      impl.poolMax(s.table, s.ids, s.starts, 0, bags, localPad, s.out, s.winners, s.sizes);
      for (int x = 0; x < bags * d; x++) {
        long local = s.winners[x];
        maxIndices[first * d + x] = local < 0 ? -1 : ids[base + (int) local];
      }
    }
    System.arraycopy(s.out, 0, out, first * d, bags * d);
    System.arraycopy(s.sizes, 0, bagSizes, first, bags);
  }
}
