package dev.emb4j.nn;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;

/** The rectifier {@code max(x, 0)}, element-wise, PyTorch's {@code nn.ReLU}; no parameters. */
public final class ReLU extends Layer {
  /** The activation. */
  public ReLU() {}

  @Override
  public Variable forward(Variable input) {
    return Ops.relu(input);
  }

  @Override
  public String toString() {
    return "ReLU()";
  }
}
