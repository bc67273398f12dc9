package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.emb4j.store.DType;
import dev.emb4j.store.QuantizedRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lookups and bag pooling over quantized rows equal the float32 kernels over the decoded rows, bit for bit, with
 * whichever kernels the JVM runs (the build runs this with the Vector API and with the scalar kernels): groups of
 * bags, bags longer than the scratch (a thousand rows), empty bags, padding and per-sample weights, on enough bags to
 * be split over the kernel threads.
 */
class QuantizedPoolingTest {

  static Object[][] cases() {
    return new Object[][] {{3, DType.INT8}, {64, DType.INT8}, {128, DType.INT8}, {300, DType.INT8},
      {2, DType.INT4}, {33, DType.INT4}, {128, DType.INT4}, {200, DType.INT4}};
  }

  @ParameterizedTest(name = "dim {0}, {1}")
  @MethodSource("cases")
  void quantizedKernelsEqualTheFloatKernelsOverTheDecodedRows(int dim, DType type) {
    int rows = 500;
    try (RowStore source = PanamaKernelsAgreementTest.table(rows, dim, "heap", 21);
        QuantizedRowStore q = QuantizedRowStore.quantize(source, type);
        RowStore decoded = q.dequantize(Storage.HEAP)) {
      long[] ids = PanamaKernelsAgreementTest.ids(6000, rows, 22);
      int[] starts = bagStarts(ids.length);
      int bags = starts.length - 1;
      float[] psw = new float[ids.length];
      SplittableRandom rnd = new SplittableRandom(23);
      for (int i = 0; i < psw.length; i++) {
        psw[i] = (float) rnd.nextGaussian();
      }
      float[] a = new float[ids.length * dim];
      float[] b = new float[ids.length * dim];
      Kernels.gatherRows(q, ids, a);
      Kernels.gatherRows(decoded, ids, b);
      assertArrayEquals(b, a, "gather");
      for (long pad : new long[] {-1, ids[5]}) {
        String what = ", padding " + pad;
        int[] sa = new int[bags];
        int[] sb = new int[bags];
        for (float[] weights : new float[][] {null, psw}) {
          float[] x = new float[bags * dim];
          float[] y = new float[bags * dim];
          Kernels.poolSum(q, ids, starts, weights, pad, x, sa);
          Kernels.poolSum(decoded, ids, starts, weights, pad, y, sb);
          assertArrayEquals(y, x, "sum, weights " + (weights != null) + what);
          assertArrayEquals(sb, sa);
        }
        float[] x = new float[bags * dim];
        float[] y = new float[bags * dim];
        Kernels.poolMean(q, ids, starts, pad, x, sa);
        Kernels.poolMean(decoded, ids, starts, pad, y, sb);
        assertArrayEquals(y, x, "mean" + what);
        long[] ia = new long[bags * dim];
        long[] ib = new long[bags * dim];
        Kernels.poolMax(q, ids, starts, pad, x, ia, sa);
        Kernels.poolMax(decoded, ids, starts, pad, y, ib, sb);
        assertArrayEquals(y, x, "max" + what);
        assertArrayEquals(ib, ia, "max indices" + what);
        assertArrayEquals(sb, sa);
      }
    }
  }

  /** Bags of 0 to 40 positions, with two of about a thousand among them. */
  private static int[] bagStarts(int n) {
    SplittableRandom rnd = new SplittableRandom(24);
    int[] starts = new int[n + 1];
    int b = 0;
    int at = 0;
    while (at < n) {
      int size = b == 7 || b == 60 ? 1000 + rnd.nextInt(100) : rnd.nextInt(41);
      starts[++b] = at = Math.min(n, at + size);
    }
    return java.util.Arrays.copyOf(starts, b + 1);
  }
}
