package dev.emb4j.nn;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Inverted dropout: in training mode zeroes each element with probability {@code p} and scales the others by {@code
 * 1 / (1 - p)}; in evaluation mode ({@code train(false)}) passes values through unchanged. The mask comes from a
 * generator seeded at construction, so a run is reproducible.
 */
public final class Dropout implements Layer {
  private final double p;
  private final SplittableRandom rng;
  private boolean training = true;

  /** Dropout with probability {@code p} in [0, 1), drawing masks from {@code seed}. */
  public Dropout(double p, long seed) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
    }
    this.p = p;
    this.rng = new SplittableRandom(seed);
  }

  @Override
  public Variable apply(Variable input) {
    return training ? Ops.dropout(input, p, rng) : input;
  }

  @Override
  public void train(boolean training) {
    this.training = training;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }

  @Override
  public String toString() {
    return "Dropout(p=" + p + ")";
  }
}
