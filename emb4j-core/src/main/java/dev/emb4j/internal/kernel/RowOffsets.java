package dev.emb4j.internal.kernel;

/**
 * The float offset of each id's row in a single-array heap table, worked out in one pass before a bag sum, so that
 * the summing loop reads an {@code int} and adds the column instead of widening, multiplying and adding per row.
 *
 * <p>Measured with {@code emb4j bench} (bag-sum, 1 thread, D = 128): 61 / 58 M rows/s at V = 1e6 / 1e7 with the
 * offsets worked out per row, 75 / 62-63 with this pass, about 187 at V = 1e4 either way. The per-row loop with the
 * row width as a compile-time constant measured 73-79 at 1e6, and a bare fixed-shape loop in a probe 82-87 (the C
 * probe: 83), so the cost lay in the index arithmetic around the loads, not in reading the rows; the machine counters
 * that would say why (most likely fewer rows in flight) are not available here.
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
