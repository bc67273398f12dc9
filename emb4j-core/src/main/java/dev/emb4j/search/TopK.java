package dev.emb4j.search;

import java.util.ArrayList;
import java.util.List;

/**
 * The best {@code k} (score, id) pairs offered so far: a binary min-heap on (score, then reversed id) whose root is the
 * worst kept pair, so each offer costs O(1) when it loses and O(log k) when it wins.
 */
final class TopK {
  private final int k;
  private final float[] scores;
  private final long[] ids;
  private int size;

  TopK(int k) {
    this.k = k;
    this.scores = new float[k];
    this.ids = new long[k];
  }

  /** The score a new pair must beat to enter (when full), or negative infinity. */
  float threshold() {
    return size < k ? Float.NEGATIVE_INFINITY : scores[0];
  }

  /** Whether (sa, ia) ranks below (sb, ib): lower score, or equal score and higher id. */
  private static boolean worse(float sa, long ia, float sb, long ib) {
    return sa < sb || (sa == sb && ia > ib);
  }

  void offer(float score, long id) {
    if (size < k) {
      int i = size++;
      scores[i] = score;
      ids[i] = id;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!worse(scores[i], ids[i], scores[parent], ids[parent])) {
          break;
        }
        swap(i, parent);
        i = parent;
      }
      return;
    }
    if (k == 0 || !worse(scores[0], ids[0], score, id)) {
      return;
    }
    scores[0] = score;
    ids[0] = id;
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      int r = l + 1;
      int m = i;
      if (l < size && worse(scores[l], ids[l], scores[m], ids[m])) {
        m = l;
      }
      if (r < size && worse(scores[r], ids[r], scores[m], ids[m])) {
        m = r;
      }
      if (m == i) {
        return;
      }
      swap(i, m);
      i = m;
    }
  }

  void addAll(TopK other) {
    for (int i = 0; i < other.size; i++) {
      offer(other.scores[i], other.ids[i]);
    }
  }

  private void swap(int a, int b) {
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
    long t = ids[a];
    ids[a] = ids[b];
    ids[b] = t;
  }

  /** The kept pairs, best first. */
  List<Neighbor> sorted() {
    List<Neighbor> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(new Neighbor(ids[i], scores[i]));
    }
    out.sort(Neighbor::compareBestFirst);
    return out;
  }
}
