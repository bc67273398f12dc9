package dev.emb4j.task;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A dense numbering of raw ids (0, 1, 2, ... in order of first appearance), so that raw user and item ids can index
 * embedding rows. Raw ids never seen give -1.
 */
public final class IdIndex {
  private final Map<Long, Integer> index = new HashMap<>();
  private long[] raw = new long[16];

  /** An empty index. */
  public IdIndex() {}

  /** The dense index of {@code id}, adding it if new. */
  public int add(long id) {
    Integer i = index.get(id);
    if (i != null) {
      return i;
    }
    int k = index.size();
    index.put(id, k);
    if (k == raw.length) {
      raw = Arrays.copyOf(raw, k * 2);
    }
    raw[k] = id;
    return k;
  }

  /** The dense index of {@code id}, or -1 if it was never added. */
  public int indexOf(long id) {
    Integer i = index.get(id);
    return i == null ? -1 : i;
  }

  /** The raw id of dense index {@code i}. */
  public long rawId(int i) {
    if (i < 0 || i >= index.size()) {
      throw new IndexOutOfBoundsException("dense id " + i + " is out of range (valid 0.." + (index.size() - 1) + ")");
    }
    return raw[i];
  }

  /** Number of distinct ids. */
  public int size() {
    return index.size();
  }
}
