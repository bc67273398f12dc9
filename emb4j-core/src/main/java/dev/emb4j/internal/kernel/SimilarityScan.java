package dev.emb4j.internal.kernel;

/**
 * The inner loop of the exact nearest-neighbour search ({@code search.NearestNeighbors}): the dot products of a run of
 * rows with a query, on the Vector API when {@link Kernels} uses it, else on the scalar twin.
 *
 * <p>Rows are stored at a {@link #stride} of a multiple of {@link #ROW_ALIGN} floats, zero-padded, and the query is
 * padded the same way: the padding adds {@code 0 * 0} to the sums, so no vector loop needs a scalar tail. Both twins
 * sum in the vector order ({@link ScalarScan} emulates the lanes), so a search gives the same scores, bit for bit,
 * with or without the Vector API at a given vector width; the scalar fallback emulates {@value #SCALAR_LANES} lanes.
 */
public final class SimilarityScan {
  private SimilarityScan() {}

  /** Row strides are a multiple of this many floats (64 bytes: a cache line, and the widest vector). */
  public static final int ROW_ALIGN = 16;

  /** The lanes the scalar implementation emulates when the Vector API is not in use. */
  static final int SCALAR_LANES = 8;

  private static final ScanSupport IMPL =
      KernelProvider.IMPL.getClass() == ScalarKernels.class ? new ScalarScan(SCALAR_LANES) : new PanamaScan();

  /** The row stride for rows of {@code dim} floats: {@code dim} rounded up to a multiple of {@link #ROW_ALIGN}. */
  public static int stride(int dim) {
    if (dim < 1 || dim > Integer.MAX_VALUE - ROW_ALIGN) {
      throw new IllegalArgumentException("dim must be in 1.." + (Integer.MAX_VALUE - ROW_ALIGN) + ", got " + dim);
    }
    return (dim + ROW_ALIGN - 1) & -ROW_ALIGN;
  }

  /**
   * {@code out[i] = dot(row first + i, q)} for {@code i < count}, over rows stored at {@code stride} floats.
   *
   * @param rows the rows, zero-padded to {@code stride}
   * @param first the first row
   * @param count how many rows
   * @param stride a value {@link #stride} returned
   * @param q the query, {@code stride} floats, zero-padded
   * @param out receives the {@code count} dot products
   */
  public static void dotRows(float[] rows, int first, int count, int stride, float[] q, float[] out) {
    if (stride % ROW_ALIGN != 0 || q.length < stride || first < 0 || count < 0 || out.length < count
        || (first + (long) count) * stride > rows.length) {
      throw new IllegalArgumentException(
          "rows " + first + "+" + count + " at stride " + stride + " do not fit " + rows.length + " floats, a query of "
              + q.length + " and " + out.length + " outputs");
    }
    IMPL.dotRows(rows, first, count, stride, q, out);
  }

  /** The name of the implementation in use ({@code ScalarScan} or {@code PanamaScan}). */
  public static String implementationName() {
    return IMPL.getClass().getSimpleName();
  }
}
