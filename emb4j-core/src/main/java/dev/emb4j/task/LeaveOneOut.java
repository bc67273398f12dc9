package dev.emb4j.task;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Implicit feedback split for leave-one-out evaluation: each user's latest interaction is held out, the rest trains.
 * Every rated pair counts as an interaction, whatever its rating. The latest is the one with the highest timestamp,
 * the later line among equal timestamps (so a file without timestamps holds out each user's last line). A user with a
 * single interaction keeps it for training and is not evaluated.
 *
 * @param train the interactions left for training, in their original order
 * @param heldOut one interaction for each user who had at least two, in order of the users' first appearance
 */
public record LeaveOneOut(Ratings train, Ratings heldOut) {

  /**
   * Splits {@code all}, whose interactions have the given timestamps (see {@link Ratings.Loaded#timestamps()}).
   *
   * @throws IllegalArgumentException unless there is one timestamp per interaction
   */
  public static LeaveOneOut split(Ratings all, long[] timestamps) {
    int n = all.size();
    if (timestamps.length != n) {
      throw new IllegalArgumentException("got " + timestamps.length + " timestamps for " + n + " interactions");
    }
    Map<Long, Integer> latest = new HashMap<>();
    Map<Long, Integer> counts = new HashMap<>();
    long[] order = new long[n];
    int users = 0;
    for (int k = 0; k < n; k++) {
      long u = all.users()[k];
      if (counts.merge(u, 1, Integer::sum) == 1) {
        order[users++] = u;
      }
      latest.merge(u, k, (was, now) -> timestamps[now] >= timestamps[was] ? now : was);
    }
    boolean[] held = new boolean[n];
    int[] heldRows = new int[users];
    int h = 0;
    for (int k = 0; k < users; k++) {
      if (counts.get(order[k]) >= 2) {
        int row = latest.get(order[k]);
        held[row] = true;
        heldRows[h++] = row;
      }
    }
    int[] trainRows = new int[n - h];
    int t = 0;
    for (int k = 0; k < n; k++) {
      if (!held[k]) {
        trainRows[t++] = k;
      }
    }
    return new LeaveOneOut(select(all, trainRows), select(all, Arrays.copyOf(heldRows, h)));
  }

  private static Ratings select(Ratings all, int[] rows) {
    long[] u = new long[rows.length];
    long[] i = new long[rows.length];
    float[] v = new float[rows.length];
    for (int k = 0; k < rows.length; k++) {
      u[k] = all.users()[rows[k]];
      i[k] = all.items()[rows[k]];
      v[k] = all.values()[rows[k]];
    }
    return new Ratings(u, i, v);
  }
}
