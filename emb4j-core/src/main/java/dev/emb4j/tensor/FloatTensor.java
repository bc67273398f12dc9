package dev.emb4j.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A dense row-major float32 tensor on the Java heap: lookup outputs, gradients, per-sample weights and pretrained
 * weights.
 *
 * <p>The backing array is reachable through {@link #data()} so that hot code can read and write it without copies;
 * the shape never changes. An embedding lookup returns a fresh tensor: writing into it never changes the table.
 */
public final class FloatTensor {
  private final Shape shape;
  private final float[] data;

  private FloatTensor(Shape shape, float[] data) {
    if (data.length != shape.numel()) {
      throw new IllegalArgumentException(
          "shape " + shape + " holds " + shape.numel() + " elements but " + data.length + " values were given");
    }
    this.shape = shape;
    this.data = data;
  }

  /** A zero-filled tensor of the given shape. */
  public static FloatTensor zeros(Shape shape) {
    return new FloatTensor(shape, new float[Math.toIntExact(shape.numel())]);
  }

  /** A tensor of the given shape over a copy of row-major {@code data}. */
  public static FloatTensor of(Shape shape, float... data) {
    return new FloatTensor(shape, data.clone());
  }

  /** A tensor of the given shape that uses {@code data} itself (no copy): later writes to either are shared. */
  public static FloatTensor wrap(Shape shape, float[] data) {
    return new FloatTensor(shape, data);
  }

  /** A 1-D tensor over a copy of {@code values}. */
  public static FloatTensor vector(float... values) {
    return new FloatTensor(Shape.of(values.length), values.clone());
  }

  /**
   * A tensor from a nested {@code float} array, e.g. {@code new float[][] {{1, 2}, {3, 4}}} gives shape {@code [2,
   * 2]}.
   *
   * @throws IllegalArgumentException if the leaves are not {@code float} (emb4j tables hold float32; convert other
   *     types explicitly) or the array is ragged
   */
  public static FloatTensor fromArray(Object nested) {
    List<Integer> dims = new ArrayList<>();
    Class<?> leaf = NestedArrays.measure(nested, dims, "values");
    if (leaf != float.class) {
      throw new IllegalArgumentException(
          "values must be float32 (float[]), but got elements of type " + leaf.getName() + " (a "
              + nested.getClass().getSimpleName() + "); convert them to float first");
    }
    Shape shape = Shape.of(dims.stream().mapToInt(Integer::intValue).toArray());
    float[] out = new float[Math.toIntExact(shape.numel())];
    NestedArrays.flatten(nested, dims, 0, out, new int[] {0}, "values");
    return new FloatTensor(shape, out);
  }

  /** The shape. */
  public Shape shape() {
    return shape;
  }

  /** Number of elements. */
  public int numel() {
    return data.length;
  }

  /** The backing row-major array (not a copy). */
  public float[] data() {
    return data;
  }

  /** The element at flat (row-major) position {@code i}. */
  public float get(int i) {
    return data[i];
  }

  /** The element at a multi-dimensional position; the number of coordinates must equal the rank. */
  public float at(int... position) {
    return data[flatIndex(position)];
  }

  /** Sets the element at flat position {@code i}. */
  public void set(int i, float value) {
    data[i] = value;
  }

  /** A copy of row {@code r} of a 2-D tensor. */
  public float[] row(int r) {
    if (shape.rank() != 2) {
      throw new IllegalStateException("row() needs a 2-D tensor, this one has shape " + shape);
    }
    int d = shape.dim(1);
    return Arrays.copyOfRange(data, r * d, r * d + d);
  }

  /** The same data seen with another shape of the same element count (the array is shared). */
  public FloatTensor reshape(Shape newShape) {
    return new FloatTensor(newShape, data);
  }

  /** A deep copy. */
  public FloatTensor copy() {
    return new FloatTensor(shape, data.clone());
  }

  private int flatIndex(int[] position) {
    if (position.length != shape.rank()) {
      throw new IllegalArgumentException(
          "position " + Arrays.toString(position) + " has " + position.length + " coordinates but the tensor has rank "
              + shape.rank());
    }
    int flat = 0;
    for (int i = 0; i < position.length; i++) {
      int size = shape.dim(i);
      if (position[i] < 0 || position[i] >= size) {
        throw new IndexOutOfBoundsException(
            "coordinate " + position[i] + " of position " + Arrays.toString(position) + " is outside dimension " + i
                + " of size " + size + " (valid 0.." + (size - 1) + ")");
      }
      flat = flat * size + position[i];
    }
    return flat;
  }

  /** Equal shapes and bit-identical values (NaN equals NaN). */
  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t && shape.equals(t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * shape.hashCode() + Arrays.hashCode(data);
  }

  /** A short description: the shape and the first values. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("FloatTensor(").append(shape).append(", [");
    for (int i = 0; i < Math.min(data.length, 16); i++) {
      sb.append(i == 0 ? "" : ", ").append(data[i]);
    }
    return sb.append(data.length > 16 ? ", ...])" : "])").toString();
  }
}
