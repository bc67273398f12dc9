package dev.emb4j.nn;

import dev.emb4j.autograd.TableGradient;
import dev.emb4j.autograd.Variable;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What {@link Embedding} and {@link EmbeddingBag} have in common: a {@code (V, D)} weight in a {@link RowStore}, the
 * options that shape its lookups and gradients, and the gradient accumulated by backward passes. Code that only
 * needs the table (saving it, inspecting it, training it) can take an {@code EmbeddingTable}.
 *
 * <p>A table is a {@link Model} with one parameter, {@code "weight"}, and can start a {@link Sequential}: its {@link
 * #forward(IndexTensor)} maps ids to a {@link Variable}, recording the lookup for backpropagation.
 */
public abstract sealed class EmbeddingTable extends Model permits Embedding, EmbeddingBag {
  /**
   * The weight and its options. Replaced only when a {@link DynamicEmbeddingBag} grows the table ({@link
   * #replaceCore}); its final fields make a new core safe to read from any thread.
   */
  TableCore core;

  private final Parameter weightParameter;

  EmbeddingTable(TableCore core) {
    this.core = core;
    this.weightParameter = registerParameter("weight", new TableParameter("weight", this));
  }

  /**
   * Swaps in {@code grown}, a core of the same table over a larger store ({@link TableCore#grownTo}), and frees the
   * store of the core it replaces. For a {@link DynamicEmbeddingBag} that grows, under its write lock.
   */
  void replaceCore(TableCore grown) {
    if (grown.lineage != core.lineage) {
      throw new IllegalArgumentException("a table's core can only be replaced by one grown from it");
    }
    TableCore old = core;
    core = grown;
    old.close();
  }

  /**
   * The lookup as a graph operation (PyTorch's {@code emb(ids)}): the rows of {@code ids} (an {@link Embedding}) or
   * the pooled rows of each row of a 2-D {@code ids} (an {@link EmbeddingBag}). Backpropagating through the result
   * adds into this table's {@link #grad()}, unless the table is frozen or gradients are disabled.
   */
  public abstract Variable forward(IndexTensor ids);

  /**
   * The gradient accumulated since the last {@link #zeroGrad()} (PyTorch's {@code weight.grad}).
   *
   * @throws IllegalStateException if there is none, with the reason: the table is frozen, its lookups recorded no
   *     graph (gradients disabled, or the non-recording {@code lookup}), or no backward pass reached it
   */
  public TableGradient grad() {
    return core.grad().orElseThrow(() -> new IllegalStateException(this + " has no gradient: " + core.whyNoGrad()));
  }

  /** Whether a backward pass left a gradient since the last {@link #zeroGrad()} (never for a frozen table). */
  public boolean hasGrad() {
    return core.grad().isPresent();
  }

  /** Forgets the accumulated gradient. */
  @Override
  public void zeroGrad() {
    core.zeroGrad();
  }

  /** The table's weight as a parameter, named {@code "weight"} (in a model, e.g. {@code "embedding.weight"}). */
  public Parameter weightParameter() {
    return weightParameter;
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

  /** Frees off-heap rows that this table owns (a table over wrapped memory leaves it to its owner). */
  @Override
  public void close() {
    core.close();
  }
}
