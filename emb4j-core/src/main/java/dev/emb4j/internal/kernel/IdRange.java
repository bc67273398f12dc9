package dev.emb4j.internal.kernel;

/**
 * The fast check that every id of a batch names a row of a table, run before a kernel trusts them; the callers look
 * for the offending position (and build their message) only when it fails.
 *
 * <p>One branch-free pass ORs each {@code id | (rows - 1 - id)}, whose sign bit is set exactly when {@code id < 0} or
 * {@code id > rows - 1}. The JIT vectorises it; a {@code Math.min} / {@code Math.max} pass, or a loop that tests
 * and throws (a dependent chain the JIT leaves scalar), measured more than twice as slow.
 */
public final class IdRange {
  private IdRange() {}

  /** True if {@code 0 <= ids[i] < rows} for every i (always for no ids; never for rows {@code <= 0} and some id). */
  public static boolean allWithin(long[] ids, long rows) {
    if (rows <= 0) {
      return ids.length == 0;
    }
    long last = rows - 1;
    long signs = 0;
    for (long id : ids) {
      signs |= id | (last - id);
    }
    return signs >= 0;
  }

  /** True if {@code 0 <= rows[i] < count} for every i: {@link #allWithin(long[], long)} for int positions. */
  public static boolean allWithin(int[] rows, long count) {
    if (count <= 0) {
      return rows.length == 0;
    }
    int last = (int) Math.min(count - 1, Integer.MAX_VALUE);
    int signs = 0;
    for (int r : rows) {
      signs |= r | (last - r);
    }
    return signs >= 0;
  }
}
