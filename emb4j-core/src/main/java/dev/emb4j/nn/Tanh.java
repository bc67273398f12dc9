package dev.emb4j.nn;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import java.util.List;

/** The hyperbolic tangent, element-wise; no parameters. */
public final class Tanh implements Layer {
  /** A tanh layer (it has no parameters). */
  public Tanh() {}

  @Override
  public Variable apply(Variable input) {
    return Ops.tanh(input);
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }

  @Override
  public String toString() {
    return "Tanh()";
  }
}
