package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.RULES;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.bagStarts;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.ids;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.mem;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.mems;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.slots;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.OffHeapRowStore;
import dev.emb4j.store.RowStore;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The Vector API twins of the 16-bit row codecs ({@link PanamaHalfRows}) against the scalar reference, bit for bit:
 * every one of the 65536 patterns decoded, rows of random and special values encoded with stochastic rounding, over
 * heap and off-heap rows of widths that leave vector tails; and the kernels built on them: gathers, bag pooling through
 * the float32 scratch (bags larger than the scratch included) and each optimizer rule's sparse step on a 16-bit table.
 * Needs {@code --add-modules jdk.incubator.vector}.
 */
class HalfRowsTwinTest {
  private final KernelSupport scalar = new ScalarKernels();
  private final KernelSupport panama = new PanamaKernels();

  private static final DType[] HALVES = {DType.BF16, DType.F16};

  @Provide
  Arbitrary<Integer> dims() {
    return Arbitraries.oneOf(Arbitraries.integers().between(1, 2 * 16 + 7), Arbitraries.of(64, 128, 129, 300));
  }

  @Provide
  Arbitrary<String> kinds() {
    return Arbitraries.of("heap", "offheap");
  }

  static RowStore halfTable(long rows, int dim, DType dtype, String kind) {
    return kind.equals("heap") ? HeapRowStore.allocate(rows, dim, dtype) : OffHeapRowStore.allocate(rows, dim, dtype);
  }

