package dev.emb4j.nn;

import dev.emb4j.autograd.Variable;
import java.util.ArrayList;
import java.util.List;

/**
 * Layers applied one after the other. Parameters are named by position, as in PyTorch: {@code "0.weight"}, {@code
 * "2.bias"}, ...
 */
public final class Sequential implements Layer {
  private final List<Layer> layers;

  /** The given layers, in order. */
  public Sequential(Layer... layers) {
    if (layers.length == 0) {
      throw new IllegalArgumentException("a Sequential needs at least one layer");
    }
    this.layers = List.of(layers);
  }

  @Override
  public Variable apply(Variable input) {
    Variable x = input;
    for (Layer layer : layers) {
      x = layer.apply(x);
    }
    return x;
  }

  /** The layers, in order. */
  public List<Layer> layers() {
    return layers;
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> out = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      out.addAll(Parameters.named(Integer.toString(i), layers.get(i)));
    }
    return out;
  }

  @Override
  public void train(boolean training) {
    for (Layer layer : layers) {
      layer.train(training);
    }
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Sequential(");
    for (int i = 0; i < layers.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(layers.get(i));
    }
    return sb.append(')').toString();
  }
}
