package dev.emb4j.tensor;

import java.lang.reflect.Array;
import java.util.List;

/** Shape discovery and row-major flattening of nested Java arrays, for {@link IndexTensor} and {@link FloatTensor}. */
final class NestedArrays {
  private NestedArrays() {}

  /** Records the dimensions of a nested array into {@code dims} and returns the leaf component type. */
  static Class<?> measure(Object nested, List<Integer> dims, String what) {
    if (nested == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    Object cur = nested;
    while (true) {
      Class<?> c = cur.getClass();
      if (!c.isArray()) {
        throw new IllegalArgumentException(what + " must be given as a (nested) array, got " + c.getName());
      }
      int len = Array.getLength(cur);
      dims.add(len);
      Class<?> comp = c.getComponentType();
      if (comp.isPrimitive()) {
        return comp;
      }
      if (len == 0) {
        // An empty outer array: the sizes below it cannot be seen, so each deeper level gets size 0.
        Class<?> t = comp;
        while (t.isArray()) {
          dims.add(0);
          t = t.getComponentType();
        }
        return t;
      }
      cur = Array.get(cur, 0);
    }
  }

  /** Copies the leaves of {@code nested} into {@code out} in row-major order, checking that it is not ragged. */
  static void flatten(Object nested, List<Integer> dims, int depth, Object out, int[] cursor, String what) {
    if (nested == null) {
      throw new IllegalArgumentException(what + " contain a null row at depth " + depth);
    }
    int len = Array.getLength(nested);
    if (len != dims.get(depth)) {
      throw new IllegalArgumentException(
          what + " are ragged: a row at depth " + depth + " has " + len + " elements where " + dims.get(depth)
              + " were expected");
    }
    if (depth == dims.size() - 1) {
      System.arraycopy(nested, 0, out, cursor[0], len);
      cursor[0] += len;
      return;
    }
    for (int i = 0; i < len; i++) {
      flatten(Array.get(nested, i), dims, depth + 1, out, cursor, what);
    }
  }
}
