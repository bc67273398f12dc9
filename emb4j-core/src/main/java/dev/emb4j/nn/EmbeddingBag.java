package dev.emb4j.nn;

import dev.emb4j.autograd.GradMode;
import dev.emb4j.autograd.Variable;
import dev.emb4j.autograd.Variable.Backward;
import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.Objects;
import java.util.Optional;

/**
 * A table whose lookups pool a bag of rows into one, with the semantics of PyTorch's {@code nn.EmbeddingBag}: the
 * sum, mean or element-wise max of each bag's rows, without materialising the individual rows.
 *
 * <p>Bags are given either as a 2-D input {@code (B, L)}, one bag per row, or as a 1-D input with {@code offsets}
 * saying where each bag starts (CSR style when {@code includeLastOffset} is set, with a final offset equal to the
 * input length). Padding ids are left out of sums, means (and the mean's divisor) and maxima; an empty or all-padding
 * bag gives a zero row. With {@link BagMode#SUM}, optional per-sample weights scale each row.
 *
 * <pre>{@code
 * EmbeddingBag bag = EmbeddingBag.builder(1000, 64).mode(BagMode.SUM).build();
 * Variable pooled = bag.forward(IndexTensor.of(3, 1, 4, 1, 5), IndexTensor.of(0, 2)); // bags [3, 1], [4, 1, 5]
 * Ops.sum(pooled).backward();                                                      // pooled: shape [2, 64]
 * BagResult r = bag.lookup(IndexTensor.of(3, 1, 4, 1, 5), IndexTensor.of(0, 2));   // records nothing
 * }</pre>
 *
 * <p>Every argument is checked before anything changes (offsets, shapes, ids), with messages that name the value and
 * its position. Thread safety is as for {@link Embedding}.
 */
public final class EmbeddingBag extends EmbeddingTable {
  private final BagMode mode;
  private final boolean includeLastOffset;

  private EmbeddingBag(TableCore core, BagMode mode, boolean includeLastOffset) {
    super(core);
    this.mode = mode;
    this.includeLastOffset = includeLastOffset;
  }

  /**
   * A fresh, trainable bag of {@code numEmbeddings x embeddingDim} with PyTorch's defaults (mode {@link
   * BagMode#MEAN}), as {@code nn.EmbeddingBag(num_embeddings, embedding_dim)}: {@code builder(numEmbeddings,
   * embeddingDim).build()}.
   */
  public EmbeddingBag(long numEmbeddings, int embeddingDim) {
    this(builder(numEmbeddings, embeddingDim).build());
  }

  /** Takes over the state of a bag just built, which is then dropped. */
  private EmbeddingBag(EmbeddingBag built) {
    this(built.core, built.mode, built.includeLastOffset);
  }

  /** A fresh, trainable table of {@code numEmbeddings x embeddingDim}; mode {@link BagMode#MEAN} unless set. */
  public static Builder builder(long numEmbeddings, int embeddingDim) {
    return new Builder(numEmbeddings, embeddingDim, null, null, false);
  }

  /** A bag over a copy of {@code weights} {@code (V, D)}, frozen unless {@code freeze(false)} is set. */
  public static Builder fromPretrained(FloatTensor weights) {
    long[] vd = TableBuilder.pretrainedShape(weights);
    return new Builder(vd[0], (int) vd[1], weights, null, true);
  }

  /** {@link #fromPretrained(FloatTensor)} from a rectangular {@code float[V][D]}. */
  public static Builder fromPretrained(float[][] weights) {
    return fromPretrained(FloatTensor.fromArray(weights));
  }

  /** A bag over the caller's own rows, without a copy; frozen unless {@code freeze(false)} is set. */
  public static Builder wrap(RowStore store) {
    return new Builder(store.rows(), store.dim(), null, store, true);
  }

