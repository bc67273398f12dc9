package dev.emb4j.nn;

import dev.emb4j.autograd.DenseGradient;
import dev.emb4j.autograd.GradMode;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.autograd.Variable;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.util.Arrays;
import java.util.Optional;

/**
 * A small dense parameter held in one {@code float[]} (a {@link Linear} weight or bias), with a dense gradient of the
 * same size. The arrays are exposed to the layers that compute with them; optimizers see them as row stores.
 */
public final class DenseParameter implements Parameter {
  private final String name;
  private final int rows;
  private final int dim;
  private final Shape shape;
  private final float[] value;
  private final float[] grad;
  private final RowStore valueStore;
  private final DenseGradient gradient;
  private boolean requiresGrad = true;
  private boolean hasGrad;

  /** A zero-filled parameter of {@code rows x dim}. */
  public DenseParameter(String name, int rows, int dim) {
    this(name, rows, dim, Shape.of(rows, dim));
  }

  private DenseParameter(String name, int rows, int dim, Shape shape) {
    if (rows <= 0 || dim <= 0) {
      throw new IllegalArgumentException("parameter " + name + " needs a positive shape, got " + rows + " x " + dim);
    }
    this.name = name;
    this.rows = rows;
    this.dim = dim;
    this.shape = shape;
    this.value = new float[Math.multiplyExact(rows, dim)];
    this.grad = new float[value.length];
    this.valueStore = HeapRowStore.wrap(value, dim);
    this.gradient = new DenseGradient(HeapRowStore.wrap(grad, dim));
  }

  /** A zero-filled 1-D parameter of {@code n} values (a bias): one row of {@code n}, of shape {@code [n]}. */
  public static DenseParameter vector(String name, int n) {
    return new DenseParameter(name, 1, n, Shape.of(n));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Shape shape() {
    return shape;
  }

  /** Rows. */
  public int rows() {
    return rows;
  }

  /** Floats per row. */
  public int dim() {
    return dim;
  }

  /** The values, row-major (the live array). */
  public float[] data() {
    return value;
  }

  /** The gradient array, row-major; callers that add to it must call {@link #markGrad()}. */
  public float[] gradData() {
    return grad;
  }

  /** Records that a backward pass wrote into {@link #gradData()}. */
  public void markGrad() {
    hasGrad = true;
  }

  /** The values as a {@code (rows, dim)} tensor sharing the array. */
  public FloatTensor tensor() {
    return FloatTensor.wrap(Shape.of(rows, dim), value);
  }

  /**
   * This parameter as a graph leaf: its gradient is added into {@link #gradData()}. A constant when the parameter is
   * frozen or gradients are disabled.
   */
  public Variable variable() {
    if (!requiresGrad || !GradMode.isEnabled()) {
      return Variable.constant(tensor());
    }
    return Variable.sink(
        tensor(),
        g -> {
          float[] src = g.data();
          for (int i = 0; i < grad.length; i++) {
            grad[i] += src[i];
          }
          hasGrad = true;
        });
  }

  /** Freezes or unfreezes the parameter. */
  public void setRequiresGrad(boolean requiresGrad) {
    this.requiresGrad = requiresGrad;
    if (!requiresGrad) {
      zeroGrad();
    }
  }

  @Override
  public RowStore value() {
    return valueStore;
  }

  @Override
  public Optional<TableGradient> grad() {
    return hasGrad ? Optional.of(gradient) : Optional.empty();
  }

  @Override
  public void zeroGrad() {
    if (hasGrad) {
      Arrays.fill(grad, 0f);
      hasGrad = false;
    }
  }

  @Override
  public boolean requiresGrad() {
    return requiresGrad;
  }

  @Override
  public String toString() {
    return name + ": " + shape;
  }
}
