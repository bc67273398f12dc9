package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API scan against its scalar twin at the same lane count, bit for bit, over awkward dims, runs of rows
 * that are and are not a multiple of four, and a run that starts mid-array; and both against a double-precision dot
 * product, within float rounding. Needs {@code --add-modules jdk.incubator.vector} (the default test run, and the
 * build's run at a forced 128-bit width).
 */
class SimilarityScanTwinTest {
  private final ScanSupport scalar = new ScalarScan(PanamaVectors.L);
  private final ScanSupport panama = new PanamaScan();

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 13, 16, 17, 207, 300, 4098})
  void panamaEqualsScalarBitForBit(int dim) {
    int stride = SimilarityScan.stride(dim);
    SplittableRandom random = new SplittableRandom(dim);
    int rowCount = 23;
    float[] rows = new float[rowCount * stride];
    for (int r = 0; r < rowCount; r++) {
      for (int j = 0; j < dim; j++) {
        rows[r * stride + j] = (float) (random.nextDouble(-1, 1) * Math.pow(2, random.nextInt(-6, 6)));
      }
    }
    float[] q = new float[stride];
    for (int j = 0; j < dim; j++) {
      q[j] = (float) random.nextDouble(-1, 1);
    }
    for (int first : new int[] {0, 1, 5}) {
      for (int count : new int[] {0, 1, 3, 4, 7, 18}) {
        float[] expected = new float[count];
        float[] actual = new float[count];
        scalar.dotRows(rows, first, count, stride, q, expected);
        panama.dotRows(rows, first, count, stride, q, actual);
        for (int i = 0; i < count; i++) {
          assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "dim " + dim + ", row " + (first + i));
          double exact = 0;
          double magnitude = 0;
          for (int j = 0; j < dim; j++) {
            exact += (double) rows[(first + i) * stride + j] * q[j];
            magnitude += Math.abs((double) rows[(first + i) * stride + j] * q[j]);
          }
          // each of the dim products and sums rounds once: at most dim * 2^-24 of the sum of magnitudes
          assertEquals(exact, actual[i], magnitude * dim * 0x1p-23 + Float.MIN_NORMAL, "dim " + dim);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 16, 17, 300})
  void strideIsAPaddedMultipleOfTheAlignment(int dim) {
    int stride = SimilarityScan.stride(dim);
    assertEquals(0, stride % SimilarityScan.ROW_ALIGN);
    assertEquals(true, stride >= dim && stride < dim + SimilarityScan.ROW_ALIGN);
  }
}
