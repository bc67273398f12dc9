package dev.emb4j.optim;

import dev.emb4j.autograd.DenseGradient;
import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.util.Optional;

/** A parameter over any row store whose gradient the test sets directly. */
final class TestParameter implements Parameter {
  private final String name;
  private final RowStore value;
  private TableGradient grad;
  private boolean requiresGrad = true;

  TestParameter(String name, RowStore value) {
    this.name = name;
    this.value = value;
  }

  /** A heap parameter holding a copy of {@code rows}. */
  static TestParameter of(String name, float[][] rows) {
    HeapRowStore s = HeapRowStore.allocate(rows.length, rows[0].length);
    for (int r = 0; r < rows.length; r++) {
      s.writeRow(r, rows[r], 0);
    }
    return new TestParameter(name, s);
  }

  /** Sets a sparse gradient: {@code values[i]} for row {@code indices[i]}. */
  TestParameter sparseGrad(long[] indices, float[][] values) {
    int d = value.dim();
    float[] flat = new float[indices.length * d];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(values[i], 0, flat, i * d, d);
    }
    grad = new SparseGradient(value.rows(), d, indices.clone(), FloatTensor.wrap(Shape.of(indices.length, d), flat));
    return this;
  }

  /** Sets a dense gradient equal to the given sparse one summed into a {@code V x D} matrix. */
  TestParameter denseGrad(long[] indices, float[][] values) {
    HeapRowStore g = HeapRowStore.allocate(value.rows(), value.dim());
    for (int i = 0; i < indices.length; i++) {
      g.addToRow(indices[i], 1f, values[i], 0);
    }
    grad = new DenseGradient(g);
    return this;
  }

  void setGrad(TableGradient grad) {
    this.grad = grad;
  }

  void setRequiresGrad(boolean requiresGrad) {
    this.requiresGrad = requiresGrad;
  }

  float[][] rows() {
    float[][] out = new float[(int) value.rows()][value.dim()];
    for (int r = 0; r < out.length; r++) {
      value.readRow(r, out[r], 0);
    }
    return out;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public RowStore value() {
    return value;
  }

  @Override
  public Optional<TableGradient> grad() {
    return Optional.ofNullable(grad);
  }

  @Override
  public void zeroGrad() {
    grad = null;
  }

  @Override
  public boolean requiresGrad() {
    return requiresGrad;
  }
}
