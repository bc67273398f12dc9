package dev.emb4j.nn;

import dev.emb4j.store.RowInit;
import dev.emb4j.store.RowStore;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Fills a new table's rows. Every random initializer takes an explicit seed and fills rows in order from one {@link
 * SplittableRandom}, so the same seed and shape always give the same table, on every machine.
 *
 * <p>Fan-in and fan-out follow PyTorch's convention for a {@code (V, D)} weight: fan-in = D, fan-out = V.
 */
@FunctionalInterface
public interface Initializer {

  /** Writes every row of {@code store}. */
  void initialize(RowStore store);

  /**
   * The per-row form of this initializer for lazy tables ({@code TableBuilder.lazyInit}), whose rows are drawn when
   * first touched from a counter-based generator of (seed, row): the same distribution and seed, but not the same
   * values as {@link #initialize}, which draws the rows in order from one stream. Every factory of this interface but
   * {@link #fromFunction} has one; other initializers have none.
   *
   * @param rows the table's rows (V)
   * @param dim its floats per row (D)
   * @return the lazy form, or empty when there is none
   */
  default Optional<RowInit> lazyForm(long rows, int dim) {
    return Optional.empty();
  }

  /** The lazy form of an initializer as a function of the table's shape, for {@link #lazyForm}. */
  @FunctionalInterface
  interface LazyForm {
    /** The per-row initializer of a {@code rows x dim} table. */
    RowInit at(long rows, int dim);
  }

  /** A value as a function of its position, for {@link #fromFunction}. */
  @FunctionalInterface
  interface ValueFunction {
    /** The initial value of {@code W[row, col]}. */
    float valueAt(long row, int col);
  }

  /** Normal(0, 1): PyTorch's default for {@code nn.Embedding}. */
  static Initializer normal(long seed) {
    return normal(0, 1, seed);
  }

  /** Normal(mean, std). */
  static Initializer normal(double mean, double std, long seed) {
    checkFinite("mean", mean);
    checkNonNegative("std", std);
    return withLazyForm(
        store -> fillRandom(store, seed, rng -> (float) (mean + std * rng.nextGaussian())),
        (rows, dim) -> RowInit.normal(mean, std, seed));
  }

  /** Uniform on [lo, hi). */
  static Initializer uniform(double lo, double hi, long seed) {
    checkFinite("lo", lo);
    checkFinite("hi", hi);
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("uniform needs lo <= hi, got lo=" + lo + ", hi=" + hi);
    }
    return withLazyForm(
        store -> fillRandom(store, seed, rng -> (float) (lo + (hi - lo) * rng.nextDouble())),
        (rows, dim) -> RowInit.uniform(lo, hi, seed));
  }

  /** Uniform on [-0.05, 0.05): the Keras {@code Embedding} default. */
  static Initializer kerasUniform(long seed) {
    return uniform(-0.05, 0.05, seed);
  }

  /** Glorot/Xavier uniform: U(-a, a) with {@code a = gain * sqrt(6 / (fanIn + fanOut))}. */
  static Initializer xavierUniform(double gain, long seed) {
    checkNonNegative("gain", gain);
    return withLazyForm(
        store -> {
          double a = xavierBound(gain, store.rows(), store.dim());
          fillRandom(store, seed, rng -> (float) (-a + 2 * a * rng.nextDouble()));
        },
        (rows, dim) -> RowInit.uniform(-xavierBound(gain, rows, dim), xavierBound(gain, rows, dim), seed));
  }

  /** Glorot/Xavier normal: N(0, std) with {@code std = gain * sqrt(2 / (fanIn + fanOut))}. */
  static Initializer xavierNormal(double gain, long seed) {
    checkNonNegative("gain", gain);
    return withLazyForm(
        store -> {
          double std = xavierStd(gain, store.rows(), store.dim());
          fillRandom(store, seed, rng -> (float) (std * rng.nextGaussian()));
        },
        (rows, dim) -> RowInit.normal(0, xavierStd(gain, rows, dim), seed));
  }

  /** He/Kaiming uniform for ReLU (gain sqrt(2), fan-in mode): U(-b, b) with {@code b = sqrt(6 / fanIn)}. */
  static Initializer kaimingUniform(long seed) {
    return withLazyForm(
        store -> {
          double b = kaimingBound(store.dim());
          fillRandom(store, seed, rng -> (float) (-b + 2 * b * rng.nextDouble()));
        },
        (rows, dim) -> RowInit.uniform(-kaimingBound(dim), kaimingBound(dim), seed));
  }

  /** He/Kaiming normal for ReLU (gain sqrt(2), fan-in mode): N(0, sqrt(2 / fanIn)). */
  static Initializer kaimingNormal(long seed) {
    return withLazyForm(
        store -> {
          double std = Math.sqrt(2.0 / store.dim());
          fillRandom(store, seed, rng -> (float) (std * rng.nextGaussian()));
        },
        (rows, dim) -> RowInit.normal(0, Math.sqrt(2.0 / dim), seed));
  }

  /** Every value equal to {@code value}. */
  static Initializer constant(double value) {
    checkFinite("value", value);
    return withLazyForm(fromFunction((row, col) -> (float) value), (rows, dim) -> RowInit.constant(value));
  }

  /** {@code W[row, col] = f(row, col)}. */
  static Initializer fromFunction(ValueFunction f) {
    return store -> {
      float[] row = new float[store.dim()];
      for (long r = 0; r < store.rows(); r++) {
        for (int c = 0; c < row.length; c++) {
          row[c] = f.valueAt(r, c);
        }
        store.writeRow(r, row, 0);
      }
    };
  }

  /** An initializer that fills eagerly with {@code eager} and has the lazy form {@code lazy}. */
  private static Initializer withLazyForm(Initializer eager, LazyForm lazy) {
    return new Initializer() {
      @Override
      public void initialize(RowStore store) {
        eager.initialize(store);
      }

      @Override
      public Optional<RowInit> lazyForm(long rows, int dim) {
        return Optional.of(lazy.at(rows, dim));
      }
    };
  }

  private static double xavierBound(double gain, long rows, int dim) {
    return gain * Math.sqrt(6.0 / (dim + (double) rows));
  }

  private static double xavierStd(double gain, long rows, int dim) {
    return gain * Math.sqrt(2.0 / (dim + (double) rows));
  }

  private static double kaimingBound(int dim) {
    return Math.sqrt(2.0) * Math.sqrt(3.0 / dim);
  }

  private static void fillRandom(
      RowStore store, long seed, java.util.function.ToDoubleFunction<SplittableRandom> draw) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] row = new float[store.dim()];
    for (long r = 0; r < store.rows(); r++) {
      for (int c = 0; c < row.length; c++) {
        row[c] = (float) draw.applyAsDouble(rng);
      }
      store.writeRow(r, row, 0);
    }
  }

  private static void checkFinite(String name, double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(name + " must be finite, got " + v);
    }
  }

  private static void checkNonNegative(String name, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
    }
  }
}
