package dev.emb4j.nn;

import dev.emb4j.autograd.GradMode;
import dev.emb4j.autograd.Variable;
import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.Objects;

/**
 * A lookup table of {@code V} rows of {@code D} floats, with the semantics of PyTorch's {@code nn.Embedding}: a
 * lookup with ids of shape {@code S} returns the rows {@code W[ids]} as a tensor of shape {@code S + [D]} (equal to
 * {@code oneHot(ids) @ W}), and the backward pass adds each output gradient row into the row it came from.
 *
 * <pre>{@code
 * try (Embedding emb = Embedding.builder(10, 3).paddingIdx(0).initializer(Initializer.normal(42)).build()) {
 *   Variable rows = emb.forward(IndexTensor.of(1, 2, 3));       // shape [3, 3], recorded for backward
 *   Ops.sum(rows).backward();                                   // emb.grad(): 1 in rows 1, 2 and 3
 *   FloatTensor plain = emb.lookup(IndexTensor.of(1, 2, 3));    // the same values, nothing recorded
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
public final class Embedding extends EmbeddingTable {

  private Embedding(TableCore core) {
    super(core);
  }

  /**
   * A fresh, trainable table of {@code numEmbeddings x embeddingDim} with PyTorch's defaults, as {@code
   * nn.Embedding(num_embeddings, embedding_dim)}: {@code builder(numEmbeddings, embeddingDim).build()}.
   */
  public Embedding(long numEmbeddings, int embeddingDim) {
    this(builder(numEmbeddings, embeddingDim).buildCore("Embedding"));
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
   * Looks up the rows of {@code indices} as a graph operation, PyTorch's {@code emb(indices)}: the result has shape
   * {@code indices.shape() + [D]} and, when gradients are enabled and the table is not frozen, backpropagating
   * through it calls {@link #backward} with the output's gradient. With {@code maxNorm} set, the looked-up rows are
   * first renormalised in place (PyTorch's {@code max_norm}).
   *
   * @throws IndexOutOfBoundsException if an id is negative or {@code >= V}; nothing is changed then
   */
  @Override
  public Variable forward(IndexTensor indices) {
    FloatTensor out = gather(indices);
    if (!GradMode.isEnabled()) {
      core.noteUnrecorded(TableCore.UNRECORDED_DISABLED);
    }
    return Variable.fromOp(out, g -> backward(indices, g), !core.frozen);
  }

  /**
   * The rows of {@code indices} as a plain tensor, recording nothing (PyTorch's {@code emb.weight[indices]} under
   * {@code no_grad}): for inference and for code that calls {@link #backward} itself. The result has shape {@code
   * indices.shape() + [D]} and is a new tensor; maxNorm applies as in {@link #forward}.
   *
   * @throws IndexOutOfBoundsException if an id is negative or {@code >= V}; nothing is changed then
   */
  public FloatTensor lookup(IndexTensor indices) {
    FloatTensor out = gather(indices);
    noteLookup();
    return out;
  }

  private FloatTensor gather(IndexTensor indices) {
    long[] ids = core.checkedIds(indices, "indices");
    float[] out = new float[core.outputLength(ids.length, "the lookup output")];
    core.withRenorm(ids, () -> Kernels.gatherRows(core.store, ids, out));
    return FloatTensor.wrap(indices.shape().append(core.dim), out);
  }

  /**
   * {@link #lookup(IndexTensor)} into the caller's tensor {@code out}, which must have shape {@code indices.shape() +
   * [D]}: its values are overwritten and it is returned. Records nothing and allocates nothing: for loops that reuse
   * one output buffer.
   *
   * @throws IndexOutOfBoundsException if an id is negative or {@code >= V}
   * @throws IllegalArgumentException if {@code out} has another shape; in both cases nothing is changed
   */
  public FloatTensor lookupInto(IndexTensor indices, FloatTensor out) {
    long[] ids = core.checkedIds(indices, "indices");
    Objects.requireNonNull(out, "out");
    Shape expected = indices.shape().append(core.dim);
    if (!out.shape().equals(expected)) {
      throw new IllegalArgumentException(
          "out has shape " + out.shape() + " but a lookup of indices of shape " + indices.shape()
              + " has output shape " + expected);
    }
    core.withRenorm(ids, () -> Kernels.gatherRows(core.store, ids, out.data()));
    noteLookup();
    return out;
  }

  private void noteLookup() {
    if (!core.frozen && GradMode.isEnabled()) {
      core.noteUnrecorded(TableCore.UNRECORDED_LOOKUP);
    }
  }

  /**
   * Adds the gradient of a lookup into this table's gradient (see {@link #grad()}): row {@code indices[p]} receives
   * {@code gradOutput[p, :]}, except padding rows, which receive nothing; with {@code scaleGradByFreq} each
   * contribution is divided by the number of times its id occurs in {@code indices}. A frozen table ignores the call.
   *
   * <p>A sparse table's gradient refers to the rows of {@code gradOutput} instead of copying them (see {@link
   * dev.emb4j.autograd.SparseGradient#ofRows}): leave {@code gradOutput} unchanged until the optimizer step.
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
    float[] scales = core.scaleGradByFreq ? TableCore.inverseFrequencies(ids) : null;
    if (core.sparse) {
      core.appendSparse(ids, g, null, scales);
      return;
    }
    int[] srcRows = new int[ids.length];
    for (int i = 0; i < srcRows.length; i++) {
      srcRows[i] = i;
    }
    Kernels.scatterAddRows(core.denseGradient(), ids, g, srcRows, scales, core.paddingIdx);
  }

  /** For example {@code Embedding(10, 3, paddingIdx=0)}: the size and the options that differ from the defaults. */
  @Override
  public String toString() {
    return "Embedding(" + core.rows + ", " + core.dim + core.describeOptions() + ")";
  }
}
