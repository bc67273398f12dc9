package dev.emb4j.tensor;

/**
 * NumPy's (and PyTorch's) broadcasting rule for element-wise operations on two shapes: align them at the last
 * dimension; each pair of sizes must be equal or one of them 1 (a missing leading dimension counts as 1); the result
 * takes the larger size. For example {@code [4, 3] + [3] = [4, 3]} and {@code [2, 1] + [1, 5] = [2, 5]}.
 */
public final class Broadcast {
  private Broadcast() {}

  /**
   * The shape of {@code a op b}.
   *
   * @throws IllegalArgumentException if the shapes do not broadcast, naming both
   */
  public static Shape shape(Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = sizeFromEnd(a, rank - 1 - i);
      int db = sizeFromEnd(b, rank - 1 - i);
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(
            "shapes " + a + " and " + b + " do not broadcast: sizes " + da + " and " + db + " at dimension " + i
                + " of the result differ and neither is 1");
      }
      out[i] = da == 1 ? db : da;
    }
    return Shape.of(out);
  }

  private static int sizeFromEnd(Shape s, int fromEnd) {
    return fromEnd < s.rank() ? s.dim(s.rank() - 1 - fromEnd) : 1;
  }

  /**
   * For each element of a tensor of shape {@code out} (row-major), the flat index of the element of {@code in} that
   * broadcasting reads there; {@code in} must broadcast to {@code out}.
   */
  public static int[] sourceIndex(Shape in, Shape out) {
    int n = Math.toIntExact(out.numel());
    int rank = out.rank();
    int[] inStride = new int[rank];
    int stride = 1;
    for (int i = rank - 1; i >= 0; i--) {
      int size = sizeFromEnd(in, rank - 1 - i);
      inStride[i] = size == 1 ? 0 : stride;
      stride *= size;
    }
    int[] index = new int[n];
    int[] pos = new int[rank];
    int src = 0;
    for (int k = 0; k < n; k++) {
      index[k] = src;
      // advance the row-major position, as an odometer
      for (int d = rank - 1; d >= 0; d--) {
        pos[d]++;
        src += inStride[d];
        if (pos[d] < out.dim(d)) {
          break;
        }
        src -= inStride[d] * pos[d];
        pos[d] = 0;
      }
    }
    return index;
  }
}
