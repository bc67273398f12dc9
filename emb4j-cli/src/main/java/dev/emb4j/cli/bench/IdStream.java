package dev.emb4j.cli.bench;

import java.util.SplittableRandom;

/**
 * How the benchmark draws its ids: {@code uniform} over the table (the PyTorch script's {@code torch.randint}) or
 * {@code zipf}, where the id of rank k (k = 1, 2, ...) is drawn with probability proportional to {@code 1 / k^s}, as
 * the ids of a recommender's categorical features are. Zipf ranks are drawn by rejection-inversion (Hörmann and
 * Derflinger, "Rejection-inversion to generate variates from monotone discrete distributions", 1996: constant time
 * per draw, no table of V probabilities) and spread over the table by a fixed bijection {@code rank -> (rank - 1) *
 * m mod V} with m coprime to V, so that the hot rows are scattered as in a real table rather than packed at its start.
 *
 * @param name {@code uniform} or {@code zipf}
 * @param exponent the Zipf exponent s (> 0), unused by uniform
 */
record IdStream(String name, double exponent) {
  /** Zipf's exponent when none is given: the 1.05 of issue 18's targets. */
  static final double DEFAULT_EXPONENT = 1.05;

  IdStream {
    if (!name.equals("uniform") && !name.equals("zipf")) {
      throw new IllegalArgumentException("--ids must be uniform or zipf, got '" + name + "'");
    }
    if (!(exponent > 0) || Double.isInfinite(exponent)) {
      throw new IllegalArgumentException("--zipf-exponent must be a positive number, got " + exponent);
    }
  }

  /** {@code count} ids in {@code [0, v)}, from a generator seeded with {@code seed}. */
  long[] draw(int count, long v, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] ids = new long[count];
    if (name.equals("uniform")) {
      for (int i = 0; i < count; i++) {
        ids[i] = random.nextLong(v);
      }
      return ids;
    }
    Zipf zipf = new Zipf(v, exponent);
    long m = coprimeMultiplier(v);
    for (int i = 0; i < count; i++) {
      long rank0 = zipf.sample(random) - 1;
      ids[i] = mulMod(rank0, m, v);
    }
    return ids;
  }

  /** {@code a * b mod v} for {@code 0 <= a, b < v}, without overflow. */
  static long mulMod(long a, long b, long v) {
    if (Math.multiplyHigh(a, b) == 0 && a * b >= 0) {
      return (a * b) % v;
    }
    return java.math.BigInteger.valueOf(a)
        .multiply(java.math.BigInteger.valueOf(b))
        .mod(java.math.BigInteger.valueOf(v))
        .longValue();
  }

  /** A multiplier near {@code v} times the golden ratio's fraction that shares no factor with {@code v}. */
  static long coprimeMultiplier(long v) {
    if (v <= 2) {
      return 1;
    }
    long m = Math.max(1, (long) (v * 0.6180339887498949)) | 1;
    while (gcd(m, v) != 1) {
      m += 2;
    }
    return m % v;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** Rejection-inversion sampling of Zipf(n, s) ranks 1..n, after Apache Commons RNG's sampler of the same name. */
  private static final class Zipf {
    private final long n;
    private final double s;
    private final double hIntegralX1;
    private final double hIntegralN;
    private final double bound;

    Zipf(long n, double s) {
      this.n = n;
      this.s = s;
      this.hIntegralX1 = hIntegral(1.5) - 1;
      this.hIntegralN = hIntegral(n + 0.5);
      this.bound = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
    }

    long sample(SplittableRandom random) {
      while (true) {
        double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
        double x = hIntegralInverse(u);
        long k = (long) (x + 0.5);
        if (k < 1) {
          k = 1;
        } else if (k > n) {
          k = n;
        }
        if (k - x <= bound || u >= hIntegral(k + 0.5) - h(k)) {
          return k;
        }
      }
    }

    private double h(double x) {
      return Math.exp(-s * Math.log(x));
    }

    private double hIntegral(double x) {
      double logX = Math.log(x);
      return helper2((1 - s) * logX) * logX;
    }

    private double hIntegralInverse(double x) {
      double t = Math.max(-1, x * (1 - s));
      return Math.exp(helper1(t) * x);
    }

    /** {@code log(1 + x) / x}, accurate near 0. */
    private static double helper1(double x) {
      return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
    }

    /** {@code (exp(x) - 1) / x}, accurate near 0. */
    private static double helper2(double x) {
      return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x));
    }
  }
}
