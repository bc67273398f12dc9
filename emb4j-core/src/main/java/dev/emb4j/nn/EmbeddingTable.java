package dev.emb4j.nn;

import dev.emb4j.autograd.TableGradient;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What {@link Embedding} and {@link EmbeddingBag} have in common: a {@code (V, D)} weight in a {@link RowStore}, the
 * options that shape its lookups and gradients, and the gradient accumulated by backward passes. Code that only
 * needs the table (saving it, inspecting it, training it) can take an {@code EmbeddingTable}.
 */
public abstract sealed class EmbeddingTable implements Module, AutoCloseable permits Embedding, EmbeddingBag {
  final TableCore core;
  private final Parameter weightParameter;

  EmbeddingTable(TableCore core) {
    this.core = core;
    this.weightParameter = new TableParameter("weight", core);
  }

  /** The gradient accumulated since the last {@link #zeroGrad()}, if a backward pass ran (never on a frozen table). */
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

  /** Frees off-heap rows that this table owns (a table over wrapped memory leaves it to its owner). */
  @Override
  public void close() {
    core.close();
  }
}
