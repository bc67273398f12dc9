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
 * each slot some lookups ahead. The group's loop must stay that lean: hashing in it, or also reading the slot after
 * the home slot (to spare the displaced ids a second miss), each took the lookups to about twice the time.
 */
public final class IdLookups {
  /** Ids per thread below which one thread maps the whole batch. */
  private static final int MIN_CHUNK = 4096;

  /** Touches below which one thread makes them all ({@link #touchAll}). */
  private static final int MIN_PARALLEL_TOUCHES = 8192;

  /** Ids whose home slots are read together: 8 KiB of words, in the first-level cache (256 and 64 measured slower). */
  private static final int GROUP = 1024;

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

  /**
   * Marks {@code rows[0 .. n)}, each a used row of {@code map}, used at {@code step}, leaving the map as {@link
   * IdRowMap#touch} one after another does: the same last uses, recencies and counters. As there, a touch moves its
   * row to the most recently used end unless the row is there already (a repeat of the touch before it), and those
   * moves get the next recencies in order ({@link IdRowMap#reserveTouches}). The touches are split over the kernel
   * threads by row, each thread reading the whole batch and writing the records of its own rows: a touch writes its
   * row's record, a random cache line that a large map has to fetch, and the threads fetch theirs side by side. The
   * caller holds the map's write lock.
   *
   * @return false, having changed nothing, when the map cannot take the touches together (see {@code
   *     reserveTouches}): the caller then touches the rows one after another
   */
  public static boolean touchAll(IdRowMap map, long[] rows, int n, long step) {
    long last = map.lastQueued();
    int moves = 0;
    for (int i = 0; i < n; i++) {
      if (rows[i] != (i == 0 ? last : rows[i - 1])) {
        moves++;
      }
    }
    int first = map.reserveTouches(moves);
    if (first < 0) {
      return false;
    }
    long recency = map.touches() - moves + 1; // of the move at place first
    int capacity = Math.toIntExact(map.capacity());
    Parallel.RangeTask byRow =
        (rowFrom, rowTo) -> {
          int k = 0; // the moves before position i
          for (int i = 0; i < n; i++) {
            long r = rows[i];
            if (r != (i == 0 ? last : rows[i - 1])) {
              if (r >= rowFrom && r < rowTo) {
                map.touchAt(r, first + k, recency + k, step);
              }
              k++;
            } else if (i == 0 && r >= rowFrom && r < rowTo) {
              map.markUsed(r, step); // already the most recently used: only its last use changes
            }
          }
        };
    if (n < MIN_PARALLEL_TOUCHES) {
      byRow.run(0, capacity);
    } else {
      Parallel.forRange(capacity, 1, byRow);
    }
    return true;
  }
}
