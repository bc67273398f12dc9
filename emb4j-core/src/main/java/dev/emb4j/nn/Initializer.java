package dev.emb4j.nn;

import dev.emb4j.store.RowStore;
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
    return store -> fillRandom(store, seed, rng -> (float) (mean + std * rng.nextGaussian()));
  }

  /** Uniform on [lo, hi). */
  static Initializer uniform(double lo, double hi, long seed) {
    checkFinite("lo", lo);
    checkFinite("hi", hi);
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("uniform needs lo <= hi, got lo=" + lo + ", hi=" + hi);
    }
    return store -> fillRandom(store, seed, rng -> (float) (lo + (hi - lo) * rng.nextDouble()));
  }

  /** Uniform on [-0.05, 0.05): the Keras {@code Embedding} default. */
  static Initializer kerasUniform(long seed) {
    return uniform(-0.05, 0.05, seed);
  }

  /** Glorot/Xavier uniform: U(-a, a) with {@code a = gain * sqrt(6 / (fanIn + fanOut))}. */
  static Initializer xavierUniform(double gain, long seed) {
    checkNonNegative("gain", gain);
    return store -> {
      double a = gain * Math.sqrt(6.0 / (store.dim() + (double) store.rows()));
      fillRandom(store, seed, rng -> (float) (-a + 2 * a * rng.nextDouble()));
    };
  }

  /** Glorot/Xavier normal: N(0, std) with {@code std = gain * sqrt(2 / (fanIn + fanOut))}. */
  static Initializer xavierNormal(double gain, long seed) {
    checkNonNegative("gain", gain);
    return store -> {
      double std = gain * Math.sqrt(2.0 / (store.dim() + (double) store.rows()));
      fillRandom(store, seed, rng -> (float) (std * rng.nextGaussian()));
    };
  }

  /** He/Kaiming uniform for ReLU (gain sqrt(2), fan-in mode): U(-b, b) with {@code b = sqrt(6 / fanIn)}. */
  static Initializer kaimingUniform(long seed) {
    return store -> {
      double b = Math.sqrt(2.0) * Math.sqrt(3.0 / store.dim());
      fillRandom(store, seed, rng -> (float) (-b + 2 * b * rng.nextDouble()));
    };
  }

  /** He/Kaiming normal for ReLU (gain sqrt(2), fan-in mode): N(0, sqrt(2 / fanIn)). */
  static Initializer kaimingNormal(long seed) {
    return store -> {
      double std = Math.sqrt(2.0 / store.dim());
      fillRandom(store, seed, rng -> (float) (std * rng.nextGaussian()));
    };
  }

  /** Every value equal to {@code value}. */
  static Initializer constant(double value) {
    checkFinite("value", value);
    return fromFunction((row, col) -> (float) value);
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
