package dev.emb4j.nn;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import java.util.SplittableRandom;

/**
 * A fully connected layer {@code y = x @ W^T + b}, PyTorch's {@code nn.Linear}, with its layout: the weight has shape
 * {@code (out, in)} (one row per output unit), the transpose of an embedding table's {@code (num, dim)}, and the bias
 * {@code [out]}. Inputs of shape {@code (..., in)} give outputs {@code (..., out)}. Parameters: {@code weight} and,
 * unless disabled, {@code bias}.
 *
 * <p>Initialised as PyTorch does: weight and bias uniform on {@code [-1/sqrt(in), 1/sqrt(in))}, drawn from a seed
 * taken from the global generator ({@link Emb4j#manualSeed(long)}), or from the seed given to {@link #seeded}.
 */
public final class Linear extends Layer {
  private final int in;
  private final int out;
  private final DenseParameter weight;
  private final DenseParameter bias;

  /** A layer of {@code in -> out} units with a bias, as {@code nn.Linear(in, out)}. */
  public Linear(int in, int out) {
    this(in, out, true);
  }

  /** A layer of {@code in -> out} units, with or without a bias, as {@code nn.Linear(in, out, bias)}. */
  public Linear(int in, int out, boolean bias) {
    this(in, out, bias, Emb4j.nextSeed());
  }

  private Linear(int in, int out, boolean withBias, long seed) {
    if (in <= 0 || out <= 0) {
      throw new IllegalArgumentException("Linear needs positive sizes, got in=" + in + ", out=" + out);
    }
    this.in = in;
    this.out = out;
    this.weight = registerParameter("weight", new DenseParameter("weight", out, in));
    this.bias = withBias ? registerParameter("bias", DenseParameter.vector("bias", out)) : null;
    SplittableRandom rng = new SplittableRandom(seed);
    double bound = 1 / Math.sqrt(in);
    fillUniform(weight.data(), bound, rng);
    if (bias != null) {
      fillUniform(bias.data(), bound, rng);
    }
  }

  /** A layer initialised from its own {@code seed}, leaving the global generator untouched. */
  public static Linear seeded(int in, int out, boolean bias, long seed) {
    return new Linear(in, out, bias, seed);
  }

  private static void fillUniform(float[] a, double bound, SplittableRandom rng) {
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (-bound + 2 * bound * rng.nextDouble());
    }
  }

  @Override
  public Variable forward(Variable input) {
    return Ops.linear(input, weight.variable(), bias == null ? null : bias.variable());
  }

  /** The {@code (out, in)} weight. */
  public DenseParameter weight() {
    return weight;
  }

  /** The {@code [out]} bias, or null. */
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
  public String toString() {
    return "Linear(" + in + ", " + out + (bias == null ? ", bias=false)" : ")");
  }
}
