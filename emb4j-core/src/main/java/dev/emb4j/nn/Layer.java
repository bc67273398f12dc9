package dev.emb4j.nn;

import dev.emb4j.autograd.Variable;

/**
 * A model that maps one value to another, such as {@link Linear} or {@link ReLU}: PyTorch's modules whose {@code
 * forward} takes one tensor. Layers chain in a {@link Sequential}; a custom layer extends this class, registers its
 * parts (see {@link Model}) and implements {@link #forward}.
 */
public abstract class Layer extends Model {

  /** A layer with no parameters and no children yet. */
  protected Layer() {}

  /**
   * Computes the layer's output, recording the operation for backpropagation when gradients are enabled (see {@link
   * dev.emb4j.autograd.GradMode}).
   */
  public abstract Variable forward(Variable input);
}
