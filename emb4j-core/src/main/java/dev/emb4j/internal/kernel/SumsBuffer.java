package dev.emb4j.internal.kernel;

/**
 * A float buffer per calling thread for the gradient sums of a sparse step, kept between steps so that a training
 * loop does not allocate and zero megabytes each time; its contents are whatever the last step left. Buffers above
 * {@link #MAX_KEPT_FLOATS} are allocated per call and not kept, so a thread never holds more than 64 MB.
 */
final class SumsBuffer {
  private SumsBuffer() {}

  static final int MAX_KEPT_FLOATS = 16 << 20;

  private static final ThreadLocal<float[]> KEPT = new ThreadLocal<>();

  /** A buffer of at least {@code floats} floats, not zeroed. */
  static float[] atLeast(int floats) {
    if (floats > MAX_KEPT_FLOATS) {
      return new float[floats];
    }
    float[] kept = KEPT.get();
    if (kept == null || kept.length < floats) {
      kept = new float[floats];
      KEPT.set(kept);
    }
    return kept;
  }
}
