package dev.emb4j.kernel;

/**
 * Dense row-major matrix products for the layers around an embedding ({@code Linear} forward and backward). Plain
 * loops with independent accumulators, in the order that keeps both operands streaming through memory.
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
        int wo = o * in;
        for (int j = 0; j < in; j++) {
          dx[xo + j] += s * w[wo + j];
        }
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
        int wo = o * in;
        for (int j = 0; j < in; j++) {
          dw[wo + j] += s * x[xo + j];
        }
      }
    }
  }

  /** The dot product of {@code a[ao .. ao+len)} and {@code b[bo .. bo+len)} with four independent accumulators. */
  public static float dot(float[] a, int ao, float[] b, int bo, int len) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    for (; j + 3 < len; j += 4) {
      s0 += a[ao + j] * b[bo + j];
      s1 += a[ao + j + 1] * b[bo + j + 1];
      s2 += a[ao + j + 2] * b[bo + j + 2];
      s3 += a[ao + j + 3] * b[bo + j + 3];
    }
    // scalar tail
    for (; j < len; j++) {
      s0 += a[ao + j] * b[bo + j];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
