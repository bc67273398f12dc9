package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.IdRowMap;

/**
 * The rows of a batch of raw ids in an {@link IdRowMap}, split over the kernel threads: each lookup is a random read
 * of the slot array (a cache miss for a large map), as many as the gather of the rows that follows. Each thread works
 * in passes over its ids: first the home slot of every id (the hashing alone, streamed); then, a group of {@code
 * GROUP} ids at a time, the id word of each id's home slot, in a loop that does nothing else, so that the group's
 * slots are on their way from memory together; then the group's lookups, which find most ids in their home slot
 * (already read) and probe on from there for the others. A loop that also resolved each lookup as it went (a branch
 * per probe, mispredicted whenever an id sits beyond its home slot) kept far fewer slots in flight, even when it read
 * each slot some lookups ahead.
 */
public final class IdLookups {
  /** Ids per thread below which one thread maps the whole batch. */
  private static final int MIN_CHUNK = 4096;

  /** Ids whose home slots are read together: a few KiB of words, in the first-level cache. */
  private static final int GROUP = 256;

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
          long[] homeIds = new long[GROUP];
          for (int g = from; g < to; g += GROUP) {
            int end = Math.min(to, g + GROUP);
            for (int i = g; i < end; i++) {
              homeIds[i - g] = map.slotId(home[i - from]);
            }
            for (int i = g; i < end; i++) {
              int h = home[i - from];
              // an empty home slot holds no id of the map (its row word is negative): either way the id is absent
              long row = homeIds[i - g] == ids[i] ? map.slotRow(h) : map.findFrom(ids[i], h);
              out[i] = row < 0 ? missing : row;
            }
          }
        });
  }
}
