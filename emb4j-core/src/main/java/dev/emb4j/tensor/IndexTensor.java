package dev.emb4j.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable row-major tensor of ids (int32 or int64) of any rank: the input of an embedding lookup.
 *
 * <p>A lookup with an index tensor of shape {@code S} returns a {@link FloatTensor} of shape {@code S + [D]}. Build
 * one from flat data and a shape, or from a nested Java array:
 *
 * <pre>{@code
 * IndexTensor ids = IndexTensor.of(1, 2, 3);                              // shape [3], int32
 * IndexTensor batch = IndexTensor.fromArray(new long[][] {{0, 1}, {2, 3}}); // shape [2, 2], int64
 * IndexTensor one = IndexTensor.scalar(4);                               // shape [], a single id
 * }</pre>
 *
 * <p>The values are not checked against any table here: a table checks them when they are looked up, and names the
 * position of any id that is out of its range.
 */
public final class IndexTensor {
  private final Shape shape;
  private final IndexType type;
  private final int[] ints;
  private final long[] longs;

  private IndexTensor(Shape shape, int[] ints, long[] longs) {
    long n = ints != null ? ints.length : longs.length;
    if (n != shape.numel()) {
      throw new IllegalArgumentException(
          "shape " + shape + " holds " + shape.numel() + " elements but " + n + " values were given");
    }
    this.shape = shape;
    this.ints = ints;
    this.longs = longs;
    this.type = ints != null ? IndexType.INT32 : IndexType.INT64;
  }

  /** A 1-D int32 tensor of the given ids (copied). */
  public static IndexTensor of(int... ids) {
    return new IndexTensor(Shape.of(ids.length), ids.clone(), null);
  }

  /** A 1-D int64 tensor of the given ids (copied). */
  public static IndexTensor of(long... ids) {
    return new IndexTensor(Shape.of(ids.length), null, ids.clone());
  }

  /** An int32 tensor of the given shape over row-major data (copied). */
  public static IndexTensor of(Shape shape, int[] data) {
    return new IndexTensor(shape, data.clone(), null);
  }

  /** An int64 tensor of the given shape over row-major data (copied). */
  public static IndexTensor of(Shape shape, long[] data) {
    return new IndexTensor(shape, null, data.clone());
  }

  /** A 0-dimensional (scalar) int64 index: a lookup with it returns a single row of shape {@code [D]}. */
  public static IndexTensor scalar(long id) {
    return new IndexTensor(Shape.scalar(), null, new long[] {id});
  }

  /**
   * A tensor from a nested Java array whose leaves are {@code int[]} (int32) or {@code long[]} (int64), e.g. {@code
   * new int[][] {{0, 1, 2}, {3, 4, 5}}} gives shape {@code [2, 3]}. A boxed {@link Integer} or {@link Long} gives a
   * scalar.
   *
   * @throws IllegalArgumentException if the leaves are of another type (only int32 and int64 ids are accepted, as in
   *     PyTorch) or the array is ragged
   */
  public static IndexTensor fromArray(Object nested) {
    if (nested instanceof Integer i) {
      return new IndexTensor(Shape.scalar(), new int[] {i}, null);
    }
    if (nested instanceof Long l) {
      return scalar(l);
    }
    List<Integer> dims = new ArrayList<>();
    Class<?> leaf = NestedArrays.measure(nested, dims, "indices");
    Shape shape = Shape.of(dims.stream().mapToInt(Integer::intValue).toArray());
    int n = Math.toIntExact(shape.numel());
    if (leaf == int.class) {
      int[] out = new int[n];
      NestedArrays.flatten(nested, dims, 0, out, new int[] {0}, "indices");
      return new IndexTensor(shape, out, null);
    }
    if (leaf == long.class) {
      long[] out = new long[n];
      NestedArrays.flatten(nested, dims, 0, out, new int[] {0}, "indices");
      return new IndexTensor(shape, null, out);
    }
    throw new IllegalArgumentException(
        "indices must be int32 (int[]) or int64 (long[]), but got elements of type "
            + leaf.getName()
            + " (a "
            + nested.getClass().getSimpleName()
            + "); convert them to int or long ids first");
  }

  /** The shape of this tensor. */
  public Shape shape() {
    return shape;
  }

  /** int32 or int64. */
  public IndexType type() {
    return type;
  }

  /** Number of ids. */
  public int numel() {
    return ints != null ? ints.length : longs.length;
  }

  /** The id at flat (row-major) position {@code i}. */
  public long get(int i) {
    return ints != null ? ints[i] : longs[i];
  }

  /** All ids as a new {@code long[]} in row-major order. */
  public long[] toLongArray() {
    if (longs != null) {
      return longs.clone();
    }
    long[] out = new long[ints.length];
    for (int i = 0; i < ints.length; i++) {
      out[i] = ints[i];
    }
    return out;
  }

  /** The same ids seen with another shape of the same element count. */
  public IndexTensor reshape(Shape newShape) {
    if (newShape.numel() != shape.numel()) {
      throw new IllegalArgumentException(
          "cannot reshape " + shape + " (" + shape.numel() + " ids) to " + newShape + " (" + newShape.numel() + ")");
    }
    return new IndexTensor(newShape, ints, longs);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof IndexTensor t) || !shape.equals(t.shape) || type != t.type) {
      return false;
    }
    return ints != null ? Arrays.equals(ints, t.ints) : Arrays.equals(longs, t.longs);
  }

  @Override
  public int hashCode() {
    return 31 * shape.hashCode() + (ints != null ? Arrays.hashCode(ints) : Arrays.hashCode(longs));
  }

  /**
   * The slices of the first dimension picked by {@code index}, as PyTorch's {@code t[index]}: shape {@code
   * index.shape() + shape[1:]}, of this tensor's type; e.g. the token rows of a mini-batch.
   *
   * @throws IndexOutOfBoundsException for an index outside {@code 0 .. shape[0]-1}, naming it and its position
   */
  public IndexTensor index(IndexTensor index) {
    if (shape.rank() == 0) {
      throw new IllegalArgumentException("a scalar cannot be indexed");
    }
    int rows = shape.dim(0);
    int width = rows == 0 ? 0 : numel() / rows;
    Shape out = index.shape();
    for (int d = 1; d < shape.rank(); d++) {
      out = out.append(shape.dim(d));
    }
    int n = index.numel() * width;
    int[] oi = ints != null ? new int[n] : null;
    long[] ol = ints != null ? null : new long[n];
    for (int i = 0; i < index.numel(); i++) {
      int src = FloatTensor.rowOf(index, i, rows) * width;
      if (ints != null) {
        System.arraycopy(ints, src, oi, i * width, width);
      } else {
        System.arraycopy(longs, src, ol, i * width, width);
      }
    }
    return new IndexTensor(out, oi, ol);
  }

  /**
   * All ids as a new {@code int[]} in row-major order, e.g. class targets.
   *
   * @throws ArithmeticException if an id does not fit an int
   */
  public int[] toIntArray() {
    int[] out = new int[numel()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.toIntExact(get(i));
    }
    return out;
  }

  /** Every id, nested as in PyTorch, e.g. {@code IndexTensor([[0, 1], [2, 3]])}, int32 tensors with their dtype. */
  @Override
  public String toString() {
    return TensorFormat.format(
        "IndexTensor", shape, i -> Long.toString(get(i)), type == IndexType.INT32 ? ", dtype=int32" : "");
  }
}
