package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API scan against its scalar twin, bit for bit, one query and blocks of queries: over dims past twice the
 * widest vector plus a tail, runs of tiles that are and are not a multiple of the kernel's four units, query counts
 * that are and are not a multiple of its four queries, and runs that start mid-array; each query of a block against
 * the same query alone; and all against a double-precision dot product, within float rounding. Needs {@code
 * --add-modules jdk.incubator.vector} (the default test run, and the build's run at a forced 128-bit width).
 */
class SimilarityScanTwinTest {
  private static final int T = SimilarityScan.TILE_ROWS;
  private final ScanSupport scalar = new ScalarScan();
  private final ScanSupport panama = new PanamaScan();

  private static float[] values(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble(-1, 1) * Math.pow(2, random.nextInt(-6, 6)));
    }
    return v;
  }

  @Property(tries = 300)
  void blocksOfQueriesEqualTheScalarTwinAndSingleQueries(
      @ForAll @IntRange(min = 1, max = 2 * 16 + 9) int dim,
      @ForAll @IntRange(min = 0, max = 3) int firstTile,
      @ForAll @IntRange(min = 0, max = 11) int tiles,
      @ForAll @IntRange(min = 0, max = 11) int queries,
      @ForAll @IntRange(min = 0, max = 5) int slack,
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    check(dim, firstTile, tiles, queries, slack, seed);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 15, 16, 17, 33, 300, 1025})
  void wideRowsEqualTheScalarTwin(int dim) {
    check(dim, 1, 9, 6, 3, dim);
  }

  private void check(int dim, int firstTile, int tiles, int queries, int slack, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] rows = values(random, (firstTile + tiles + 1) * T * dim);
    float[] qs = values(random, queries * dim);
    int outStride = tiles * T + slack;
    float[] expected = new float[queries * outStride];
    float[] actual = new float[queries * outStride];
    scalar.dotTilesMulti(rows, firstTile, tiles, dim, qs, queries, expected, outStride);
    panama.dotTilesMulti(rows, firstTile, tiles, dim, qs, queries, actual, outStride);
    for (int i = 0; i < queries; i++) {
      float[] q = java.util.Arrays.copyOfRange(qs, i * dim, (i + 1) * dim);
      float[] alone = new float[tiles * T];
      float[] aloneScalar = new float[tiles * T];
      panama.dotTiles(rows, firstTile, tiles, dim, q, alone);
      scalar.dotTiles(rows, firstTile, tiles, dim, q, aloneScalar);
      for (int r = 0; r < tiles * T; r++) {
        String where = "dim " + dim + ", query " + i + " of " + queries + ", row " + r + " of " + tiles + " tiles";
        float got = actual[i * outStride + r];
        assertEquals(Float.floatToRawIntBits(expected[i * outStride + r]), Float.floatToRawIntBits(got), where);
        assertEquals(Float.floatToRawIntBits(got), Float.floatToRawIntBits(alone[r]), where + " (alone)");
        assertEquals(Float.floatToRawIntBits(got), Float.floatToRawIntBits(aloneScalar[r]), where + " (scalar alone)");
        double exact = 0;
        double magnitude = 0;
        int base = (firstTile + r / T) * T * dim + r % T;
        for (int j = 0; j < dim; j++) {
          double p = (double) rows[base + j * T] * q[j];
          exact += p;
          magnitude += Math.abs(p);
        }
        // each of the dim products and sums rounds once: at most dim * 2^-24 of the sum of magnitudes
        assertEquals(exact, got, magnitude * dim * 0x1p-23 + Float.MIN_NORMAL, where);
      }
      for (int r = tiles * T; r < outStride; r++) {
        assertEquals(0f, actual[i * outStride + r], "slack past the tiles is not written");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 16, 17, 300})
  void aTileIsSixteenRowsOfTheDim(int dim) {
    assertEquals(T * dim, SimilarityScan.tileFloats(dim));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void aDimBelowOneIsRejected(int dim) {
    assertThrows(IllegalArgumentException.class, () -> SimilarityScan.tileFloats(dim));
  }

  @Test
  void runsPastTheArraysAreRejected() {
    float[] rows = new float[T * 3];
    float[] out = new float[2 * T * 2];
    assertThrows(IllegalArgumentException.class, () -> SimilarityScan.dotTiles(rows, 1, 1, 3, new float[3], out));
    assertThrows(IllegalArgumentException.class, () -> SimilarityScan.dotTiles(rows, 0, 1, 3, new float[2], out));
    assertThrows(IllegalArgumentException.class, () -> SimilarityScan.dotTilesMulti(rows, 0, 1, 3, new float[5], 2, out, T));
    assertThrows(IllegalArgumentException.class, () -> SimilarityScan.dotTilesMulti(rows, 0, 1, 3, new float[6], 2, out, T - 1));
  }
}
