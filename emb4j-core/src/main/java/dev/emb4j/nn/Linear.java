package dev.emb4j.nn;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fully connected layer {@code y = x @ W^T + b}, with PyTorch's layout: the weight has shape {@code (out, in)} (one
 * row per output unit), the transpose of an embedding table's {@code (num, dim)}. Inputs of shape {@code (..., in)}
 * give outputs {@code (..., out)}.
 *
 * <p>Initialised as PyTorch does: weight and bias uniform on {@code [-1/sqrt(in), 1/sqrt(in))}, from the given seed.
 */
public final class Linear implements Layer {
  private final int in;
  private final int out;
  private final DenseParameter weight;
  private final DenseParameter bias;

  /** A layer with a bias. */
  public Linear(int in, int out, long seed) {
    this(in, out, true, seed);
  }

  /** A layer of {@code in -> out} units, with or without a bias, initialised from {@code seed}. */
  public Linear(int in, int out, boolean withBias, long seed) {
    if (in <= 0 || out <= 0) {
      throw new IllegalArgumentException("Linear needs positive sizes, got in=" + in + ", out=" + out);
    }
    this.in = in;
    this.out = out;
    this.weight = new DenseParameter("weight", out, in);
    this.bias = withBias ? new DenseParameter("bias", 1, out) : null;
    SplittableRandom rng = new SplittableRandom(seed);
    double bound = 1 / Math.sqrt(in);
    fillUniform(weight.data(), bound, rng);
    if (bias != null) {
      fillUniform(bias.data(), bound, rng);
    }
  }

  private static void fillUniform(float[] a, double bound, SplittableRandom rng) {
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (-bound + 2 * bound * rng.nextDouble());
    }
  }

  @Override
  public Variable apply(Variable input) {
    return Ops.linear(input, weight.variable(), bias == null ? null : bias.variable());
  }

  /** The {@code (out, in)} weight. */
  public DenseParameter weight() {
    return weight;
  }

  /** The {@code (1, out)} bias, or null. */
  public DenseParameter bias() {
    return bias;
  }

  /** Input features. */
  public int inFeatures() {
    return in;
  }

  /** Output features. */
  public int outFeatures() {
    return out;
  }

  @Override
  public List<Parameter> parameters() {
    return bias == null ? List.of(weight) : List.of(weight, bias);
  }

  @Override
  public String toString() {
    return "Linear(" + in + ", " + out + (bias == null ? ", bias=false)" : ")");
  }
}
