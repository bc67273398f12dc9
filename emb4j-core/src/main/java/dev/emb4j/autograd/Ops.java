package dev.emb4j.autograd;

import dev.emb4j.internal.kernel.MatrixKernels;
import dev.emb4j.tensor.Broadcast;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.SplittableRandom;

/**
 * Differentiable operations on {@link Variable}s: element-wise arithmetic, activations, reductions and the linear
 * map. Each returns a new value and, when gradients are recorded, how to push its gradient back to its inputs.
 */
public final class Ops {
  private Ops() {}

  // ---- tensor helpers ----

  /** {@code a += b} element-wise (same shapes); returns {@code a}. */
  public static FloatTensor addInPlace(FloatTensor a, FloatTensor b) {
    requireSameShape("addInPlace", a.shape(), b.shape());
    float[] x = a.data();
    float[] y = b.data();
    for (int i = 0; i < x.length; i++) {
      x[i] += y[i];
    }
    return a;
  }

  private static void requireSameShape(String op, Shape a, Shape b) {
    if (!a.equals(b)) {
      throw new IllegalArgumentException(op + " needs equal shapes, got " + a + " and " + b);
    }
  }

  private static FloatTensor map(FloatTensor a, java.util.function.IntToDoubleFunction f) {
    FloatTensor out = FloatTensor.zeros(a.shape());
    float[] o = out.data();
    for (int i = 0; i < o.length; i++) {
      o[i] = (float) f.applyAsDouble(i);
    }
    return out;
  }

  // ---- element-wise arithmetic ----

  /**
   * {@code a + b}, broadcast as in PyTorch (see {@link Broadcast}): equal shapes, or e.g. {@code (N, D) + (D)}. The
   * gradient of a broadcast input is summed over the positions it was repeated to.
   */
  public static Variable add(Variable a, Variable b) {
    if (a.shape().equals(b.shape())) {
      float[] x = a.value().data();
      float[] y = b.value().data();
      FloatTensor out = map(a.value(), i -> x[i] + y[i]);
      return Variable.fromOp(
          out,
          g -> {
            a.accumulateGrad(g);
            b.accumulateGrad(g);
          },
          false,
          a,
          b);
    }
    FloatTensor out = a.value().add(b.value());
    return Variable.fromOp(
        out,
        g -> {
          a.accumulateGrad(sumTo(g, a.shape()));
          b.accumulateGrad(sumTo(g, b.shape()));
        },
        false,
        a,
        b);
  }

  /** The gradient {@code g} of a broadcast result summed back onto an input of shape {@code in}. */
  private static FloatTensor sumTo(FloatTensor g, Shape in) {
    if (g.shape().equals(in)) {
      return g;
    }
    int[] src = Broadcast.sourceIndex(in, g.shape());
    float[] out = new float[Math.toIntExact(in.numel())];
    float[] gd = g.data();
    for (int i = 0; i < gd.length; i++) {
      out[src[i]] += gd[i];
    }
    return FloatTensor.wrap(in, out);
  }

  /** {@code a - b}, same shapes. */
  public static Variable sub(Variable a, Variable b) {
    requireSameShape("sub", a.shape(), b.shape());
    float[] x = a.value().data();
    float[] y = b.value().data();
    FloatTensor out = map(a.value(), i -> x[i] - y[i]);
    return Variable.fromOp(
        out,
        g -> {
          a.accumulateGrad(g);
          if (b.requiresGrad()) {
            float[] gd = g.data();
            b.accumulateGrad(map(g, i -> -gd[i]));
          }
        },
        false,
        a,
        b);
  }

  /** {@code a * b} element-wise, same shapes. */
  public static Variable mul(Variable a, Variable b) {
    requireSameShape("mul", a.shape(), b.shape());
    float[] x = a.value().data();
    float[] y = b.value().data();
    FloatTensor out = map(a.value(), i -> x[i] * y[i]);
    return Variable.fromOp(
        out,
        g -> {
          float[] gd = g.data();
          if (a.requiresGrad()) {
            a.accumulateGrad(map(g, i -> gd[i] * y[i]));
          }
          if (b.requiresGrad()) {
            b.accumulateGrad(map(g, i -> gd[i] * x[i]));
          }
        },
        false,
        a,
        b);
  }

  /** {@code a * s} for a constant s. */
  public static Variable scale(Variable a, double s) {
    float f = (float) s;
    float[] x = a.value().data();
    return Variable.fromOp(
        map(a.value(), i -> x[i] * f),
        g -> {
          float[] gd = g.data();
          a.accumulateGrad(map(g, i -> gd[i] * f));
        },
        false,
        a);
  }