  /** Options of an {@link EmbeddingBag}: those of {@link TableBuilder} plus the mode and the offsets convention. */
  public static final class Builder extends TableBuilder<Builder> {
    private BagMode mode = BagMode.MEAN;
    private boolean includeLastOffset;

    Builder(long v, int d, FloatTensor pretrained, RowStore wrapped, boolean freeze) {
      super(v, d, pretrained, wrapped, freeze);
    }

    /** How each bag is reduced; default {@link BagMode#MEAN}, as in PyTorch. */
    public Builder mode(BagMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Offsets carry B + 1 entries, the last equal to the input length (CSR style). Ignored for 2-D input, as in
     * current PyTorch.
     */
    public Builder includeLastOffset(boolean includeLastOffset) {
      this.includeLastOffset = includeLastOffset;
      return this;
    }

    /** Checks the options and creates the bag. */
    public EmbeddingBag build() {
      if (mode == BagMode.MAX && scaleGradByFreq) {
        throw new IllegalArgumentException("MAX mode does not support scaling the gradient by frequency");
      }
      if (mode == BagMode.MAX && sparse) {
        throw new IllegalArgumentException("MAX mode does not support sparse gradients");
      }
      return new EmbeddingBag(buildCore("EmbeddingBag"), mode, includeLastOffset);
    }
  }

  /**
   * Pools a 2-D input {@code (B, L)}, one bag per row, as a graph operation (PyTorch's {@code bag(input)}); see {@link
   * #forward(IndexTensor, IndexTensor, Variable)}.
   */
  @Override
  public Variable forward(IndexTensor input) {
    return forward(input, null, null);
  }

  /** Pools a 1-D input split into bags by {@code offsets} (null for a 2-D input), as a graph operation. */
  public Variable forward(IndexTensor input, IndexTensor offsets) {
    return forward(input, offsets, null);
  }

  /**
   * Pools the bags of {@code input} as a graph operation, PyTorch's {@code bag(input, offsets, per_sample_weights)},
   * returning the pooled output {@code (B, D)}. When gradients are enabled, backpropagating through it calls {@link
   * #backward} (which adds into this table's gradient unless it is frozen) and passes the per-sample-weight gradient
   * on to {@code perSampleWeights} when that requires one. Arguments as for {@link #lookup(IndexTensor, IndexTensor,
   * FloatTensor)}.
   *
   * @param offsets null for a 2-D input
   * @param perSampleWeights null, or weights with the input's shape (SUM mode)
   */
  public Variable forward(IndexTensor input, IndexTensor offsets, Variable perSampleWeights) {
    BagResult r = pool(input, offsets, perSampleWeights == null ? null : perSampleWeights.value(), null);
    if (!GradMode.isEnabled()) {
      core.noteUnrecorded(TableCore.UNRECORDED_DISABLED);
    }
    Backward backwardFn =
        g -> {
          Optional<FloatTensor> dpsw = backward(r, g);
          if (perSampleWeights != null && dpsw.isPresent()) {
            perSampleWeights.accumulateGrad(dpsw.get());
          }
        };
    return perSampleWeights == null
        ? Variable.fromOp(r.output(), backwardFn, !core.frozen)
        : Variable.fromOp(r.output(), backwardFn, !core.frozen, perSampleWeights);
  }

  /** {@link #lookup(IndexTensor, IndexTensor, FloatTensor)} of a 2-D input {@code (B, L)}: one bag per row. */
  public BagResult lookup(IndexTensor input) {
    return lookup(input, null, null);
  }

  /** {@link #lookup(IndexTensor, IndexTensor, FloatTensor)} of a 1-D input split into bags by {@code offsets}. */
  public BagResult lookup(IndexTensor input, IndexTensor offsets) {
    return lookup(input, offsets, null);
  }

