package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.IdRowMap;

/**
 * The rows of a batch of raw ids in an {@link IdRowMap}, split over the kernel threads: each lookup is a random read
 * of the slot array (a cache miss for a large map), as many as the gather of the rows that follows, so one thread
 * would take as long as the gather on all of them. Each thread reads the home slot of the id {@code AHEAD} lookups
 * later before it looks up the current one, so several slots are on their way from memory at once.
 */
public final class IdLookups {
  /** Ids per thread below which one thread maps the whole batch. */
  private static final int MIN_CHUNK = 4096;

  /**
   * How many lookups ahead the home slot of an id is touched ({@link IdRowMap#touchHome}); the read-ahead index is
   * clamped to the chunk's last id rather than guarded by a branch, as in the gathers.
   */
  private static final int AHEAD = 16;

  /** Where the read-ahead loads end up, so that the JIT must keep them. */
  static long sink;

  private IdLookups() {}

  /**
   * {@code out[i] = map.find(ids[i])}, or {@code missing} for an id without a row. Reads the map only: the caller
   * keeps writers out (or validates an optimistic read afterwards).
   */
  public static void findRows(IdRowMap map, long[] ids, long[] out, long missing) {
    assert out.length >= ids.length;
    Parallel.forRange(
        ids.length,
        MIN_CHUNK,
        (from, to) -> {
          long touched = 0;
          int last = to - 1;
          for (int i = from; i < to; i++) {
            touched += map.touchHome(ids[Math.min(i + AHEAD, last)]);
            long row = map.find(ids[i]);
            out[i] = row < 0 ? missing : row;
          }
          sink = touched;
        });
  }
}
