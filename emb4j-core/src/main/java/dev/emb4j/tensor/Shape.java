package dev.emb4j.tensor;

import java.util.Arrays;

/**
 * The dimensions of a row-major tensor, e.g. {@code [2, 3]} for a batch of 2 sequences of 3 ids.
 *
 * <p>Immutable. A shape of rank 0 (no dimensions) describes a scalar and holds one element; any dimension of size 0
 * makes the tensor empty.
 */
public final class Shape {
  private static final Shape SCALAR = new Shape(new int[0]);

  private final int[] dims;
  private final long numel;

  private Shape(int[] dims) {
    long n = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw new IllegalArgumentException(
            "dimension " + i + " of shape " + Arrays.toString(dims) + " is negative (" + dims[i] + ")");
      }
      n = Math.multiplyExact(n, dims[i]);
    }
    this.dims = dims;
    this.numel = n;
  }

  /** A shape with the given dimensions (none for a scalar). */
  public static Shape of(int... dims) {
    return dims.length == 0 ? SCALAR : new Shape(dims.clone());
  }

  /** The shape of a scalar: rank 0, one element. */
  public static Shape scalar() {
    return SCALAR;
  }

  /** Number of dimensions. */
  public int rank() {
    return dims.length;
  }

  /** Size of dimension {@code i}; negative {@code i} counts from the end. */
  public int dim(int i) {
    int k = i < 0 ? dims.length + i : i;
    if (k < 0 || k >= dims.length) {
      throw new IndexOutOfBoundsException(
          "dimension " + i + " does not exist in shape " + this + " of rank " + dims.length);
    }
    return dims[k];
  }

  /** Number of elements: the product of the dimensions (1 for a scalar). */
  public long numel() {
    return numel;
  }

  /** A copy of the dimensions. */
  public int[] toArray() {
    return dims.clone();
  }

  /** This shape with one more trailing dimension, e.g. {@code [2, 3] + 4 = [2, 3, 4]}. */
  public Shape append(int size) {
    int[] d = Arrays.copyOf(dims, dims.length + 1);
    d[dims.length] = size;
    return new Shape(d);
  }

  /** This shape without its last dimension. */
  public Shape dropLast() {
    if (dims.length == 0) {
      throw new IllegalStateException("a scalar shape has no last dimension to drop");
    }
    return Shape.of(Arrays.copyOf(dims, dims.length - 1));
  }

  /**
   * The multi-dimensional position of a flat (row-major) element number, as text such as {@code [3, 1]}; a scalar
   * gives {@code []}. Used by error messages to say where an offending value sits.
   */
  public String positionOf(long flat) {
    if (flat < 0 || flat >= Math.max(numel, 1)) {
      throw new IndexOutOfBoundsException("element " + flat + " is outside shape " + this);
    }
    long[] pos = new long[dims.length];
    long rest = flat;
    for (int i = dims.length - 1; i >= 0; i--) {
      pos[i] = rest % dims[i];
      rest /= dims[i];
    }
    return Arrays.toString(pos);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** The dimensions as {@code [2, 3]}; a scalar prints as {@code []}. */
  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
