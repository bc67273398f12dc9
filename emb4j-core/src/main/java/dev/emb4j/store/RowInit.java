package dev.emb4j.store;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The initial values of a lazy table's rows as a pure function of {@code (seed, row, column)}: what {@link
 * LazyRowStore} writes into a row the first time it is touched, so that the same seed gives the same table whatever
 * order its rows are touched in, or whether they are touched at all.
 *
 * <p>The generator is counter-based: value j of row r comes from SplitMix64's finaliser applied to a key made of the
 * seed and r, then to that key plus (j + 1) times the golden gamma. Uniform values take the top 53 bits as a double
 * in [0, 1); normal values pair columns (2k, 2k + 1) in a Box-Muller transform computed with {@link StrictMath}, so
 * the rows are the same bits on every machine. They are not the values of the eager {@code Initializer} with the same
 * seed (that one draws rows in order from one {@link java.util.SplittableRandom}).
 *
 * @param distribution how values are drawn
 * @param a the mean (normal), lower bound (uniform) or value (constant)
 * @param b the standard deviation (normal) or upper bound (uniform); 0 for constant
 * @param seed the seed (ignored by constant)
 */
public record RowInit(Distribution distribution, double a, double b, long seed) {

  /** The distributions a lazy row can be drawn from. */
  public enum Distribution {
    /** Normal(a, b): mean a, standard deviation b. */
    NORMAL,
    /** Uniform on [a, b). */
    UNIFORM,
    /** Every value equal to a. */
    CONSTANT
  }

  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final double TWO_PI = 2 * Math.PI;
  private static final double UNIT = 0x1.0p-53;

  /**
   * Checks the parameters.
   *
   * @throws IllegalArgumentException if a parameter is not finite, the standard deviation is negative or lo > hi
   */
  public RowInit {
    java.util.Objects.requireNonNull(distribution, "distribution");
    if (!Double.isFinite(a) || !Double.isFinite(b)) {
      throw new IllegalArgumentException("lazy initializer parameters must be finite, got " + a + " and " + b);
    }
    if (distribution == Distribution.NORMAL && b < 0) {
      throw new IllegalArgumentException("std must be >= 0, got " + b);
    }
    if (distribution == Distribution.UNIFORM && !(a <= b)) {
      throw new IllegalArgumentException("uniform needs lo <= hi, got lo=" + a + ", hi=" + b);
    }
  }

  /**
   * Normal(mean, std).
   *
   * @param mean the mean
   * @param std the standard deviation, {@code >= 0}
   * @param seed the seed
   * @return the initializer
   */
  public static RowInit normal(double mean, double std, long seed) {
    return new RowInit(Distribution.NORMAL, mean, std, seed);
  }

  /**
   * Uniform on [lo, hi).
   *
   * @param lo the lower bound
   * @param hi the upper bound, {@code >= lo}
   * @param seed the seed
   * @return the initializer
   */
  public static RowInit uniform(double lo, double hi, long seed) {
    return new RowInit(Distribution.UNIFORM, lo, hi, seed);
  }

  /**
   * Every value equal to {@code value}.
   *
   * @param value the value
   * @return the initializer
   */
  public static RowInit constant(double value) {
    return new RowInit(Distribution.CONSTANT, value, 0, 0);
  }

  /**
   * The parameters as a JSON object, as files record them: {@code distribution} (lower case), {@code a}, {@code b}
   * and {@code seed} (a decimal string, so that every 64-bit seed survives a JSON number).
   *
   * @return the members, in that order
   */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("distribution", distribution.name().toLowerCase(Locale.ROOT));
    json.put("a", a);
    json.put("b", b);
    json.put("seed", Long.toString(seed));
    return json;
  }

  /**
   * The initializer a JSON object written by {@link #toJson()} describes (numbers parsed as doubles).
   *
   * @param json the object
   * @return the initializer
   * @throws IllegalArgumentException if a member is missing or not valid
   */
  public static RowInit fromJson(Map<?, ?> json) {
    try {
      return new RowInit(
          Distribution.valueOf(((String) json.get("distribution")).toUpperCase(Locale.ROOT)),
          (Double) json.get("a"),
          (Double) json.get("b"),
          Long.parseLong((String) json.get("seed")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a lazy initializer: " + json + " (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Writes the initial values of {@code row} into {@code dst[off .. off + dim)}.
   *
   * @param row the row number
   * @param dst the destination
   * @param off where the row starts in {@code dst}
   * @param dim the number of values
   */
  public void fill(long row, float[] dst, int off, int dim) {
    long key = mix(seed ^ mix(row * GOLDEN_GAMMA + GOLDEN_GAMMA));
    switch (distribution) {
      case CONSTANT -> java.util.Arrays.fill(dst, off, off + dim, (float) a);
      case UNIFORM -> {
        for (int j = 0; j < dim; j++) {
          dst[off + j] = (float) (a + (b - a) * unit(key, j));
        }
      }
      case NORMAL -> {
        for (int j = 0; j < dim; j += 2) {
          // Box-Muller on the pair (j, j + 1): u1 in (0, 1] so that the logarithm is finite
          double u1 = 1.0 - unit(key, j);
          double u2 = unit(key, j + 1);
          double radius = StrictMath.sqrt(-2 * StrictMath.log(u1));
          double angle = TWO_PI * u2;
          dst[off + j] = (float) (a + b * radius * StrictMath.cos(angle));
          if (j + 1 < dim) {
            dst[off + j + 1] = (float) (a + b * radius * StrictMath.sin(angle));
          }
        }
      }
    }
  }

  /** Value {@code j} of the row with key {@code key}, uniform in [0, 1). */
  private static double unit(long key, int j) {
    return (mix(key + (j + 1L) * GOLDEN_GAMMA) >>> 11) * UNIT;
  }

  /** SplitMix64's finaliser (Stafford's variant 13). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