  /**
   * Pools the bags of {@code input} without recording a graph: for inference, and for code that calls {@link
   * #backward} itself with the result. {@code input} is 2-D {@code (B, L)} with {@code offsets == null}, or 1-D with
   * 1-D {@code offsets}. {@code perSampleWeights} (or null) must have the input's shape and needs {@link BagMode#SUM}.
   *
   * @throws IllegalArgumentException for a wrong rank or shape, offsets that do not start at 0, decrease or pass the
   *     end of the input (with includeLastOffset: do not end exactly at it), or weights in a mode other than SUM
   * @throws IndexOutOfBoundsException for an id out of range; in every case nothing is changed
   */
  public BagResult lookup(IndexTensor input, IndexTensor offsets, FloatTensor perSampleWeights) {
    BagResult r = pool(input, offsets, perSampleWeights, null);
    noteLookup();
    return r;
  }

  /**
   * {@link #lookup(IndexTensor, IndexTensor, FloatTensor)} into the caller's tensor {@code out} of shape {@code (B,
   * D)}, whose values are overwritten; the result's {@link BagResult#output()} is {@code out}. For loops that reuse
   * one output buffer instead of allocating (and zeroing) a new one per call. An earlier result over the same buffer
   * then shows the new values as its output; its {@link #backward} does not read them, so it still works.
   *
   * @throws IllegalArgumentException also if {@code out} has another shape; nothing is changed then
   */
  public BagResult lookupInto(IndexTensor input, IndexTensor offsets, FloatTensor perSampleWeights, FloatTensor out) {
    BagResult r = pool(input, offsets, perSampleWeights, Objects.requireNonNull(out, "out"));
    noteLookup();
    return r;
  }

  private void noteLookup() {
    if (!core.frozen && GradMode.isEnabled()) {
      core.noteUnrecorded(TableCore.UNRECORDED_LOOKUP);
    }
  }

  private BagResult pool(IndexTensor input, IndexTensor offsets, FloatTensor perSampleWeights, FloatTensor into) {
    Objects.requireNonNull(input, "input");
    int[] bagStarts = bagStarts(input, offsets);
    float[] psw = null;
    if (perSampleWeights != null) {
      if (mode != BagMode.SUM) {
        throw new IllegalArgumentException(
            "perSampleWeights are only supported in SUM mode, but this bag's mode is " + mode);
      }
      if (!perSampleWeights.shape().equals(input.shape())) {
        throw new IllegalArgumentException(
            "perSampleWeights of shape " + perSampleWeights.shape() + " must have the same shape as the input "
                + input.shape());
      }
      psw = perSampleWeights.data().clone();
    }
    int bags = bagStarts.length - 1;
    Shape outShape = Shape.of(bags, core.dim);
    if (into != null && !into.shape().equals(outShape)) {
      throw new IllegalArgumentException(
          "out has shape " + into.shape() + " but " + bags + " bags of this table pool into shape " + outShape);
    }
    long[] ids = core.checkedIds(input, "input");
    float[] out = into != null ? into.data() : new float[core.outputLength(bags, "the bag output")];
    int[] bagSizes = new int[bags];
    long[] maxIndices = mode == BagMode.MAX ? new long[out.length] : null;
    float[] weights = psw;
    core.withRenorm(
        ids,
        () -> {
          if (bags == 0) {
            return;
          }
          switch (mode) {
            case SUM -> Kernels.poolSum(core.store, ids, bagStarts, weights, core.paddingIdx, out, bagSizes);
            case MEAN -> Kernels.poolMean(core.store, ids, bagStarts, core.paddingIdx, out, bagSizes);
            case MAX -> Kernels.poolMax(core.store, ids, bagStarts, core.paddingIdx, out, maxIndices, bagSizes);
          }
        });
    FloatTensor output = into != null ? into : FloatTensor.wrap(outShape, out);
    return new BagResult(core, ids, bagStarts, psw, input.shape(), output, bagSizes, maxIndices);
  }