  /** {@code a + s} for a constant s. */
  public static Variable addScalar(Variable a, double s) {
    float f = (float) s;
    float[] x = a.value().data();
    return Variable.fromOp(map(a.value(), i -> x[i] + f), a::accumulateGrad, false, a);
  }

  /**
   * {@code x + b} where {@code b} has as many elements as the last dimension of {@code x} and is added to every row
   * (broadcast over the leading dimensions).
   */
  public static Variable addRowVector(Variable x, Variable b) {
    int n = x.shape().rank() == 0 ? 1 : x.shape().dim(-1);
    if (b.value().numel() != n) {
      throw new IllegalArgumentException(
          "addRowVector needs " + n + " values (the last dimension of " + x.shape() + "), got shape " + b.shape());
    }
    float[] xv = x.value().data();
    float[] bv = b.value().data();
    FloatTensor out = map(x.value(), i -> xv[i] + bv[i % n]);
    return Variable.fromOp(
        out,
        g -> {
          x.accumulateGrad(g);
          if (b.requiresGrad()) {
            float[] gd = g.data();
            float[] db = new float[n];
            for (int i = 0; i < gd.length; i++) {
              db[i % n] += gd[i];
            }
            b.accumulateGrad(FloatTensor.wrap(b.shape(), db));
          }
        },
        false,
        x,
        b);
  }

  /**
   * Rows of {@code x} picked by {@code index}: {@code out[i] = x[index[i]]}, where a row is everything after the
   * first dimension, so {@code (N, D)} gives {@code (index.length, D)}. The gradient of a row picked several times is
   * summed.
   *
   * @throws IndexOutOfBoundsException for an index outside {@code 0 .. N-1}, naming it and its position
   */
  public static Variable indexSelect(Variable x, int[] index) {
    Shape s = x.shape();
    if (s.rank() == 0) {
      throw new IllegalArgumentException("indexSelect needs at least one dimension, got a scalar");
    }
    int n = s.dim(0);
    int width = n == 0 ? 0 : (int) (s.numel() / n);
    for (int i = 0; i < index.length; i++) {
      if (index[i] < 0 || index[i] >= n) {
        throw new IndexOutOfBoundsException(
            "index " + index[i] + " at position [" + i + "] is out of range for " + n + " rows (valid 0.." + (n - 1)
                + ")");
      }
    }
    int[] dims = s.toArray();
    dims[0] = index.length;
    float[] v = x.value().data();
    float[] out = new float[index.length * width];
    for (int i = 0; i < index.length; i++) {
      System.arraycopy(v, index[i] * width, out, i * width, width);
    }
    return Variable.fromOp(
        FloatTensor.wrap(Shape.of(dims), out),
        g -> {
          float[] gd = g.data();
          float[] dx = new float[v.length];
          for (int i = 0; i < index.length; i++) {
            int o = index[i] * width;
            for (int j = 0; j < width; j++) {
              dx[o + j] += gd[i * width + j];
            }
          }
          x.accumulateGrad(FloatTensor.wrap(s, dx));
        },
        false,
        x);
  }

  /**
   * {@code x[index]} as PyTorch indexes a tensor with a tensor of ids: the slices of the first dimension picked by
   * {@code index}, shape {@code index.shape() + x.shape()[1:]} (see {@link #indexSelect} for the gradient).
   */
  public static Variable index(Variable x, IndexTensor index) {
    Shape out = x.value().index(index).shape(); // checks every id, naming a bad one and its position
    return reshape(indexSelect(x, index.toIntArray()), out);
  }

  /** The same values with another shape of the same size. */
  public static Variable reshape(Variable x, Shape shape) {
    if (shape.numel() != x.shape().numel()) {
      throw new IllegalArgumentException("cannot reshape " + x.shape() + " to " + shape);
    }
    Shape original = x.shape();
    return Variable.fromOp(
        x.value().reshape(shape), g -> x.accumulateGrad(g.reshape(original)), false, x);
  }

  // ---- activations ----

  /** {@code max(x, 0)}; the gradient at 0 is 0, as in PyTorch. */
  public static Variable relu(Variable x) {
    float[] v = x.value().data();
    return Variable.fromOp(
        map(x.value(), i -> v[i] > 0 ? v[i] : 0f),
        g -> {
          float[] gd = g.data();
          x.accumulateGrad(map(g, i -> v[i] > 0 ? gd[i] : 0f));
        },
        false,
        x);
  }

  /** Hyperbolic tangent. */
  public static Variable tanh(Variable x) {
    float[] v = x.value().data();
    FloatTensor out = map(x.value(), i -> Math.tanh(v[i]));
    float[] y = out.data();
    return Variable.fromOp(
        out,
        g -> {
          float[] gd = g.data();
          x.accumulateGrad(map(g, i -> gd[i] * (1 - y[i] * y[i])));
        },
        false,
        x);
  }