  @Test
  void everyPatternDecodesAsTheReference() {
    for (DType dtype : HALVES) {
      for (String kind : new String[] {"heap", "offheap"}) {
        try (RowStore s = halfTable(2, 1 << 16, dtype, kind)) {
          RowMemory m = mem(s);
          for (int bits = 0; bits < 1 << 16; bits++) {
            m.segment(1).set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, m.offset(1) + 2L * bits, (short) bits);
          }
          float[] a = new float[1 << 16];
          float[] b = new float[1 << 16];
          scalar.decodeRow(dtype, m, 1, a, 0);
          panama.decodeRow(dtype, m, 1, b, 0);
          for (int bits = 0; bits < 1 << 16; bits++) {
            assertEquals(
                Float.floatToRawIntBits(dtype.decode(bits)), Float.floatToRawIntBits(a[bits]), dtype + " " + bits);
            assertEquals(
                Float.floatToRawIntBits(a[bits]), Float.floatToRawIntBits(b[bits]),
                dtype + " pattern 0x" + Integer.toHexString(bits) + " on " + kind);
          }
        }
      }
    }
  }

  /** Random values over many magnitudes, with the special ones mixed in. */
  static float[] values(int n, SplittableRandom rnd) {
    float[] specials = {
      0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xFFC01234),
      Float.intBitsToFloat(0x7F800001), Float.MIN_VALUE, -Float.MIN_VALUE, 0x1p-24f, 0x1p-25f, 0x1.8p-25f,
      0x1p-14f, 0x1.ffcp-15f, 65504f, -65504f, 65519f, 65520f, 1e6f, Float.MAX_VALUE, -Float.MAX_VALUE,
      0x1.fep127f, 1f, -1.5f, 3e-8f, 6e-8f, 1e-40f
    };
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] =
          rnd.nextInt(5) == 0
              ? specials[rnd.nextInt(specials.length)]
              : (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-40, 20)));
    }
    return x;
  }

  @Property(tries = 80)
  void stochasticRoundingOfARowIsTheReference(
      @ForAll("dims") int dim, @ForAll("kinds") String kind, @ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (DType dtype : HALVES) {
      try (RowStore a = halfTable(3, dim, dtype, kind);
          RowStore b = halfTable(3, dim, dtype, kind)) {
        float[] src = values(dim + 2, rnd);
        StochasticRounding rounding = new StochasticRounding(dtype, seed, rnd.nextLong(1, 1000));
        scalar.encodeRow(rounding, mem(a), 2, src, 2);
        panama.encodeRow(rounding, mem(b), 2, src, 2);
        for (int j = 0; j < dim; j++) {
          assertEquals(
              Float.floatToRawIntBits(a.get(2, j)), Float.floatToRawIntBits(b.get(2, j)),
              dtype + " column " + j + " of " + dim + " (" + src[2 + j] + ") on " + kind);
        }
        assertArrayEquals(new float[dim], row(a, 1), "a neighbouring row must stay untouched");
      }
    }
  }

  private static float[] row(RowStore s, long r) {
    float[] row = new float[s.dim()];
    s.readRow(r, row, 0);
    return row;
  }

  static RowStore filledHalf(long rows, int dim, DType dtype, String kind, long seed) {
    RowStore s = halfTable(rows, dim, dtype, kind);
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] row = new float[dim];
    for (long r = 0; r < rows; r++) {
      for (int j = 0; j < dim; j++) {
        row[j] = (float) rnd.nextGaussian();
      }
      s.writeRow(r, row, 0);
    }
    return s;
  }

  @Property(tries = 40)
  void gathersAndPoolingReadTheDecodedRows(
      @ForAll("dims") int dim, @ForAll("kinds") String kind, @ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (DType dtype : HALVES) {
      try (RowStore w = filledHalf(50, dim, dtype, kind, seed)) {
        int n = 200;
        long[] ids = ids(n, w.rows(), seed + 1);
        int[] starts = bagStarts(n, seed + 2);
        int bags = starts.length - 1;
        float[] psw = values(n, rnd);
        for (int i = 0; i < n; i++) {
          psw[i] = (float) rnd.nextGaussian();
        }
        long pad = rnd.nextBoolean() ? -1 : ids[rnd.nextInt(n)];
        // the reference: the scalar kernels through the store's methods
        float[] refOut = new float[bags * dim];
        int[] refSizes = new int[bags];
        scalar.poolSum(w, ids, starts, 0, bags, psw, pad, refOut, refSizes);
        float[] refMax = new float[bags * dim];
        long[] refWinners = new long[bags * dim];
        scalar.poolMax(w, ids, starts, 0, bags, pad, refMax, refWinners, new int[bags]);
        for (KernelSupport impl : new KernelSupport[] {scalar, panama}) {
          String what = dtype + ", dim " + dim + ", " + kind + ", " + impl.getClass().getSimpleName();
          float[] out = new float[bags * dim];
          int[] sizes = new int[bags];
          DecodedPooling.poolSum(impl, RowDecoder.of(impl, w), dim, ids, starts, 0, bags, psw, pad, out, sizes);
          assertArrayEquals(refOut, out, what + ": weighted sums");
          assertArrayEquals(refSizes, sizes, what + ": bag sizes");
          float[] max = new float[bags * dim];
          long[] winners = new long[bags * dim];
          DecodedPooling.poolMax(impl, RowDecoder.of(impl, w), dim, ids, starts, 0, bags, pad, max, winners, sizes);
          assertArrayEquals(refMax, max, what + ": maxima");
          assertArrayEquals(refWinners, winners, what + ": winners");
          float[] gathered = new float[n * dim];
          impl.decodeRows(dtype, mem(w), ids, 0, n, gathered, 0);
          float[] expected = new float[n * dim];
          scalar.gatherRows(w, ids, 0, n, expected);
          assertArrayEquals(expected, gathered, what + ": gather");
        }
      }
    }
  }

  /**
   * Rows of whole 8-vector blocks are summed straight from their 16-bit rows ({@link KernelSupport#poolSumEncoded}),
   * with the reference's sums bit for bit; other widths are refused, so the caller decodes them first.
   */
  @Property(tries = 24)
  void sumsDecodedAsTheyAreLoadedAreTheReference(
      @ForAll("blockDims") int dim, @ForAll("kinds") String kind, @ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (DType dtype : HALVES) {
      try (RowStore w = filledHalf(300, dim, dtype, kind, seed)) {
        int n = 400;
        long[] ids = ids(n, w.rows(), seed + 1);
        int[] starts = bagStarts(n, seed + 2);
        int bags = starts.length - 1;
        float[] psw = rnd.nextBoolean() ? null : values(n, rnd);
        long pad = rnd.nextBoolean() ? -1 : ids[rnd.nextInt(n)];
        float[] ref = new float[bags * dim];
        int[] refSizes = new int[bags];
        scalar.poolSum(w, ids, starts, 0, bags, psw, pad, ref, refSizes);
        float[] out = new float[bags * dim];
        int[] sizes = new int[bags];
        boolean fused = panama.poolSumEncoded(w, ids, starts, 0, bags, psw, pad, out, sizes);
        String what = dtype + ", dim " + dim + ", " + kind;
        assertEquals(dim % (8 * PanamaVectors.L) == 0, fused, what + ": taken for whole blocks only");
        if (fused) {
          assertArrayEquals(ref, out, what + ": sums");
          assertArrayEquals(refSizes, sizes, what + ": bag sizes");
        }
      }
    }
  }

  @Provide
  Arbitrary<Integer> blockDims() {
    int block = 8 * PanamaVectors.L;
    return Arbitraries.of(block, 2 * block, 3 * block, block + 1, 2 * block - PanamaVectors.L);
  }

  @Test
  void aBagLargerThanTheScratchIsPooledAsTheReference() {
    int dim = 300; // 109 scratch rows
    try (RowStore w = filledHalf(40, dim, DType.BF16, "heap", 5)) {
      int n = 1000;
      long[] ids = ids(n, w.rows(), 6);
      float[] psw = values(n, new SplittableRandom(7));
      int[] starts = {0, 3, 503, 503, 990, n}; // a bag of 500 rows, an empty one and one of 487
      float[] ref = new float[5 * dim];
      scalar.poolSum(w, ids, starts, 0, 5, psw, 7, ref, new int[5]);
      float[] refMax = new float[5 * dim];
      long[] refWinners = new long[5 * dim];
      scalar.poolMax(w, ids, starts, 0, 5, 7, refMax, refWinners, new int[5]);
      for (KernelSupport impl : new KernelSupport[] {scalar, panama}) {
        String what = impl.getClass().getSimpleName();
        float[] out = new float[5 * dim];
        int[] sizes = new int[5];
        DecodedPooling.poolSum(impl, RowDecoder.of(impl, w), dim, ids, starts, 0, 5, psw, 7, out, sizes);
        assertArrayEquals(ref, out, what + ": weighted sums");
        assertEquals(0, sizes[2]);
        float[] max = new float[5 * dim];
        long[] winners = new long[5 * dim];
        DecodedPooling.poolMax(impl, RowDecoder.of(impl, w), dim, ids, starts, 0, 5, 7, max, winners, sizes);
        assertArrayEquals(refMax, max, what + ": maxima");
        assertArrayEquals(refWinners, winners, what + ": winners");
      }
    }
  }

  @Property(tries = 25)
  void everyRuleUpdatesSixteenBitRowsAsItsScalarForm(
      @ForAll("dims") int dim, @ForAll("kinds") String kind, @ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = 30;
    float[] values = new float[12 * dim];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rnd.nextGaussian();
    }
    int[] srcRows = new int[n];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      srcRows[i] = rnd.nextInt(12);
      order[i] = i;
    }
    long[] rows = {1, 4, 5, 9, 15, 19};
    int[] start = {0, 1, 8, 9, 20, 21, 30};
    GradientEntries entries = new GradientEntries(values, srcRows, null);
    for (DType dtype : HALVES) {
      for (RowRule rule : RULES) {
        String what = rule + ", " + dtype + ", dim " + dim + ", " + kind;
        try (RowStore wa = filledHalf(20, dim, dtype, kind, seed);
            RowStore wb = filledHalf(20, dim, dtype, kind, seed)) {
          RowStore[] sa = slots(rule, 20, dim, seed + 1);
          RowStore[] sb = slots(rule, 20, dim, seed + 1);
          StochasticRounding rounding = new StochasticRounding(dtype, seed, 3);
          scalar.updateRows(
              new SparseStep(rule, mem(wa), mems(sa), rows, start, order, entries, rows.length, rounding), 0,
              rows.length, StepScratch.of(dim, mems(sa), new float[rows.length * dim], rows.length, rounding));
          panama.updateRows(
              new SparseStep(rule, mem(wb), mems(sb), rows, start, order, entries, rows.length, rounding), 0,
              rows.length, StepScratch.of(dim, mems(sb), new float[rows.length * dim], rows.length, rounding));
          float[] a = wa.toTensor().data();
          float[] b = wb.toTensor().data();
          if (rule instanceof RowRule.RowWiseAdagrad) {
            // its twin sums the squares in another order: a float32 result a few ulps off may round to the other
            // neighbour, one 16-bit step away
            float step = dtype == DType.BF16 ? 0x1p-7f : 0x1p-10f;
            for (int i = 0; i < a.length; i++) {
              assertEquals(a[i], b[i], 2 * step * Math.max(1, Math.abs(a[i])), what + " at " + i);
            }
          } else {
            assertArrayEquals(a, b, what);
            for (int k = 0; k < sa.length; k++) {
              assertArrayEquals(sa[k].toTensor().data(), sb[k].toTensor().data(), what + ", slot " + k);
            }
          }
          // untouched rows keep their values
          try (RowStore fresh = filledHalf(20, dim, dtype, kind, seed)) {
            for (long r = 0; r < 20; r++) {
              if (Arrays.binarySearch(rows, r) < 0) {
                assertArrayEquals(row(fresh, r), row(wa, r), what + ": untouched row " + r);
              }
            }
          }
        }
      }
    }
  }
}