  /**
   * The bag boundaries in CSR form ({@code B + 1} entries from 0 to n), after checking the input's rank and the
   * offsets.
   */
  private int[] bagStarts(IndexTensor input, IndexTensor offsets) {
    Shape shape = input.shape();
    int n = input.numel();
    if (shape.rank() == 2) {
      if (offsets != null) {
        throw new IllegalArgumentException(
            "a 2-D input " + shape + " is a batch of equal-length bags and takes no offsets, but offsets were given");
      }
      int bags = shape.dim(0);
      int len = shape.dim(1);
      int[] starts = new int[bags + 1];
      for (int b = 0; b <= bags; b++) {
        starts[b] = b * len;
      }
      return starts;
    }
    if (shape.rank() != 1) {
      throw new IllegalArgumentException(
          "input must be 1-D (with offsets) or 2-D (one bag per row), got shape " + shape + " of rank "
              + shape.rank());
    }
    if (offsets == null) {
      throw new IllegalArgumentException("a 1-D input needs offsets saying where each bag starts");
    }
    if (offsets.shape().rank() != 1) {
      throw new IllegalArgumentException("offsets must be 1-D, got shape " + offsets.shape());
    }
    long[] off = offsets.toLongArray();
    if (includeLastOffset && off.length == 0) {
      throw new IllegalArgumentException(
          "with includeLastOffset the offsets need at least one entry (the end of the input), got none");
    }
    if (off.length > 0 && off[0] != 0) {
      throw new IllegalArgumentException(
          "offsets[0] must be 0 (the first bag starts at the first position), got " + off[0]);
    }
    for (int b = 1; b < off.length; b++) {
      if (off[b] < off[b - 1]) {
        throw new IllegalArgumentException(
            "offsets must not decrease, but offsets[" + b + "] = " + off[b] + " < offsets[" + (b - 1) + "] = "
                + off[b - 1]);
      }
    }
    if (off.length > 0 && off[off.length - 1] > n) {
      throw new IllegalArgumentException(
          "offsets[" + (off.length - 1) + "] = " + off[off.length - 1] + " is past the end of the input of length "
              + n);
    }
    if (includeLastOffset && off[off.length - 1] != n) {
      throw new IllegalArgumentException(
          "with includeLastOffset the last offset must equal the input length " + n + ", got offsets["
              + (off.length - 1) + "] = " + off[off.length - 1]);
    }
    int bags = includeLastOffset ? off.length - 1 : off.length;
    int[] starts = new int[bags + 1];
    for (int b = 0; b < bags; b++) {
      starts[b] = (int) off[b];
    }
    starts[bags] = bags == 0 ? 0 : n;
    return starts;
  }

  /**
   * Adds the gradient of the pooled output {@code gradOutput} {@code (B, D)} of {@code forward} into this table's
   * gradient (not on a frozen table), and returns the gradient of the per-sample weights when {@code forward} had
   * them ({@code dpsw[i] = gradOutput[bag(i)] . W[ids[i]]}, zero at padding positions, with the input's shape).
   *
   * <p>SUM adds {@code psw[i] * gradOutput[bag(i)]} to each non-padding row; MEAN divides by the bag's non-padding
   * count; MAX routes each column to the row that won it, once per bag. With {@code scaleGradByFreq} each contribution
   * is divided by its id's count in the whole input (the correct count; PyTorch's CPU path has a bug here).
   *
   * <p>A sparse table's gradient refers to the rows of {@code gradOutput} instead of copying one row per input
   * position (see {@link dev.emb4j.autograd.SparseGradient#ofRows}): leave {@code gradOutput} unchanged until the
   * optimizer step.
   */
  public Optional<FloatTensor> backward(BagResult forward, FloatTensor gradOutput) {
    Objects.requireNonNull(forward, "forward");
    Objects.requireNonNull(gradOutput, "gradOutput");
    TableCore core = this.core;
    if (forward.owner.lineage != core.lineage) {
      throw new IllegalArgumentException("this BagResult came from another table's forward pass");
    }
    Shape expected = Shape.of(forward.bags(), core.dim);
    if (!gradOutput.shape().equals(expected)) {
      throw new IllegalArgumentException(
          "gradOutput has shape " + gradOutput.shape() + " but the bag output has shape " + expected);
    }
    if (forward.bags() == 0) {
      // No bags (empty offsets): no position belongs to a bag, so nothing receives a gradient.
      return Optional.ofNullable(
          forward.perSampleWeights == null ? null : FloatTensor.zeros(forward.inputShape));
    }
    float[] g = gradOutput.data();
    long[] ids = idsNow(forward, core);
    int[] o2b = forward.offset2bagView();
    int[] sizes = forward.bagSizesView();
    FloatTensor pswGrad = forward.perSampleWeights == null ? null : perSampleWeightGrad(forward, g);
    if (!core.frozen) {
      if (mode == BagMode.MAX) {
        Kernels.scatterMaxGrad(core.denseGradient(), forward.maxIndicesView(), sizes, g);
      } else {
        float[] scales = rowScales(forward, ids, o2b, sizes);
        if (core.sparse) {
          core.appendSparse(ids, g, o2b, scales);
        } else {
          Kernels.scatterAddRows(core.denseGradient(), ids, g, o2b, scales, core.paddingIdx);
        }
      }
    }
    return Optional.ofNullable(pswGrad);
  }