  /** The logistic function {@code 1 / (1 + exp(-x))}. */
  public static Variable sigmoid(Variable x) {
    float[] v = x.value().data();
    FloatTensor out = map(x.value(), i -> sigmoid(v[i]));
    float[] y = out.data();
    return Variable.fromOp(
        out,
        g -> {
          float[] gd = g.data();
          x.accumulateGrad(map(g, i -> gd[i] * y[i] * (1 - y[i])));
        },
        false,
        x);
  }

  /** A numerically stable logistic function. */
  static double sigmoid(double v) {
    if (v >= 0) {
      return 1 / (1 + Math.exp(-v));
    }
    double e = Math.exp(v);
    return e / (1 + e);
  }

  /**
   * Inverted dropout: zeroes each element with probability {@code p} and scales the rest by {@code 1 / (1 - p)}, so
   * the expected value is unchanged. Draws from {@code rng}, so a seeded generator makes it reproducible.
   */
  public static Variable dropout(Variable x, double p, SplittableRandom rng) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
    }
    if (p == 0) {
      return x;
    }
    float keepScale = (float) (1 / (1 - p));
    float[] mask = new float[x.value().numel()];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = rng.nextDouble() < p ? 0f : keepScale;
    }
    float[] v = x.value().data();
    return Variable.fromOp(
        map(x.value(), i -> v[i] * mask[i]),
        g -> {
          float[] gd = g.data();
          x.accumulateGrad(map(g, i -> gd[i] * mask[i]));
        },
        false,
        x);
  }

  // ---- reductions ----

  /** The sum of all elements, as a scalar (shape {@code []}). */
  public static Variable sum(Variable x) {
    double s = 0;
    for (float v : x.value().data()) {
      s += v;
    }
    return Variable.fromOp(
        FloatTensor.of(Shape.scalar(), (float) s),
        g -> {
          float gv = g.get(0);
          x.accumulateGrad(map(x.value(), i -> gv));
        },
        false,
        x);
  }

  /** The mean of all elements, as a scalar. */
  public static Variable mean(Variable x) {
    int n = x.value().numel();
    return scale(sum(x), n == 0 ? Double.NaN : 1.0 / n);
  }

  /** Sums over dimension {@code dim} (negative counts from the end), removing it: {@code (B, L, D) -> (B, D)}. */
  public static Variable sumDim(Variable x, int dim) {
    return reduceDim(x, dim, false);
  }

  /** Averages over dimension {@code dim}, removing it, e.g. pooling a sequence of embeddings {@code (B, L, D)}. */
  public static Variable meanDim(Variable x, int dim) {
    return reduceDim(x, dim, true);
  }

  private static Variable reduceDim(Variable x, int dim, boolean mean) {
    Shape s = x.shape();
    int k = dim < 0 ? s.rank() + dim : dim;
    if (k < 0 || k >= s.rank()) {
      throw new IllegalArgumentException("dimension " + dim + " does not exist in shape " + s);
    }
    int[] dims = s.toArray();
    int outer = 1;
    for (int i = 0; i < k; i++) {
      outer *= dims[i];
    }
    int len = dims[k];
    int inner = 1;
    for (int i = k + 1; i < dims.length; i++) {
      inner *= dims[i];
    }
    int[] outDims = new int[dims.length - 1];
    for (int i = 0, j = 0; i < dims.length; i++) {
      if (i != k) {
        outDims[j++] = dims[i];
      }
    }
    float scale = mean ? (len == 0 ? Float.NaN : 1f / len) : 1f;
    float[] v = x.value().data();
    float[] out = new float[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int l = 0; l < len; l++) {
        int base = (o * len + l) * inner;
        for (int i = 0; i < inner; i++) {
          out[o * inner + i] += v[base + i];
        }
      }
    }
    if (mean) {
      for (int i = 0; i < out.length; i++) {
        out[i] *= scale;
      }
    }
    int fOuter = outer;
    int fInner = inner;
    return Variable.fromOp(
        FloatTensor.wrap(Shape.of(outDims), out),
        g -> {
          float[] gd = g.data();
          float[] dx = new float[v.length];
          for (int o = 0; o < fOuter; o++) {
            for (int l = 0; l < len; l++) {
              int base = (o * len + l) * fInner;
              for (int i = 0; i < fInner; i++) {
                dx[base + i] = gd[o * fInner + i] * scale;
              }
            }
          }
          x.accumulateGrad(FloatTensor.wrap(s, dx));
        },
        false,
        x);
  }

  // ---- matrices ----

  /** The matrix product {@code (n, k) @ (k, m) -> (n, m)} of two 2-D values (PyTorch's {@code matmul}). */
  public static Variable matmul(Variable a, Variable b) {
    if (a.shape().rank() != 2 || b.shape().rank() != 2) {
      throw new IllegalArgumentException("Ops.matmul takes 2-D values, got " + a.shape() + " and " + b.shape());
    }
    FloatTensor out = a.value().matmul(b.value());
    return Variable.fromOp(
        out,
        g -> {
          if (a.requiresGrad()) {
            a.accumulateGrad(g.matmul(b.value().t())); // dA = G B^T
          }
          if (b.requiresGrad()) {
            b.accumulateGrad(a.value().t().matmul(g)); // dB = A^T G
          }
        },
        false,
        a,
        b);
  }

  /** The transpose of a 2-D value (PyTorch's {@code t()}). */
  public static Variable t(Variable x) {
    if (x.shape().rank() != 2) {
      throw new IllegalArgumentException("Ops.t takes a 2-D value, got " + x.shape());
    }
    return Variable.fromOp(x.value().t(), g -> x.accumulateGrad(g.t()), false, x);
  }

  /**
   * The softmax along the last dimension (PyTorch's {@code softmax(x, dim=-1)}); for a loss on class scores prefer
   * {@code CrossEntropyLoss}, which is exact for large logits.
   */
  public static Variable softmax(Variable x) {
    FloatTensor y = x.value().softmax(-1);
    int n = x.shape().rank() == 0 ? 1 : x.shape().dim(-1);
    float[] yd = y.data();
    return Variable.fromOp(
        y,
        g -> {
          // dx = y * (g - sum(g * y)) per slice
          float[] gd = g.data();
          float[] dx = new float[yd.length];
          for (int base = 0; base < yd.length; base += n) {
            double dot = 0;
            for (int j = 0; j < n; j++) {
              dot += (double) gd[base + j] * yd[base + j];
            }
            for (int j = 0; j < n; j++) {
              dx[base + j] = (float) (yd[base + j] * (gd[base + j] - dot));
            }
          }
          x.accumulateGrad(FloatTensor.wrap(x.shape(), dx));
        },
        false,
        x);
  }

  // ---- linear map ----

  /**
   * {@code x @ w^T + b}: {@code x} has shape {@code (..., in)}, {@code w} {@code (out, in)} (PyTorch's layout), {@code
   * b} {@code out} values or null; the result has shape {@code (..., out)}.
   */
  public static Variable linear(Variable x, Variable w, Variable b) {
    Shape xs = x.shape();
    if (w.shape().rank() != 2) {
      throw new IllegalArgumentException("linear weight must be 2-D (out, in), got " + w.shape());
    }
    int out = w.shape().dim(0);
    int in = w.shape().dim(1);
    if (xs.rank() == 0 || xs.dim(-1) != in) {
      throw new IllegalArgumentException(
          "linear layer expects inputs of shape (..., " + in + "), got " + xs);
    }
    if (b != null && b.value().numel() != out) {
      throw new IllegalArgumentException("linear bias must have " + out + " values, got shape " + b.shape());
    }
    int n = (int) (xs.numel() / in);
    float[] xv = x.value().data();
    float[] wv = w.value().data();
    float[] y = new float[n * out];
    MatrixKernels.matmulTransposedB(xv, wv, b == null ? null : b.value().data(), y, n, in, out);
    Shape ys = xs.dropLast().append(out);
    Variable[] inputs = b == null ? new Variable[] {x, w} : new Variable[] {x, w, b};
    return Variable.fromOp(
        FloatTensor.wrap(ys, y),
        g -> {
          float[] gd = g.data();
          if (x.requiresGrad()) {
            float[] dx = new float[xv.length];
            MatrixKernels.matmulAccumulate(gd, wv, dx, n, in, out);
            x.accumulateGrad(FloatTensor.wrap(xs, dx));
          }
          if (w.requiresGrad()) {
            float[] dw = new float[wv.length];
            MatrixKernels.matmulTransposedAAccumulate(gd, xv, dw, n, in, out);
            w.accumulateGrad(FloatTensor.wrap(w.shape(), dw));
          }
          if (b != null && b.requiresGrad()) {
            float[] db = new float[out];
            for (int r = 0; r < n; r++) {
              for (int o = 0; o < out; o++) {
                db[o] += gd[r * out + o];
              }
            }
            b.accumulateGrad(FloatTensor.wrap(b.shape(), db));
          }
        },
        false,
        inputs);
  }
}
