package dev.emb4j.nn;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import java.util.List;

/** The logistic function {@code 1 / (1 + exp(-x))}, element-wise; no parameters. */
public final class Sigmoid implements Layer {
  /** A sigmoid layer (it has no parameters). */
  public Sigmoid() {}

  @Override
  public Variable apply(Variable input) {
    return Ops.sigmoid(input);
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }

  @Override
  public String toString() {
    return "Sigmoid()";
  }
}
