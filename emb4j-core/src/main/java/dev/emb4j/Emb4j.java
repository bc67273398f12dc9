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
 *
 * <p><b>Threads.</b> {@link #setNumThreads(int)} ({@code torch.set_num_threads}) sets how many threads emb4j's
 * kernels split a large lookup, bag sum or optimizer step over; it starts at the system property {@value
 * #THREADS_PROPERTY} or else the available processors. Results do not depend on it.
 */
public final class Emb4j {
  /** The seed of the global generator before any {@link #manualSeed(long)}: PyTorch's default seed. */
  public static final long DEFAULT_SEED = 67_280_421_310_721L;

  /** The system property that sets the initial number of kernel threads (default: the available processors). */
  public static final String THREADS_PROPERTY = "emb4j.threads";

  private static long initialSeed = DEFAULT_SEED;
  private static volatile int numThreads = initialThreads();
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

  /**
   * Sets how many threads large kernel calls use from now on (1: the calling thread only), PyTorch's {@code
   * torch.set_num_threads}. A call running meanwhile finishes with the threads it started with.
   *
   * @throws IllegalArgumentException unless {@code 1 <= threads <= 1024}
   */
  public static void setNumThreads(int threads) {
    numThreads = checkThreads(threads);
  }

  /** How many threads large kernel calls use (PyTorch's {@code torch.get_num_threads}). */
  public static int getNumThreads() {
    return numThreads;
  }

  private static int checkThreads(int n) {
    if (n < 1 || n > 1024) {
      throw new IllegalArgumentException("the number of kernel threads must be in 1..1024, got " + n);
    }
    return n;
  }

  private static int initialThreads() {
    String value = System.getProperty(THREADS_PROPERTY);
    if (value == null || value.isBlank()) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      return checkThreads(Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "system property " + THREADS_PROPERTY + " must be a positive integer, got '" + value + "'", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("system property " + THREADS_PROPERTY + ": " + e.getMessage(), e);
    }
  }
}
