package dev.emb4j.internal.kernel;

/**
 * The float offset of each id's row in a single-array heap table, worked out in one pass before a bag sum, so that
 * the summing loop reads an {@code int} and adds the column instead of widening, multiplying and adding per row.
 *
 * <p>Bag sums over tables larger than the caches ran markedly faster with this pass than with the offsets worked
 * out per row (in cache, the same): the cost lay in the index arithmetic around the loads, not in reading the rows,
 * most likely because fewer rows were in flight (the git log keeps the figures).
 *
 * <p>The buffer is the calling thread's, kept between calls (up to {@link #MAX_KEPT_INTS}; larger ones are made per
 * call), like {@link SumsBuffer}.
 */
final class RowOffsets {
  private RowOffsets() {}

  /** Largest buffer kept per thread: 4 M ids, 16 MB. */
  static final int MAX_KEPT_INTS = 4 << 20;

  /** Marks a padding id, whose row a bag skips. */
  static final int SKIP = -1;

  private static final ThreadLocal<int[]> KEPT = new ThreadLocal<>();

  /**
   * {@code offsets[i - from] = lead + ids[i] * dim} for i in {@code [from, to)}, or {@link #SKIP} where {@code ids[i]
   * == paddingIdx}. The ids must be valid rows of a table held in one array, so every offset fits an {@code int}.
   */
  static int[] of(long[] ids, int from, int to, int lead, int dim, long paddingIdx) {
    int[] offsets = buffer(to - from);
    for (int i = from; i < to; i++) {
      long k = ids[i];
      offsets[i - from] = k == paddingIdx ? SKIP : lead + (int) k * dim;
    }
    return offsets;
  }

  private static int[] buffer(int n) {
    if (n > MAX_KEPT_INTS) {
      return new int[n];
    }
    int[] kept = KEPT.get();
    if (kept == null || kept.length < n) {
      kept = new int[Math.max(n, 1024)];
      KEPT.set(kept);
    }
    return kept;
  }
}
