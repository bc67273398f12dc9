package dev.emb4j.internal.kernel;

/**
 * Dense row-major matrix products for the layers around an embedding ({@code Linear} forward and backward), in the
 * loop order that keeps both operands streaming through memory. The inner dot products and row updates run on the
 * kernels {@link Kernels} chose (Vector API when enabled): the updates give the same floats either way, the dot
 * products differ in the last bits because the vector version sums in another order.
 */
public final class MatrixKernels {
  private MatrixKernels() {}

  /**
   * {@code y[n, out] = x[n, in] @ w[out, in]^T (+ bias[out])}: the forward pass of a linear layer, one dot product of
   * two contiguous rows per output. {@code bias} may be null.
   */
  public static void matmulTransposedB(float[] x, float[] w, float[] bias, float[] y, int n, int in, int out) {
    for (int r = 0; r < n; r++) {
      int xo = r * in;
      int yo = r * out;
      for (int o = 0; o < out; o++) {
        y[yo + o] = dot(x, xo, w, o * in, in) + (bias == null ? 0f : bias[o]);
      }
    }
  }

  /** {@code dx[n, in] += g[n, out] @ w[out, in]}: the input gradient of a linear layer. */
  public static void matmulAccumulate(float[] g, float[] w, float[] dx, int n, int in, int out) {
    for (int r = 0; r < n; r++) {
      int go = r * out;
      int xo = r * in;
      for (int o = 0; o < out; o++) {
        float s = g[go + o];
        if (s == 0f) {
          continue;
        }
        KernelProvider.IMPL.axpy(s, w, o * in, dx, xo, in);
      }
    }
  }

  /** {@code dw[out, in] += g[n, out]^T @ x[n, in]}: the weight gradient of a linear layer. */
  public static void matmulTransposedAAccumulate(float[] g, float[] x, float[] dw, int n, int in, int out) {
    for (int r = 0; r < n; r++) {
      int go = r * out;
      int xo = r * in;
      for (int o = 0; o < out; o++) {
        float s = g[go + o];
        if (s == 0f) {
          continue;
        }
        KernelProvider.IMPL.axpy(s, x, xo, dw, o * in, in);
      }
    }
  }

  /** The dot product of {@code a[ao .. ao+len)} and {@code b[bo .. bo+len)}. */
  public static float dot(float[] a, int ao, float[] b, int bo, int len) {
    return KernelProvider.IMPL.dot(a, ao, b, bo, len);
  }
}
