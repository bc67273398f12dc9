package dev.emb4j.nn;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;

/** The hyperbolic tangent, element-wise, PyTorch's {@code nn.Tanh}; no parameters. */
public final class Tanh extends Layer {
  /** The activation. */
  public Tanh() {}

  @Override
  public Variable forward(Variable input) {
    return Ops.tanh(input);
  }

  @Override
  public String toString() {
    return "Tanh()";
  }
}