  /**
   * The factor of each position's gradient row: psw, 1 / bag size for MEAN, 1 / count for scaleGradByFreq; null when
   * every factor is 1 (SUM without weights or frequency scaling).
   */
  private float[] rowScales(BagResult forward, long[] ids, int[] o2b, int[] sizes) {
    float[] psw = forward.perSampleWeights;
    if (mode == BagMode.SUM && psw == null && !core.scaleGradByFreq) {
      return null;
    }
    float[] freq = core.scaleGradByFreq ? TableCore.inverseFrequencies(ids) : null;
    float[] scales = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      double s = freq == null ? 1.0 : freq[i];
      if (mode == BagMode.MEAN && sizes[o2b[i]] > 0) {
        s /= sizes[o2b[i]];
      }
      if (psw != null) {
        s *= psw[i];
      }
      scales[i] = (float) s;
    }
    return scales;
  }

  /**
   * The rows {@code forward} read, numbered as in {@code core}: a forward pass before a {@link DynamicEmbeddingBag}
   * grew the table had its padding row at another number.
   */
  private static long[] idsNow(BagResult forward, TableCore core) {
    if (forward.owner == core) {
      return forward.ids;
    }
    long[] ids = forward.ids.clone();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == forward.owner.paddingIdx) {
        ids[i] = core.paddingIdx;
      }
    }
    return ids;
  }

  private FloatTensor perSampleWeightGrad(BagResult forward, float[] g) {
    long[] ids = idsNow(forward, core);
    int[] o2b = forward.offset2bagView();
    int d = core.dim;
    float[] row = new float[d];
    float[] out = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == core.paddingIdx) {
        continue;
      }
      core.store.readRow(ids[i], row, 0);
      double dot = 0;
      int base = o2b[i] * d;
      for (int j = 0; j < d; j++) {
        dot += (double) g[base + j] * row[j];
      }
      out[i] = (float) dot;
    }
    return FloatTensor.wrap(forward.inputShape, out);
  }

  /** The reduction. */
  public BagMode mode() {
    return mode;
  }

  /** Whether offsets carry a final entry equal to the input length. */
  public boolean includeLastOffset() {
    return includeLastOffset;
  }

  /** For example {@code EmbeddingBag(10, 3, mode=SUM, paddingIdx=0)}. */
  @Override
  public String toString() {
    return "EmbeddingBag(" + core.rows + ", " + core.dim + ", mode=" + mode
        + (includeLastOffset ? ", includeLastOffset=true" : "") + core.describeOptions() + ")";
  }
}
