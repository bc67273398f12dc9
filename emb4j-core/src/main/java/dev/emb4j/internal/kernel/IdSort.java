package dev.emb4j.internal.kernel;

import java.util.Arrays;

/**
 * Stable ordering of row ids, the first step of every sparse-gradient reduction: which positions hold the same id, in
 * input order. One counting pass for ids below 2^16 (when there are at least a quarter as many ids as buckets), else
 * an LSD radix sort on 12-bit digits (two passes for ids below 2^24, i.e. tables up to 16 M rows), in
 * place of a comparison sort of boxed positions; ids of 2^31 or more fall back to a packed-key sort.
 */
public final class IdSort {
  private IdSort() {}

  private static final int DIGIT_BITS = 12;
  private static final int BUCKETS = 1 << DIGIT_BITS;
  /** Ids of up to this many bits are ordered by one counting pass when there are enough of them. */
  private static final int ONE_PASS_BITS = 16;
  /** Below this many ids the 4096-bucket histograms cost more than they save. */
  private static final int SMALL = 256;

  /**
   * The positions of {@code ids} sorted by (id, position): equal ids keep their input order.
   *
   * @throws IllegalArgumentException if an id is negative
   */
  public static int[] stableOrder(long[] ids) {
    return group(ids).order();
  }

  /**
   * A stable ordering of ids grouped by id: the distinct ids {@code rows[0 .. count)} ascending, and for the u-th the
   * positions {@code order[start[u] .. start[u + 1])} of its occurrences, in input order ({@code start[count]} is
   * the number of ids). {@code rows} and {@code start} may be longer than {@code count} and {@code count + 1}.
   */
  public record Groups(int[] order, long[] rows, int[] start, int count) {}

  /**
   * {@link #stableOrder} with the distinct ids and where each one's positions start, read off the sort's own
   * counts or sorted keys (cheaper than a pass over {@code ids[order[k]]}, whose reads jump around).
   *
   * @throws IllegalArgumentException if an id is negative
   */
  public static Groups group(long[] ids) {
    int n = ids.length;
    // the OR of the ids has the bit length of their maximum and is negative if one is: one pass the JIT vectorises
    // (a maximum with a test per id does not vectorise)
    long or = 0;
    for (long id : ids) {
      or |= id;
    }
    if (or < 0) {
      for (long id : ids) {
        if (id < 0) {
          throw new IllegalArgumentException("ids must not be negative, got " + id);
        }
      }
    }
    int bits = 64 - Long.numberOfLeadingZeros(Math.max(or, 1));
    if (n < SMALL || bits > 31) {
      return groupsOf(ids, packedOrder(ids, or)); // or >= every id: a bound as good as the maximum
    }
    if (bits <= ONE_PASS_BITS && (1L << bits) <= 4L * n) {
      return countingGroups(ids, 1 << bits);
    }
    int[] keys = new int[n];
    int[] pos = new int[n];
    int[] keys2 = new int[n];
    int[] pos2 = new int[n];
    for (int i = 0; i < n; i++) {
      keys[i] = (int) ids[i];
      pos[i] = i;
    }
    int[] count = new int[BUCKETS];
    for (int shift = 0; shift < bits; shift += DIGIT_BITS) {
      Arrays.fill(count, 0);
      for (int i = 0; i < n; i++) {
        count[(keys[i] >>> shift) & (BUCKETS - 1)]++;
      }
      int sum = 0;
      for (int b = 0; b < BUCKETS; b++) {
        int c = count[b];
        count[b] = sum;
        sum += c;
      }
      for (int i = 0; i < n; i++) {
        int dst = count[(keys[i] >>> shift) & (BUCKETS - 1)]++;
        keys2[dst] = keys[i];
        pos2[dst] = pos[i];
      }
      int[] t = keys;
      keys = keys2;
      keys2 = t;
      t = pos;
      pos = pos2;
      pos2 = t;
    }
    // keys now holds the ids in sorted order
    long[] rows = new long[n];
    int[] start = new int[n + 1];
    int u = 0;
    for (int k = 0; k < n; k++) {
      if (k == 0 || keys[k] != keys[k - 1]) {
        rows[u] = keys[k];
        start[u++] = k;
      }
    }
    start[u] = n;
    return new Groups(pos, rows, start, u);
  }

  /** The groups of a stable order of {@code ids} from one pass over the ids in that order. */
  public static Groups groupsOf(long[] ids, int[] order) {
    int n = ids.length;
    long[] rows = new long[n];
    int[] start = new int[n + 1];
    int u = 0;
    for (int k = 0; k < n; k++) {
      long r = ids[order[k]];
      if (u == 0 || rows[u - 1] != r) {
        rows[u] = r;
        start[u++] = k;
      }
    }
    start[u] = n;
    return new Groups(order, rows, start, u);
  }

  /**
   * Ids below {@code buckets} (at most 2^16, and not many more than there are ids): one counting pass, each position
   * placed directly, instead of two radix passes; the distinct ids are the buckets that counted any.
   */
  private static Groups countingGroups(long[] ids, int buckets) {
    int[] next = new int[buckets];
    for (long id : ids) {
      next[(int) id]++;
    }
    int distinct = 0;
    for (int c : next) {
      distinct += c == 0 ? 0 : 1;
    }
    long[] rows = new long[distinct];
    int[] start = new int[distinct + 1];
    int sum = 0;
    int u = 0;
    for (int b = 0; b < buckets; b++) {
      int c = next[b];
      if (c != 0) {
        rows[u] = b;
        start[u++] = sum;
      }
      next[b] = sum;
      sum += c;
    }
    start[distinct] = sum;
    int[] order = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      order[next[(int) ids[i]]++] = i;
    }
    return new Groups(order, rows, start, distinct);
  }

  /** Small or huge ids: each entry packed as {@code id * n + position} when that fits a long, else a merge sort. */
  private static int[] packedOrder(long[] ids, long max) {
    int n = ids.length;
    int[] order = new int[n];
    if (n > 0 && max <= (Long.MAX_VALUE - n) / n) {
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        keys[i] = ids[i] * n + i;
      }
      Arrays.sort(keys);
      for (int i = 0; i < n; i++) {
        order[i] = (int) (keys[i] % n);
      }
      return order;
    }
    return stableMergeOrder(ids);
  }

  /**
   * The positions of {@code ids} sorted by (id, position) with a comparison merge sort: the fallback for ids too
   * large to pack, and a reference for tests.
   */
  public static int[] stableMergeOrder(long[] ids) {
    int n = ids.length;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    int[] tmp = new int[n];
    for (long width = 1; width < n; width *= 2) { // long: no overflow for n near 2^31
      for (long start = 0; start < n - width; start += 2 * width) {
        int lo = (int) start;
        int mid = (int) (start + width);
        int hi = (int) Math.min(start + 2 * width, n);
        int a = lo;
        int b = mid;
        int t = lo;
        while (a < mid && b < hi) {
          // <= keeps equal ids in position order: the sort is stable
          tmp[t++] = ids[order[a]] <= ids[order[b]] ? order[a++] : order[b++];
        }
        while (a < mid) {
          tmp[t++] = order[a++];
        }
        while (b < hi) {
          tmp[t++] = order[b++];
        }
        System.arraycopy(tmp, lo, order, lo, hi - lo);
      }
    }
    return order;
  }
}
