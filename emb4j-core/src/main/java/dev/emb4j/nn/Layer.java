package dev.emb4j.nn;

import dev.emb4j.autograd.Variable;

/** A module that maps one value to another, such as {@link Linear} or {@link ReLU}; layers chain in a {@link Sequential}. */
public interface Layer extends Module {

  /** Computes the layer's output, recording the operation for backpropagation when gradients are enabled. */
  Variable apply(Variable input);
}
