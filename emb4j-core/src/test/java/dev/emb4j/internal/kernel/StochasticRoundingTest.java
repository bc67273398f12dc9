package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.DType;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The scalar reference of stochastic rounding: unbiased, exact where it can be, and the special values. */
class StochasticRoundingTest {

  private static float round(DType dtype, float x, int u) {
    return dtype.decode(StochasticRounding.round(dtype, x, u));
  }

  @Provide
  Arbitrary<Float> values() {
    // magnitudes from float16's subnormals (and below) to its largest values, and bfloat16's subnormals
    return Arbitraries.integers()
        .between(-140, 15)
        .flatMap(e -> Arbitraries.doubles().between(-1, 1).map(m -> (float) Math.scalb(m, e)));
  }

  @Provide
  Arbitrary<DType> halves() {
    return Arbitraries.of(DType.BF16, DType.F16);
  }

  @Property(tries = 60)
  void theMeanOfManyRoundingsIsTheValue(@ForAll("values") float x, @ForAll("halves") DType dtype, @ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    // the two neighbours: with no random bits and with all of them (the one or the other, whatever the case)
    float a = round(dtype, x, 0);
    float b = round(dtype, x, -1);
    int n = 10_000;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      float r = round(dtype, x, rnd.nextInt());
      assertTrue(r == a || r == b, dtype + ": " + x + " rounded to " + r + ", not to " + a + " or " + b);
      sum += r;
    }
    double mean = sum / n;
    // the mean of n roundings is within 5 standard errors of x (at most gap / 2 / sqrt(n) each)
    double gap = Math.abs(b - a);
    // below float16's smallest subnormal the probability is exact to 2^-31 of it: 2^-55
    double bias = dtype == DType.F16 ? 0x1p-55 : 0;
    assertEquals(x, mean, 5 * gap / Math.sqrt(n) + 1e-6 * gap + bias, dtype + " of " + x + " between " + a + " and " + b);
  }

  @Test
  void valuesThatTheTypeHoldsAreKeptWhateverTheRandomBits() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
      for (int bits = 0; bits < 1 << 16; bits++) {
        float x = dtype.decode(bits);
        if (Float.isNaN(x)) {
          continue;
        }
        for (int k = 0; k < 4; k++) {
          int u = k == 0 ? -1 : rnd.nextInt();
          assertEquals(
              dtype.encode(x), StochasticRounding.round(dtype, x, u) & 0xFFFF,
              dtype + " pattern 0x" + Integer.toHexString(bits) + " with bits " + u);
        }
      }
    }
  }

  @Test
  void roundsToOneOfTheTwoNeighbours() {
    // 1 + 2^-9 lies a quarter of the way from 1 to bfloat16's next value 1 + 2^-7
    float x = 1f + 0x1p-9f;
    assertEquals(1f, round(DType.BF16, x, 0));
    assertEquals(1f + 0x1p-7f, round(DType.BF16, x, -1));
    assertEquals(-1f - 0x1p-7f, round(DType.BF16, -x, -1), "magnitudes round up, whatever the sign");
    // float16: 1 + 2^-12 between 1 and 1 + 2^-10; below the smallest subnormal: 0 or 2^-24
    assertEquals(1f, round(DType.F16, 1f + 0x1p-12f, 0));
    assertEquals(1f + 0x1p-10f, round(DType.F16, 1f + 0x1p-12f, -1));
    assertEquals(0x1p-24f, round(DType.F16, 0x1p-26f, 0));
    assertEquals(0f, round(DType.F16, 0x1p-26f, -1));
  }

  @Test
  void specialValuesAndOverflow() {
    for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
      for (int u : new int[] {0, -1, 0x12345678}) {
        assertEquals(Float.POSITIVE_INFINITY, round(dtype, Float.POSITIVE_INFINITY, u), dtype.toString());
        assertEquals(Float.NEGATIVE_INFINITY, round(dtype, Float.NEGATIVE_INFINITY, u), dtype.toString());
        assertTrue(Float.isNaN(round(dtype, Float.NaN, u)), dtype.toString());
        assertTrue(Float.isNaN(round(dtype, Float.intBitsToFloat(0xFF800001), u)), dtype + ", a signalling NaN");
        assertEquals(0f, round(dtype, 0f, u));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(round(dtype, -0f, u)), "-0 keeps its sign");
      }
    }
    // finite values saturate at the largest finite value instead of becoming infinite
    for (int u : new int[] {0, -1}) {
      assertEquals(65504f, round(DType.F16, 65510f, u));
      assertEquals(65504f, round(DType.F16, 1e9f, u));
      assertEquals(-65504f, round(DType.F16, -Float.MAX_VALUE, u));
      assertEquals(0x1.fep127f, round(DType.BF16, Float.MAX_VALUE, u));
    }
    // float32 subnormals round within bfloat16's subnormals
    float tiny = Float.MIN_VALUE * 3;
    assertEquals(0f, round(DType.BF16, tiny, 0));
    assertEquals(Float.intBitsToFloat(1 << 16), round(DType.BF16, tiny, -1));
  }

  @Test
  void theRandomBitsAreAFunctionOfSeedStepRowAndColumn() {
    StochasticRounding a = new StochasticRounding(DType.BF16, 7, 3);
    StochasticRounding b = new StochasticRounding(DType.BF16, 7, 3);
    assertEquals(StochasticRounding.noise(a.rowKey(11), 5), StochasticRounding.noise(b.rowKey(11), 5));
    assertNotEquals(a.rowKey(11), new StochasticRounding(DType.BF16, 7, 4).rowKey(11), "another step");
    assertNotEquals(a.rowKey(11), new StochasticRounding(DType.BF16, 8, 3).rowKey(11), "another seed");
    assertNotEquals(a.rowKey(11), a.rowKey(12), "another row");
    assertNotEquals(StochasticRounding.noise(a.rowKey(11), 5), StochasticRounding.noise(a.rowKey(11), 6));
    assertThrows(IllegalArgumentException.class, () -> new StochasticRounding(DType.F32, 1, 1));
  }
}
