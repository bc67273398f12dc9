package dev.emb4j.task;

import java.util.Arrays;

/** Collects ratings one at a time, as a file is read, into a {@link Ratings.Loaded}. */
final class RatingsBuilder {
  private long[] users = new long[1024];
  private long[] items = new long[1024];
  private float[] values = new float[1024];
  private long[] times = new long[1024];
  private int n;

  /** Appends one rating with its timestamp ({@link Ratings#NO_TIMESTAMP} for none). */
  void add(long user, long item, float value, long time) {
    if (n == users.length) {
      users = Arrays.copyOf(users, n * 2);
      items = Arrays.copyOf(items, n * 2);
      values = Arrays.copyOf(values, n * 2);
      times = Arrays.copyOf(times, n * 2);
    }
    users[n] = user;
    items[n] = item;
    values[n] = value;
    times[n] = time;
    n++;
  }

  /** The ratings added so far, and {@code skippedLines}. */
  Ratings.Loaded build(int skippedLines) {
    return new Ratings.Loaded(
        new Ratings(Arrays.copyOf(users, n), Arrays.copyOf(items, n), Arrays.copyOf(values, n)), skippedLines,
        Arrays.copyOf(times, n));
  }
}
