package dev.emb4j.nn;

/**
 * What a {@link DynamicEmbeddingBag} does when every row holds an id and a new id is admitted: {@link #none()} (an
 * error naming the capacity), {@link #leastRecentlyUsed()}, or {@link #olderThan(long)} (the least recently used row,
 * if it was unused for long enough). The evicted row is reset: its values are drawn afresh for the new id, and its
 * optimizer state starts over at the next step.
 */
public sealed interface Eviction {

  /** No eviction: admitting an id into a full table throws {@link IllegalStateException}. */
  static Eviction none() {
    return new None();
  }

  /** The least recently used row is given to the new id (TorchRec's and Monolith's LRU eviction). */
  static Eviction leastRecentlyUsed() {
    return new LeastRecentlyUsed();
  }

  /**
   * The least recently used row is given to the new id if no lookup used it for more than {@code steps} training
   * steps; otherwise the new id gets no row yet (it reads as not admitted) until a row is that old.
   *
   * @param steps the age in steps ({@code >= 0}); a step is one training {@code forward} of the table
   * @throws IllegalArgumentException if {@code steps} is negative
   */
  static Eviction olderThan(long steps) {
    return new OlderThan(steps);
  }

  /** See {@link Eviction#none()}. */
  record None() implements Eviction {
    @Override
    public String toString() {
      return "none";
    }
  }

  /** See {@link Eviction#leastRecentlyUsed()}. */
  record LeastRecentlyUsed() implements Eviction {
    @Override
    public String toString() {
      return "leastRecentlyUsed";
    }
  }

  /**
   * See {@link Eviction#olderThan(long)}.
   *
   * @param steps the age in steps a row must exceed to be evicted
   */
  record OlderThan(long steps) implements Eviction {
    /** Checks the age. */
    public OlderThan {
      if (steps < 0) {
        throw new IllegalArgumentException("an eviction age must be >= 0 steps, got " + steps);
      }
    }

    @Override
    public String toString() {
      return "olderThan(" + steps + ")";
    }
  }
}
