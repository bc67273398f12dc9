package dev.emb4j.nn;

import dev.emb4j.autograd.TableGradient;
import dev.emb4j.autograd.Variable;
import dev.emb4j.kernel.Kernels;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A lookup table of {@code V} rows of {@code D} floats, with the semantics of PyTorch's {@code nn.Embedding}: a
 * lookup with ids of shape {@code S} returns the rows {@code W[ids]} as a tensor of shape {@code S + [D]} (equal to
 * {@code oneHot(ids) @ W}), and the backward pass adds each output gradient row into the row it came from.
 *
 * <pre>{@code
 * try (Embedding emb = Embedding.builder(10, 3).paddingIdx(0).initializer(Initializer.normal(42)).build()) {
 *   FloatTensor rows = emb.forward(IndexTensor.of(1, 2, 3));       // shape [3, 3]
 *   emb.backward(IndexTensor.of(1, 2, 3), FloatTensor.zeros(rows.shape()));
 * }
 * }</pre>
 *
 * <p>Every argument is checked before anything changes: a call with a bad id throws {@link IndexOutOfBoundsException}
 * naming the id, its position and the valid range, and leaves the table (max-norm included) and its gradient as they
 * were.
 *
 * <p>Threads: lookups are safe from many threads at once; with {@code maxNorm} set they renormalise rows in place and
 * take the table's lock. {@link #backward}, {@link #zeroGrad} and updates of the weights must not run concurrently
 * with each other or with lookups.
 */
public final class Embedding implements Module, AutoCloseable {
  private final TableCore core;
  private final Parameter weightParameter;

  private Embedding(TableCore core) {
    this.core = core;
    this.weightParameter = new TableParameter("weight", core);
  }

  /** A fresh, trainable table of {@code numEmbeddings x embeddingDim}, filled by the builder's initializer. */
  public static Builder builder(long numEmbeddings, int embeddingDim) {
    return new Builder(numEmbeddings, embeddingDim, null, null, false);
  }

  /**
   * A table holding a copy of {@code weights} (shape {@code (V, D)}), frozen unless {@code freeze(false)} is set. The
   * padding row, if any, is kept as given, not zeroed. NaN or infinite values are rejected.
   */
  public static Builder fromPretrained(FloatTensor weights) {
    long[] vd = TableBuilder.pretrainedShape(weights);
    return new Builder(vd[0], (int) vd[1], weights, null, true);
  }

  /** {@link #fromPretrained(FloatTensor)} from a rectangular {@code float[V][D]}. */
  public static Builder fromPretrained(float[][] weights) {
    return fromPretrained(FloatTensor.fromArray(weights));
  }

  /**
   * A table over the caller's own rows, without a copy: lookups read {@code store} and training writes it. Frozen
   * unless {@code freeze(false)} is set. The values are used as they are (not scanned for NaN).
   */
  public static Builder wrap(RowStore store) {
    return new Builder(store.rows(), store.dim(), null, store, true);
  }

  /** Options of an {@link Embedding}; see {@link TableBuilder} for each one. */
  public static final class Builder extends TableBuilder<Builder> {
    Builder(long v, int d, FloatTensor pretrained, RowStore wrapped, boolean freeze) {
      super(v, d, pretrained, wrapped, freeze);
    }

    /** Checks the options and creates the table. */
    public Embedding build() {
      return new Embedding(buildCore("Embedding"));
    }
  }

  /**
   * Looks up the rows of {@code indices}: the result has shape {@code indices.shape() + [D]} and is a new tensor.
   * With {@code maxNorm} set, the looked-up rows are first renormalised in place (PyTorch's {@code max_norm}).
   *
   * @throws IndexOutOfBoundsException if an id is negative or {@code >= V}; nothing is changed then
   */
  public FloatTensor forward(IndexTensor indices) {
    long[] ids = core.checkedIds(indices, "indices");
    float[] out = new float[core.outputLength(ids.length, "the lookup output")];
    core.withRenorm(ids, () -> Kernels.gatherRows(core.store, ids, out));
    return FloatTensor.wrap(indices.shape().append(core.dim), out);
  }

