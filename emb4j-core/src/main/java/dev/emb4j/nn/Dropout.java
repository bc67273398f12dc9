package dev.emb4j.nn;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import java.util.SplittableRandom;

/**
 * Inverted dropout, PyTorch's {@code nn.Dropout}: in training mode zeroes each element with probability {@code p} and
 * scales the others by {@code 1 / (1 - p)}; in evaluation mode ({@link #eval()}, also when a parent model's {@code
 * eval()} reaches it) passes values through unchanged. The masks come from a generator seeded once, from the global
 * generator ({@link Emb4j#manualSeed(long)}) or from {@link #seeded}, so a run is reproducible.
 */
public final class Dropout extends Layer {
  private final double p;
  private final SplittableRandom rng;

  /** Dropout with PyTorch's default probability, 0.5. */
  public Dropout() {
    this(0.5);
  }

  /** Dropout with probability {@code p} in [0, 1). */
  public Dropout(double p) {
    this(p, Emb4j.nextSeed());
  }

  private Dropout(double p, long seed) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
    }
    this.p = p;
    this.rng = new SplittableRandom(seed);
  }

  /** Dropout drawing its masks from its own {@code seed}, leaving the global generator untouched. */
  public static Dropout seeded(double p, long seed) {
    return new Dropout(p, seed);
  }

  @Override
  public Variable forward(Variable input) {
    return isTraining() ? Ops.dropout(input, p, rng) : input;
  }

  @Override
  public String toString() {
    return "Dropout(p=" + p + ")";
  }
}
