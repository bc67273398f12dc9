package dev.emb4j.nn;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;

/** The logistic function {@code 1 / (1 + exp(-x))}, element-wise, PyTorch's {@code nn.Sigmoid}; no parameters. */
public final class Sigmoid extends Layer {
  /** The activation. */
  public Sigmoid() {}

  @Override
  public Variable forward(Variable input) {
    return Ops.sigmoid(input);
  }

  @Override
  public String toString() {
    return "Sigmoid()";
  }
}
