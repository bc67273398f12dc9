package dev.emb4j.nn;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import java.util.List;

/** The rectifier {@code max(x, 0)}, element-wise; no parameters. */
public final class ReLU implements Layer {
  /** A ReLU layer (it has no parameters). */
  public ReLU() {}

  @Override
  public Variable apply(Variable input) {
    return Ops.relu(input);
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }

  @Override
  public String toString() {
    return "ReLU()";
  }
}