  /**
   * {@link #forward} as a graph operation: backpropagating through the result calls {@link #backward} with the
   * output's gradient (nothing is recorded for a frozen table or with gradients disabled).
   */
  public Variable apply(IndexTensor indices) {
    FloatTensor out = forward(indices);
    return Variable.fromOp(out, g -> backward(indices, g), !core.frozen);
  }

  /**
   * Adds the gradient of a lookup into this table's gradient (see {@link #grad()}): row {@code indices[p]} receives
   * {@code gradOutput[p, :]}, except padding rows, which receive nothing; with {@code scaleGradByFreq} each
   * contribution is divided by the number of times its id occurs in {@code indices}. A frozen table ignores the call.
   *
   * @throws IllegalArgumentException if {@code gradOutput} does not have shape {@code indices.shape() + [D]}
   * @throws IndexOutOfBoundsException if an id is out of range
   */
  public void backward(IndexTensor indices, FloatTensor gradOutput) {
    long[] ids = core.checkedIds(indices, "indices");
    Objects.requireNonNull(gradOutput, "gradOutput");
    if (!gradOutput.shape().equals(indices.shape().append(core.dim))) {
      throw new IllegalArgumentException(
          "gradOutput has shape " + gradOutput.shape() + " but a lookup of indices of shape " + indices.shape()
              + " has output shape " + indices.shape().append(core.dim));
    }
    if (core.frozen) {
      return;
    }
    float[] g = gradOutput.data();
    if (core.sparse) {
      appendSparse(ids, g);
      return;
    }
    int[] srcRows = new int[ids.length];
    for (int i = 0; i < srcRows.length; i++) {
      srcRows[i] = i;
    }
    float[] scales = core.scaleGradByFreq ? TableCore.inverseFrequencies(ids) : null;
    Kernels.scatterAddRows(core.denseGradient(), ids, g, srcRows, scales, core.paddingIdx);
  }

  private void appendSparse(long[] ids, float[] g) {
    int d = core.dim;
    int kept = 0;
    for (long k : ids) {
      if (k != core.paddingIdx) {
        kept++;
      }
    }
    long[] keptIds = new long[kept];
    float[] values = new float[kept * d];
    int u = 0;
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] != core.paddingIdx) {
        keptIds[u] = ids[i];
        System.arraycopy(g, i * d, values, u * d, d);
        u++;
      }
    }
    core.appendSparse(keptIds, values);
  }

  /** The gradient accumulated since the last {@link #zeroGrad()}, if any backward pass ran (never on a frozen table). */
  public Optional<TableGradient> grad() {
    return core.grad();
  }

  /** Forgets the accumulated gradient. */
  @Override
  public void zeroGrad() {
    core.zeroGrad();
  }

  /** The table's weight as the one parameter of this module, named {@code "weight"}. */
  @Override
  public List<Parameter> parameters() {
    return List.of(weightParameter);
  }

  /** The weight rows (a live view: writes change the table). */
  public RowStore weight() {
    return core.store;
  }

  /** A {@code (V, D)} copy of the weights, for small tables. */
  public FloatTensor weightTensor() {
    return core.store.toTensor();
  }

  /** V. */
  public long numEmbeddings() {
    return core.rows;
  }

  /** D. */
  public int embeddingDim() {
    return core.dim;
  }

  /** The normalised (non-negative) padding row, if one is set. */
  public OptionalLong paddingIdx() {
    return core.paddingIdxOption();
  }

  /** The max-norm, if set. */
  public OptionalDouble maxNorm() {
    return core.maxNormOption();
  }

  /** The p of the max-norm's p-norm. */
  public double normType() {
    return core.normType;
  }

  /** Whether gradients are divided by id frequency. */
  public boolean scaleGradByFreq() {
    return core.scaleGradByFreq;
  }

  /** Whether the gradient is sparse. */
  public boolean sparse() {
    return core.sparse;
  }

  /** Whether the table takes no gradient. */
  public boolean frozen() {
    return core.frozen;
  }

  /** Frees off-heap rows (tables over wrapped memory leave it to its owner). */
  @Override
  public void close() {
    core.close();
  }

  /** For example {@code Embedding(10, 3, paddingIdx=0)}: the size and the options that differ from the defaults. */
  @Override
  public String toString() {
    return "Embedding(" + core.rows + ", " + core.dim + core.describeOptions() + ")";
  }
}
