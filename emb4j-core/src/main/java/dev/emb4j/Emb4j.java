package dev.emb4j;

import java.util.SplittableRandom;

/**
 * Settings global to emb4j, as {@code torch.manual_seed} is to PyTorch. This class is the lowest layer of the library
 * and depends on nothing else in it.
 *
 * <p><b>Seeds.</b> A layer built without an explicit seed ({@code new Linear(50, 100)}, {@code Embedding.builder(10,
 * 4).build()}, {@code new Dropout(0.5)}) draws its seed from one global generator, so two such layers differ, and a
 * program that calls {@link #manualSeed(long)} first builds the same layers on every run. As in PyTorch, the
 * generator starts from a fixed seed ({@value #DEFAULT_SEED}, PyTorch's default), so a program that never calls
 * {@code manualSeed} is reproducible too. An explicit seed on a layer ({@code Linear.seeded(...)}, {@code
 * Initializer.normal(seed)}) does not touch the global generator.
 *
 * <p>The generator is shared by all threads; layers built concurrently draw in an unspecified order.
 */
public final class Emb4j {
  /** The seed of the global generator before any {@link #manualSeed(long)}: PyTorch's default seed. */
  public static final long DEFAULT_SEED = 67_280_421_310_721L;

  private static long initialSeed = DEFAULT_SEED;
  private static SplittableRandom generator = new SplittableRandom(DEFAULT_SEED);

  private Emb4j() {}

  /** Restarts the global generator from {@code seed} (PyTorch's {@code torch.manual_seed}). */
  public static synchronized void manualSeed(long seed) {
    initialSeed = seed;
    generator = new SplittableRandom(seed);
  }

  /** The seed the global generator last started from (PyTorch's {@code torch.initial_seed}). */
  public static synchronized long initialSeed() {
    return initialSeed;
  }

  /** Draws the next seed from the global generator, for a layer built without an explicit seed. */
  public static synchronized long nextSeed() {
    return generator.nextLong();
  }
}
