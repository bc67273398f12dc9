package dev.emb4j.nn;

import dev.emb4j.autograd.Variable;
import dev.emb4j.tensor.IndexTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Layers applied one after the other, PyTorch's {@code nn.Sequential}. The first element may be an embedding table,
 * so that a model reads in order, from ids to outputs:
 *
 * <pre>{@code
 * Sequential model = new Sequential(
 *     EmbeddingBag.builder(10_000, 64).build(),   // (B, L) ids -> (B, 64), the mean of each row's embeddings
 *     new Linear(64, 32), new ReLU(), new Linear(32, 2));
 * Variable logits = model.forward(ids);
 * }</pre>
 *
 * <p>Children are named by position, as in PyTorch: parameters {@code "0.weight"}, {@code "1.weight"}, {@code
 * "1.bias"}, ...
 */
public final class Sequential extends Layer {
  private final EmbeddingTable table;
  private final List<Layer> layers;

  /** The given layers, in order. */
  public Sequential(Layer... layers) {
    this(null, layers);
  }

  /**
   * A table followed by layers: {@link #forward(IndexTensor)} looks the ids up, then applies the layers. An {@link
   * EmbeddingBag} first takes a 2-D input {@code (B, L)}, one bag per row.
   */
  public Sequential(EmbeddingTable table, Layer... layers) {
    if (table == null && layers.length == 0) {
      throw new IllegalArgumentException("a Sequential needs at least one layer");
    }
    this.table = table;
    this.layers = List.of(layers);
    int i = 0;
    if (table != null) {
      register(Integer.toString(i++), table);
    }
    for (Layer layer : layers) {
      register(Integer.toString(i++), layer);
    }
  }

  /**
   * Applies the layers in order.
   *
   * @throws IllegalStateException if this sequence starts with a table, which takes ids
   */
  @Override
  public Variable forward(Variable input) {
    if (table != null) {
      throw new IllegalStateException(
          "this Sequential starts with " + table + ", which takes ids: call forward(IndexTensor)");
    }
    return applyLayers(input);
  }

  /**
   * Looks {@code ids} up in the first element, a table, and applies the layers to the result.
   *
   * @throws IllegalStateException if this sequence does not start with a table
   */
  public Variable forward(IndexTensor ids) {
    if (table == null) {
      throw new IllegalStateException(
          "this Sequential starts with " + layers.get(0) + ", which takes a Variable, not ids");
    }
    return applyLayers(table.forward(ids));
  }

  private Variable applyLayers(Variable input) {
    Variable x = input;
    for (Layer layer : layers) {
      x = layer.forward(x);
    }
    return x;
  }

  /** The elements in order (the table first, if any), as PyTorch's {@code list(seq)}. */
  public List<Model> layers() {
    List<Model> all = new ArrayList<>(layers.size() + 1);
    if (table != null) {
      all.add(table);
    }
    all.addAll(layers);
    return List.copyOf(all);
  }

  /** The element at {@code index}, as PyTorch's {@code seq[index]}. */
  public Model get(int index) {
    return layers().get(index);
  }

  /** The number of elements. */
  public int size() {
    return layers.size() + (table == null ? 0 : 1);
  }
}
