package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.IdRowMap;

/**
 * The rows of a batch of raw ids in an {@link IdRowMap}, split over the kernel threads: each lookup is a random read
 * of the slot array (a cache miss for a large map), as many as the gather of the rows that follows, so one thread
 * would take as long as the gather on all of them. Each thread works in two passes over its ids: first the home slot
 * of every id (the hashing alone, streamed), then the lookups, each reading the home slot of the id {@code AHEAD}
 * lookups later before it resolves the current one, so that many slots are on their way from memory at once and each
 * id is hashed once.
 */
public final class IdLookups {
  /** Ids per thread below which one thread maps the whole batch. */
  private static final int MIN_CHUNK = 4096;

  /**
   * How many lookups ahead the home slot of an id is read ({@link IdRowMap#touchSlot}); the read-ahead index is
   * clamped to the chunk's last id rather than guarded by a branch, as in the gathers.
   */
  private static final int AHEAD = 32;

  /** Where the read-ahead loads end up, so that the JIT must keep them. */
  static long sink;

  private IdLookups() {}

  /**
   * {@code out[i] = map.find(ids[i])} for {@code i < n}, or {@code missing} for an id without a row. Reads the map
   * only: the caller keeps writers out (or validates an optimistic read afterwards).
   */
  public static void findRows(IdRowMap map, long[] ids, long[] out, int n, long missing) {
    assert ids.length >= n && out.length >= n;
    Parallel.forRange(
        n,
        MIN_CHUNK,
        (from, to) -> {
          int[] home = new int[to - from];
          for (int i = from; i < to; i++) {
            home[i - from] = map.home(ids[i]);
          }
          long touched = 0;
          int last = to - from - 1;
          for (int i = from; i < to; i++) {
            touched += map.touchSlot(home[Math.min(i - from + AHEAD, last)]);
            long row = map.findFrom(ids[i], home[i - from]);
            out[i] = row < 0 ? missing : row;
          }
          sink = touched;
        });
  }
}
