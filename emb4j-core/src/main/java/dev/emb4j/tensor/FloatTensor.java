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

  // ---- conveniences a PyTorch user reaches for (plain loops: for small tensors, not hot paths) ----

  /**
   * A one-hot encoding of {@code ids}: shape {@code ids.shape() + [numClasses]}, 1 at each id and 0 elsewhere
   * (PyTorch's {@code F.one_hot(ids, num_classes).float()}). For a table {@code W} of {@code numClasses} rows, {@code oneHot(ids,
   * V).matmul(W)} equals the lookup {@code W[ids]}.
   *
   * @throws IndexOutOfBoundsException for an id outside {@code 0 .. numClasses-1}, naming it and its position
   */
  public static FloatTensor oneHot(IndexTensor ids, int numClasses) {
    if (numClasses <= 0) {
      throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
    }
    FloatTensor out = zeros(ids.shape().append(numClasses));
    for (int i = 0; i < ids.numel(); i++) {
      long id = ids.get(i);
      if (id < 0 || id >= numClasses) {
        throw new IndexOutOfBoundsException(
            "id " + id + " at position " + ids.shape().positionOf(i) + " is out of range for " + numClasses
                + " classes (valid 0.." + (numClasses - 1) + ")");
      }
      out.data[i * numClasses + (int) id] = 1f;
    }
    return out;
  }

  /**
   * The element-wise sum with {@code other}, broadcast as in PyTorch (see {@link Broadcast}): {@code [4, 3] + [3]}
   * adds the vector to every row.
   *
   * @throws IllegalArgumentException if the shapes do not broadcast
   */
  public FloatTensor add(FloatTensor other) {
    Shape out = Broadcast.shape(shape, other.shape);
    int[] ia = Broadcast.sourceIndex(shape, out);
    int[] ib = Broadcast.sourceIndex(other.shape, out);
    float[] o = new float[ia.length];
    for (int i = 0; i < o.length; i++) {
      o[i] = data[ia[i]] + other.data[ib[i]];
    }
    return new FloatTensor(out, o);
  }

  /**
   * The matrix product, as PyTorch's {@code matmul} for 1-D and 2-D operands: {@code (n, k) @ (k, m) -> (n, m)},
   * {@code (k) @ (k, m) -> (m)}, {@code (n, k) @ (k) -> (n)}, {@code (k) @ (k) -> []}. Sums are accumulated in double.
   *
   * @throws IllegalArgumentException for another rank or inner sizes that differ
   */
  public FloatTensor matmul(FloatTensor other) {
    if (shape.rank() < 1 || shape.rank() > 2 || other.shape.rank() < 1 || other.shape.rank() > 2) {
      throw new IllegalArgumentException(
          "matmul takes 1-D or 2-D tensors, got shapes " + shape + " and " + other.shape);
    }
    int n = shape.rank() == 2 ? shape.dim(0) : 1;
    int k = shape.dim(-1);
    int k2 = other.shape.dim(0);
    int m = other.shape.rank() == 2 ? other.shape.dim(1) : 1;
    if (k != k2) {
      throw new IllegalArgumentException(
          "matmul of " + shape + " and " + other.shape + ": the inner sizes " + k + " and " + k2 + " differ");
    }
    float[] o = new float[n * m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double sum = 0;
        for (int t = 0; t < k; t++) {
          sum += (double) data[i * k + t] * other.data[t * m + j];
        }
        o[i * m + j] = (float) sum;
      }
    }
    Shape out;
    if (shape.rank() == 2 && other.shape.rank() == 2) {
      out = Shape.of(n, m);
    } else if (shape.rank() == 2) {
      out = Shape.of(n);
    } else if (other.shape.rank() == 2) {
      out = Shape.of(m);
    } else {
      out = Shape.scalar();
    }
    return new FloatTensor(out, o);
  }

  /** The transpose of a 2-D tensor (PyTorch's {@code t()}); a 1-D tensor is returned as a copy. */
  public FloatTensor t() {
    if (shape.rank() > 2) {
      throw new IllegalArgumentException("t() needs at most 2 dimensions, got shape " + shape + "; use transpose");
    }
    return shape.rank() < 2 ? copy() : transpose(0, 1);
  }

  /**
   * A copy with dimensions {@code dim0} and {@code dim1} swapped (negative values count from the end), as PyTorch's
   * {@code transpose}; the result is contiguous.
   */
  public FloatTensor transpose(int dim0, int dim1) {
    int a = normalizeDim(dim0);
    int b = normalizeDim(dim1);
    int[] dims = shape.toArray();
    int[] outDims = dims.clone();
    outDims[a] = dims[b];
    outDims[b] = dims[a];
    Shape out = Shape.of(outDims);
    int rank = dims.length;
    int[] strides = new int[rank];
    for (int i = rank - 1, s = 1; i >= 0; i--) {
      strides[i] = s;
      s *= dims[i];
    }
    int[] outStrides = strides.clone();
    outStrides[a] = strides[b];
    outStrides[b] = strides[a];
    float[] o = new float[data.length];
    int[] pos = new int[rank];
    for (int k = 0; k < o.length; k++) {
      int src = 0;
      for (int d = 0; d < rank; d++) {
        src += pos[d] * outStrides[d];
      }
      o[k] = data[src];
      for (int d = rank - 1; d >= 0 && ++pos[d] == outDims[d]; d--) {
        pos[d] = 0;
      }
    }
    return new FloatTensor(out, o);
  }

  private int normalizeDim(int dim) {
    int k = dim < 0 ? shape.rank() + dim : dim;
    if (k < 0 || k >= shape.rank()) {
      throw new IndexOutOfBoundsException(
          "dimension " + dim + " does not exist in shape " + shape + " of rank " + shape.rank());
    }
    return k;
  }

  /** The sizes before {@code dim}, of {@code dim} and after it, for reductions along one dimension. */
  private int[] outerSizeInner(int dim) {
    int k = normalizeDim(dim);
    int outer = 1;
    for (int i = 0; i < k; i++) {
      outer *= shape.dim(i);
    }
    int inner = 1;
    for (int i = k + 1; i < shape.rank(); i++) {
      inner *= shape.dim(i);
    }
    return new int[] {outer, shape.dim(k), inner};
  }

  private Shape without(int dim) {
    int k = normalizeDim(dim);
    int[] dims = shape.toArray();
    int[] out = new int[dims.length - 1];
    for (int i = 0, j = 0; i < dims.length; i++) {
      if (i != k) {
        out[j++] = dims[i];
      }
    }
    return Shape.of(out);
  }

  /**
   * The position of the largest value along {@code dim}, which is removed: {@code (B, C).argmax(1)} gives each row's
   * class, shape {@code [B]} (int64, as PyTorch). The first of equal maxima wins; NaN counts as the largest value.
   */
  public IndexTensor argmax(int dim) {
    int[] osi = outerSizeInner(dim);
    if (osi[1] == 0) {
      throw new IllegalArgumentException("argmax over dimension " + dim + " of size 0 in shape " + shape);
    }
    long[] out = new long[osi[0] * osi[2]];
    for (int o = 0; o < osi[0]; o++) {
      for (int i = 0; i < osi[2]; i++) {
        int best = 0;
        float bestValue = data[o * osi[1] * osi[2] + i];
        for (int j = 1; j < osi[1] && !Float.isNaN(bestValue); j++) {
          float v = data[(o * osi[1] + j) * osi[2] + i];
          if (v > bestValue || Float.isNaN(v)) {
            best = j;
            bestValue = v;
          }
        }
        out[o * osi[2] + i] = best;
      }
    }
    return IndexTensor.of(without(dim), out);
  }

  /** The flat (row-major) position of the largest value, as PyTorch's {@code argmax()} without a dimension. */
  public long argmax() {
    return reshape(Shape.of(data.length)).argmax(0).get(0);
  }

  /**
   * {@code exp(x) / sum(exp(x))} along {@code dim}, each slice shifted by its maximum first so that large values do
   * not overflow (PyTorch's {@code softmax(dim)}).
   */
  public FloatTensor softmax(int dim) {
    int[] osi = outerSizeInner(dim);
    float[] o = new float[data.length];
    for (int a = 0; a < osi[0]; a++) {
      for (int i = 0; i < osi[2]; i++) {
        int base = a * osi[1] * osi[2] + i;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < osi[1]; j++) {
          max = Math.max(max, data[base + j * osi[2]]);
        }
        double sum = 0;
        for (int j = 0; j < osi[1]; j++) {
          sum += Math.exp(data[base + j * osi[2]] - max);
        }
        for (int j = 0; j < osi[1]; j++) {
          o[base + j * osi[2]] = (float) (Math.exp(data[base + j * osi[2]] - max) / sum);
        }
      }
    }
    return new FloatTensor(shape, o);
  }

  /**
   * The {@code k} largest values along {@code dim} and their positions, largest first (PyTorch's {@code topk(k,
   * dim)}); ties keep the lower position first. Both results have {@code dim} of size {@code k}.
   *
   * @param values the values, shape of this tensor with {@code dim} of size {@code k}
   * @param indices their positions along {@code dim} (int64)
   */
  public record TopK(FloatTensor values, IndexTensor indices) {}

  /**
   * See {@link TopK}.
   *
   * @throws IllegalArgumentException if {@code k} is negative or larger than the size of {@code dim}
   */
  public TopK topk(int k, int dim) {
    int[] osi = outerSizeInner(dim);
    if (k < 0 || k > osi[1]) {
      throw new IllegalArgumentException(
          "topk: k = " + k + " is outside 0.." + osi[1] + " (the size of dimension " + dim + " of " + shape + ")");
    }
    int[] outDims = shape.toArray();
    outDims[normalizeDim(dim)] = k;
    Shape out = Shape.of(outDims);
    float[] values = new float[Math.toIntExact(out.numel())];
    long[] indices = new long[values.length];
    Integer[] order = new Integer[osi[1]];
    for (int a = 0; a < osi[0]; a++) {
      for (int i = 0; i < osi[2]; i++) {
        int base = a * osi[1] * osi[2] + i;
        int stride = osi[2];
        for (int j = 0; j < order.length; j++) {
          order[j] = j;
        }
        Arrays.sort(order, (x, y) -> Float.compare(data[base + y * stride], data[base + x * stride]));
        for (int j = 0; j < k; j++) {
          int at = (a * k + j) * osi[2] + i;
          values[at] = data[base + order[j] * stride];
          indices[at] = order[j];
        }
      }
    }
    return new TopK(new FloatTensor(out, values), IndexTensor.of(out, indices));
  }

  /**
   * The slices of the first dimension picked by {@code index}, as PyTorch's {@code t[index]}: shape {@code
   * index.shape() + shape[1:]}, e.g. the rows of a mini-batch.
   *
   * @throws IndexOutOfBoundsException for an index outside {@code 0 .. shape[0]-1}, naming it and its position
   */
  public FloatTensor index(IndexTensor index) {
    if (shape.rank() == 0) {
      throw new IllegalArgumentException("a scalar cannot be indexed");
    }
    int rows = shape.dim(0);
    int width = rows == 0 ? 0 : data.length / rows;
    int[] dims = shape.toArray();
    int[] rest = Arrays.copyOfRange(dims, 1, dims.length);
    Shape out = index.shape();
    for (int d : rest) {
      out = out.append(d);
    }
    float[] o = new float[index.numel() * width];
    for (int i = 0; i < index.numel(); i++) {
      System.arraycopy(data, rowOf(index, i, rows) * width, o, i * width, width);
    }
    return new FloatTensor(out, o);
  }

  /** Row {@code index[i]} after checking it against {@code rows}. */
  static int rowOf(IndexTensor index, int i, int rows) {
    long r = index.get(i);
    if (r < 0 || r >= rows) {
      throw new IndexOutOfBoundsException(
          "index " + r + " at position " + index.shape().positionOf(i) + " is out of range for dimension 0 of size "
              + rows + (rows == 0 ? "" : " (valid 0.." + (rows - 1) + ")"));
    }
    return (int) r;
  }

  /**
   * Every value, nested as in PyTorch, e.g. {@code FloatTensor([[1.0, 2.0], [3.0, 4.0]])} over two aligned lines;
   * past {@value TensorFormat#THRESHOLD} elements, the first and last 3 entries of each dimension around {@code
   * ...}, and the shape. Values print in Java's shortest exact form.
   */
  @Override
  public String toString() {
    return TensorFormat.format("FloatTensor", shape, i -> Float.toString(data[i]), "");
  }
}
