package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emb4j.store.DType;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.QuantizedRowStore;
import dev.emb4j.store.OffHeapRowStore;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.RowStore;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API kernels against the scalar reference on random inputs: dims that are not a multiple of the vector
 * width (1, 3, 17, 300) and the common 128, heap and off-heap stores, padding, empty bags and per-sample weights.
 * Everything but the dot product and row-wise Adagrad's sum of squares must agree bit for bit; those two sum in
 * another order and agree to a few ulps. Needs {@code --add-modules jdk.incubator.vector} (the default test run, and
 * the build's run at a forced 128-bit width).
 */
class PanamaKernelsAgreementTest {
  private final KernelSupport scalar = new ScalarKernels();
  private final KernelSupport panama = new PanamaKernels();

  static Object[][] cases() {
    int[] dims = {1, 3, 17, 128, 300};
    Object[][] out = new Object[dims.length * 3][];
    int k = 0;
    for (int d : dims) {
      out[k++] = new Object[] {d, "heap"};
      out[k++] = new Object[] {d, "offheap"};
      out[k++] = new Object[] {d, "heap, rows from a cache line"};
    }
    return out;
  }

  /**
   * A table whose first {@code rows} rows are used; "heap, rows from a cache line" is made at least 1 MiB so that its
   * rows start after a few skipped floats (the kernels must index through the lead).
   */
  static RowStore table(long rows, int dim, String kind, long seed) {
    RowStore s =
        switch (kind) {
          case "heap" -> HeapRowStore.allocate(rows, dim);
          case "offheap" -> OffHeapRowStore.allocate(rows, dim);
          default -> HeapRowStore.allocate(Math.max(rows, (1 << 18) / dim + 1), dim);
        };
    fill(s, seed);
    return s;
  }

  private static void fill(RowStore s, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] row = new float[s.dim()];
    for (long r = 0; r < s.rows(); r++) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) rnd.nextGaussian();
      }
      s.writeRow(r, row, 0);
    }
  }

  static long[] ids(int n, long rows, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = rnd.nextLong(rows);
    }
    return ids;
  }

  /** Bags of 0 to 40 ids (some empty), CSR starts. */
  static int[] bagStarts(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] starts = new int[n + 1];
    int b = 0;
    int at = 0;
    while (at < n) {
      starts[++b] = Math.min(n, at += rnd.nextInt(41));
    }
    return java.util.Arrays.copyOf(starts, b + 1);
  }

  @Test
  void theKernelsUseTheForcedWidthOrThePreferredOne() {
    int forced = KernelProvider.forcedVectorBits();
    assertEquals(forced == 0 ? PanamaKernels.preferredBits() : forced, PanamaKernels.bits());
  }

  @ParameterizedTest(name = "dim {0}, {1}")
  @MethodSource("cases")
  void gatherAgrees(int dim, String kind) {
    try (RowStore w = table(50, dim, kind, 1)) {
      long[] ids = ids(333, 50, 2);
      float[] a = new float[ids.length * dim];
      float[] b = new float[ids.length * dim];
      scalar.gatherRows(w, ids, 0, ids.length, a);
      panama.gatherRows(w, ids, 0, ids.length, b);
      assertArrayEquals(a, b);
    }
  }

  /** Widths around every vector and byte-vector boundary, and both quantized types. */
  static Object[][] quantizedCases() {
    int[] dims = {1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, 128, 300};
    Object[][] out = new Object[dims.length * 2][];
    for (int k = 0; k < dims.length; k++) {
      out[2 * k] = new Object[] {dims[k], DType.INT8};
      out[2 * k + 1] = new Object[] {dims[k], DType.INT4};
    }
    return out;
  }

  @ParameterizedTest(name = "dim {0}, {1}")
  @MethodSource("quantizedCases")
  void quantizedDecodersAgree(int dim, DType type) {
    try (RowStore w = table(60, dim, "heap", 11);
        QuantizedRowStore q = QuantizedRowStore.quantize(w, type)) {
      long[] ids = ids(200, 60, 12);
      float[] a = new float[(ids.length + 1) * dim];
      float[] b = new float[(ids.length + 1) * dim];
      scalar.decodeRows(q.quantizedRows(), ids, 3, ids.length, a, 1);
      panama.decodeRows(q.quantizedRows(), ids, 3, ids.length, b, 1);
      assertArrayEquals(a, b);
      float[] row = new float[dim];
      q.readRow(ids[3], row, 0);
      assertArrayEquals(row, Arrays.copyOfRange(b, dim, 2 * dim), "the store's own decode");
    }
  }

  @ParameterizedTest(name = "dim {0}, {1}")
  @MethodSource("cases")
  void poolSumAndMaxAgree(int dim, String kind) {
    try (RowStore w = table(40, dim, kind, 3)) {
      long[] ids = ids(600, 40, 4);
      int[] starts = bagStarts(ids.length, 5);
      int bags = starts.length - 1;
      float[] psw = new float[ids.length];
      SplittableRandom rnd = new SplittableRandom(6);
      for (int i = 0; i < psw.length; i++) {
        psw[i] = (float) rnd.nextGaussian();
      }
      for (long pad : new long[] {-1, 7}) {
        for (float[] weights : new float[][] {null, psw}) {
          for (int from : new int[] {0, bags / 3}) { // a later range, as a kernel thread gets
            float[] a = new float[bags * dim];
            float[] b = new float[bags * dim];
            int[] sa = new int[bags];
            int[] sb = new int[bags];
            scalar.poolSum(w, ids, starts, from, bags, weights, pad, a, sa);
            panama.poolSum(w, ids, starts, from, bags, weights, pad, b, sb);
            assertArrayEquals(a, b, "sum from bag " + from + ", padding " + pad + ", weights " + (weights != null));
            assertArrayEquals(sa, sb);
          }
        }
        float[] a = new float[bags * dim];
        float[] b = new float[bags * dim];
        long[] ia = new long[bags * dim];
        long[] ib = new long[bags * dim];
        int[] sa = new int[bags];
        int[] sb = new int[bags];
        scalar.poolMax(w, ids, starts, 0, bags, pad, a, ia, sa);
        panama.poolMax(w, ids, starts, 0, bags, pad, b, ib, sb);
        assertArrayEquals(a, b, "max, padding " + pad);
        assertArrayEquals(ia, ib, "max indices, padding " + pad);
        assertArrayEquals(sa, sb);
      }
    }
  }

  @ParameterizedTest(name = "dim {0}, {1}")
  @MethodSource("cases")
  void scatterAndCopyAgree(int dim, String kind) {
    long[] ids = ids(200, 30, 7);
    float[] src = new float[ids.length * dim];
    float[] scales = new float[ids.length];
    int[] srcRows = new int[ids.length];
    SplittableRandom rnd = new SplittableRandom(8);
    for (int i = 0; i < src.length; i++) {
      src[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < ids.length; i++) {
      scales[i] = (float) rnd.nextGaussian();
      srcRows[i] = rnd.nextInt(ids.length);
    }
    try (RowStore a = table(30, dim, kind, 9);
        RowStore b = table(30, dim, kind, 9)) {
      scalar.scatterAddRows(a, ids, src, srcRows, scales, 3);
      panama.scatterAddRows(b, ids, src, srcRows, scales, 3);
      assertArrayEquals(a.toTensor().data(), b.toTensor().data());
    }
    int[] positions = {5, 0, 199, 17};
    for (float[] s : new float[][] {null, scales}) {
      for (int[] p : new int[][] {null, positions}) {
        int count = p == null ? ids.length : p.length;
        float[] x = new float[count * dim];
        float[] y = new float[count * dim];
        scalar.copyRows(src, dim, srcRows, s, p, 0, count, x);
        panama.copyRows(src, dim, srcRows, s, p, 0, count, y);
        assertArrayEquals(x, y);
      }
    }
  }

  @ParameterizedTest(name = "dim {0}, {1}")
  @MethodSource("cases")
  void fusedOptimizerRowsAgree(int dim, String kind) {
    SplittableRandom rnd = new SplittableRandom(10);
    float[] values = new float[60 * dim];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rnd.nextGaussian();
    }
    int[] order = new int[60];
    for (int i = 0; i < order.length; i++) {
      order[i] = rnd.nextInt(60);
    }
    float[] ga = new float[dim];
    float[] gb = new float[dim];
    scalar.sumRows(new GradientEntries(values, null, null), dim, order, 3, 60, ga, 0);
    panama.sumRows(new GradientEntries(values, null, null), dim, order, 3, 60, gb, 0);
    assertArrayEquals(ga, gb, "sumRows");
    int[] srcRows = new int[60];
    float[] scales = new float[60];
    for (int i = 0; i < 60; i++) {
      srcRows[i] = rnd.nextInt(60);
      scales[i] = (float) rnd.nextGaussian();
    }
    scalar.sumRows(new GradientEntries(values, srcRows, scales), dim, order, 3, 60, ga, 0);
    panama.sumRows(new GradientEntries(values, srcRows, scales), dim, order, 3, 60, gb, 0);
    assertArrayEquals(ga, gb, "sumRows with source rows and scales");
    int[] rank = new int[60];
    boolean[] seen = new boolean[7];
    for (int i = 0; i < 60; i++) {
      int u = rnd.nextInt(7);
      rank[i] = seen[u] ? u : ~u; // a row's first entry sets it, whatever the buffer held
      seen[u] = true;
    }
    for (float[] sc : new float[][] {null, scales}) {
      float[] sa = new float[7 * dim];
      float[] sb = new float[7 * dim];
      Arrays.fill(sa, Float.NaN);
      Arrays.fill(sb, Float.NaN);
      scalar.accumulateRows(new GradientEntries(values, srcRows, sc), dim, rank, 60, 1, 6, sa);
      panama.accumulateRows(new GradientEntries(values, srcRows, sc), dim, rank, 60, 1, 6, sb);
      assertArrayEquals(sa, sb, "accumulateRows" + (sc == null ? "" : " with scales"));
    }

    for (RowRule rule : RULES) {
      try (RowStore wa = table(20, dim, kind, 11);
          RowStore wb = table(20, dim, kind, 11)) {
        RowStore[] sa = slots(rule, 20, dim, 12);
        RowStore[] sb = slots(rule, 20, dim, 12);
        StepScratch scratch = StepScratch.of(dim, mems(sa), new float[0], 0);
        Arrays.fill(scratch.w(), Float.NaN); // whatever the buffers hold is overwritten before use
        for (long row : new long[] {0, 19, 7, 7}) {
          scalar.updateRow(rule, mem(wa), mems(sa), row, ga.clone(), 0, null, 0, scratch);
          panama.updateRow(rule, mem(wb), mems(sb), row, ga.clone(), 0, null, 0, scratch);
        }
        assertSameState(rule.toString(), rule, wa, sa, wb, sb);
      }
    }
  }

  /** Every rule with a Vector API twin, in each of its forms. */
  static final RowRule[] RULES = {
    new RowRule.Sgd(-0.1f, 0f),
    new RowRule.Sgd(-0.1f, 0.01f),
    new RowRule.SgdMomentum(-0.1f, 0f, 0.9f, 1f, false, true),
    new RowRule.SgdMomentum(-0.1f, 0.01f, 0.9f, 0.75f, false, false),
    new RowRule.SgdMomentum(-0.1f, 0f, 0.9f, 1f, true, false),
    new RowRule.Adagrad(-0.05f, 0f, 1e-10f),
    new RowRule.Adagrad(-0.05f, 0.01f, 1e-10f),
    new RowRule.RowWiseAdagrad(0.05, 0f, 1e-10),
    new RowRule.RowWiseAdagrad(0.05, 0.01f, 1e-10),
    new RowRule.SparseAdam(0.1f, 0.001f, 1e-8f, -0.01f),
    new RowRule.Adam(0.9f, 0.999f, 0.1f, 0.001f, -0.01f, 0.0316f, 1e-8f, 0.01f, 1f, false),
    new RowRule.Adam(0.9f, 0.999f, 0.1f, 0.001f, -0.01f, 0.0316f, 1e-8f, 0f, 0.999f, true)
  };

  /** Parameters and state equal bit for bit (close, for row-wise Adagrad's double sum in another order). */
  static void assertSameState(String what, RowRule rule, RowStore wa, RowStore[] sa, RowStore wb, RowStore[] sb) {
    if (rule instanceof RowRule.RowWiseAdagrad) {
      assertClose(wa.toTensor().data(), wb.toTensor().data(), what);
      return;
    }
    assertArrayEquals(wa.toTensor().data(), wb.toTensor().data(), what);
    for (int k = 0; k < sa.length; k++) {
      assertArrayEquals(sa[k].toTensor().data(), sb[k].toTensor().data(), what + ", slot " + k);
    }
  }

  /** The dims of {@link #cases()} on small heap and off-heap tables (a dense step updates every row). */
  static Object[][] denseCases() {
    return Arrays.stream(cases()).filter(c -> !((String) c[1]).contains("cache line")).toArray(Object[][]::new);
  }

  @ParameterizedTest(name = "dim {0}, {1}")
  @MethodSource("denseCases")
  void denseRowUpdatesAgree(int dim, String kind) {
    for (RowRule rule : RULES) {
      try (RowStore wa = table(20, dim, kind, 17);
          RowStore wb = table(20, dim, kind, 17);
          RowStore g = table(wa.rows(), dim, "heap", 18)) {
        g.writeRow(3, new float[dim], 0);
        float[] negativeZeros = new float[dim];
        Arrays.fill(negativeZeros, -0f); // a dense gradient is used as it is: -0 stays -0
        g.writeRow(4, negativeZeros, 0);
        RowStore[] sa = slots(rule, wa.rows(), dim, 19);
        RowStore[] sb = slots(rule, wb.rows(), dim, 19);
        for (int step = 0; step < 2; step++) {
          scalar.updateDenseRows(rule, wa, sa, g);
          panama.updateDenseRows(rule, wb, sb, g);
        }
        assertSameState(rule + ", dense", rule, wa, sa, wb, sb);
      }
    }
  }

  @ParameterizedTest(name = "dim {0}, {1}")
  @MethodSource("cases")
  void sparseRowUpdatesAgree(int dim, String kind) {
    // 40 entries over 12 touched rows of a 30-row table: rows with one entry (read where they lie) and with several
    // (summed first); entries mapped to 25 source rows, with and without scales
    SplittableRandom rnd = new SplittableRandom(14);
    int n = 40;
    float[] values = new float[25 * dim];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rnd.nextGaussian();
    }
    int[] srcRows = new int[n];
    float[] scales = new float[n];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      srcRows[i] = rnd.nextInt(25);
      scales[i] = (float) rnd.nextGaussian();
      order[i] = n - 1 - i;
    }
    long[] rows = {0, 2, 3, 5, 8, 11, 13, 17, 21, 22, 26, 29};
    int[] start = {0, 1, 2, 9, 10, 11, 20, 21, 22, 30, 31, 32, 40};
    for (RowRule rule : RULES) {
      for (float[] sc : new float[][] {null, scales}) {
        String what = rule + (sc == null ? "" : ", scaled");
        try (RowStore wa = table(30, dim, kind, 15);
            RowStore wb = table(30, dim, kind, 15);
            RowStore wr = table(30, dim, kind, 15)) {
          RowStore[] sa = slots(rule, wa.rows(), dim, 16);
          RowStore[] sb = slots(rule, wb.rows(), dim, 16);
          RowStore[] sr = slots(rule, wr.rows(), dim, 16);
          GradientEntries entries = new GradientEntries(values, srcRows, sc);
          scalar.updateRows(new SparseStep(rule, mem(wa), mems(sa), rows, start, order, entries, rows.length), 0,
              rows.length, StepScratch.of(dim, mems(sa), new float[rows.length * dim], rows.length));
          panama.updateRows(new SparseStep(rule, mem(wb), mems(sb), rows, start, order, entries, rows.length), 0,
              rows.length, StepScratch.of(dim, mems(sb), new float[rows.length * dim], rows.length));
          assertSameState(what, rule, wa, sa, wb, sb);
          // the reference as defined: each row from the sum of its entries
          float[] g = new float[dim];
          StepScratch scratch = StepScratch.of(dim, mems(sr), new float[0], 0);
          for (int u = 0; u < rows.length; u++) {
            scalar.sumRows(entries, dim, order, start[u], start[u + 1], g, 0);
            scalar.updateRow(rule, mem(wr), mems(sr), rows[u], g, 0, null, 0, scratch);
          }
          assertArrayEquals(wr.toTensor().data(), wa.toTensor().data(), what + ", against the definition");
        }
      }
    }
  }

  @ParameterizedTest(name = "dim {0}")
  @MethodSource("cases")
  void denseMathAgrees(int dim, String kind) {
    SplittableRandom rnd = new SplittableRandom(13);
    float[] x = new float[dim + 5];
    float[] y = new float[dim + 5];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
      y[i] = (float) rnd.nextGaussian();
    }
    float da = scalar.dot(x, 2, y, 3, dim);
    float db = panama.dot(x, 2, y, 3, dim);
    assertEquals(da, db, 1e-5f * (1 + Math.abs(da)) * Math.sqrt(dim), "dot of " + dim);
    float[] ya = y.clone();
    float[] yb = y.clone();
    scalar.axpy(0.7f, x, 1, ya, 4, dim);
    panama.axpy(0.7f, x, 1, yb, 4, dim);
    assertArrayEquals(ya, yb, "axpy");
  }

  static RowStore[] slots(RowRule rule, long rows, int dim, long seed) {
    RowStore[] s = new RowStore[slotCount(rule)];
    for (int k = 0; k < s.length; k++) {
      s[k] = HeapRowStore.allocate(rows, rule instanceof RowRule.RowWiseAdagrad ? 1 : dim);
      fill(s[k], seed + k);
      // accumulators must stay non-negative, as they are in real use
      float[] row = new float[s[k].dim()];
      for (long r = 0; r < rows; r++) {
        s[k].readRow(r, row, 0);
        for (int j = 0; j < row.length; j++) {
          row[j] = Math.abs(row[j]);
        }
        s[k].writeRow(r, row, 0);
      }
    }
    return s;
  }

  /** The state slots {@code rule} keeps. */
  static int slotCount(RowRule rule) {
    return switch (rule) {
      case RowRule.Sgd r -> 0;
      case RowRule.SparseAdam r -> 2;
      case RowRule.Adam r -> r.amsgrad() ? 3 : 2;
      default -> 1;
    };
  }

  static RowMemory mem(RowStore s) {
    return StoreMemory.of(s).orElseThrow();
  }

  static RowMemory[] mems(RowStore[] s) {
    RowMemory[] m = new RowMemory[s.length];
    for (int k = 0; k < s.length; k++) {
      m[k] = mem(s[k]);
    }
    return m;
  }

  static void assertClose(float[] a, float[] b, String what) {
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-6f * (1 + Math.abs(a[i])), what + " at " + i);
    }
  }
}
