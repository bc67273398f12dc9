package dev.emb4j.task;

import dev.emb4j.autograd.GradMode;
import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Initializer;
import dev.emb4j.nn.Model;
import dev.emb4j.store.DType;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;

/**
 * Biased matrix factorisation for ratings: {@code r(u, i) = mu + b_u + b_i + p_u . q_i}, with user and item
 * embeddings {@code p}, {@code q} of dimension D and per-user and per-item biases held as embeddings of dimension 1.
 * All four tables produce sparse gradients, so a training step touches only the rows of its batch. Parameters: {@code
 * user.weight}, {@code item.weight}, {@code user_bias.weight}, {@code item_bias.weight}.
 */
public final class MatrixFactorization extends Model {
  private final Embedding users;
  private final Embedding items;
  private final Embedding userBias;
  private final Embedding itemBias;
  private final float globalMean;
  private final float minRating;
  private final float maxRating;

  /**
   * A model for {@code numUsers x numItems} with factors of size {@code dim} drawn from N(0, initStd) and zero
   * biases; {@code globalMean} is mu, usually the mean training rating; {@link #predictValues} clips to {@code
   * [minRating, maxRating]}, the scale of the training ratings.
   */
  public MatrixFactorization(
      int numUsers, int numItems, int dim, float globalMean, float minRating, float maxRating, double initStd, long seed) {
    this(numUsers, numItems, dim, globalMean, minRating, maxRating, initStd, seed, Storage.HEAP, DType.F32);
  }

  /**
   * The same model with its four tables in {@code storage}: on the heap, off the heap, or in four mapped files named
   * after the given one ({@code model.emb4j} gives {@code model.user.emb4j}, {@code model.item.emb4j}, {@code
   * model.user_bias.emb4j}, {@code model.item_bias.emb4j}; see {@link Storage.Mapped#part}), whose rows are drawn
   * lazily (other values than on the heap for the same seed). Close the model to seal mapped files. The user and item
   * factor tables are kept in {@code dtype} ({@link DType#BF16} or {@link DType#F16} halve their memory; see {@code
   * TableBuilder.dtype}); the biases, one value per user or item, stay float32.
   */
  public MatrixFactorization(
      int numUsers, int numItems, int dim, float globalMean, float minRating, float maxRating, double initStd, long seed,
      Storage storage, DType dtype) {
    if (!(minRating <= maxRating)) {
      throw new IllegalArgumentException("minRating " + minRating + " must not exceed maxRating " + maxRating);
    }
    this.minRating = minRating;
    this.maxRating = maxRating;
    this.users = register("user", table(numUsers, dim, Initializer.normal(0, initStd, seed), storage, dtype, "user"));
    this.items =
        register("item", table(numItems, dim, Initializer.normal(0, initStd, seed + 1), storage, dtype, "item"));
    this.userBias =
        register("user_bias", table(numUsers, 1, Initializer.constant(0), storage, DType.F32, "user_bias"));
    this.itemBias =
        register("item_bias", table(numItems, 1, Initializer.constant(0), storage, DType.F32, "item_bias"));
    this.globalMean = globalMean;
  }

  private static Embedding table(long rows, int dim, Initializer init, Storage storage, DType dtype, String name) {
    Storage where = storage instanceof Storage.Mapped mapped ? mapped.part(name) : storage;
    return Embedding.builder(rows, dim).sparse(true).dtype(dtype).initializer(init).storage(where).build();
  }

  /** The predictions for a batch of (user, item) pairs, shape {@code [B]}, recorded for backpropagation. */
  public Variable predict(IndexTensor u, IndexTensor i) {
    Terms t = terms(u, i);
    return t.prediction;
  }

  /**
   * The training objective of a batch: mean squared error plus, for each rating b, {@code userReg[b] * |p_u|^2 +
   * itemReg[b] * |q_i|^2} and {@code biasReg * (b_u^2 + b_i^2)}, divided by the batch size. Per-rating strengths let
   * the trainer scale the L2 by how often a user or item occurs (constant strengths give the per-sample L2 of
   * Funk-style SGD).
   */
  public Variable loss(
      IndexTensor u, IndexTensor i, float[] ratings, float[] userReg, float[] itemReg, double biasReg) {
    Terms t = terms(u, i);
    int b = ratings.length;
    if (userReg.length != b || itemReg.length != b) {
      throw new IllegalArgumentException(
          "need one L2 strength per rating: " + b + " ratings, " + userReg.length + " user and " + itemReg.length
              + " item strengths");
    }
    Variable loss =
        new dev.emb4j.nn.MseLoss().apply(t.prediction, dev.emb4j.tensor.FloatTensor.wrap(Shape.of(b), ratings));
    loss = Ops.add(loss, Ops.scale(Ops.add(weightedSquaredNorms(t.p, userReg), weightedSquaredNorms(t.q, itemReg)), 1.0 / b));
    if (biasReg != 0) {
      loss = Ops.add(loss, Ops.scale(Ops.add(squaredNorm(t.bu), squaredNorm(t.bi)), biasReg / b));
    }
    return loss;
  }

  /** {@code sum_b w[b] * |x_b|^2} for rows x_b of {@code x}. */
  private static Variable weightedSquaredNorms(Variable x, float[] w) {
    Variable perRow = Ops.sumDim(Ops.mul(x, x), -1);
    return Ops.sum(Ops.mul(perRow, Variable.constant(dev.emb4j.tensor.FloatTensor.wrap(Shape.of(w.length), w))));
  }

  private static Variable squaredNorm(Variable x) {
    return Ops.sum(Ops.mul(x, x));
  }

  private record Terms(Variable p, Variable q, Variable bu, Variable bi, Variable prediction) {}

  private Terms terms(IndexTensor u, IndexTensor i) {
    if (u.shape().rank() != 1 || !u.shape().equals(i.shape())) {
      throw new IllegalArgumentException(
          "users and items must be 1-D and of equal length, got " + u.shape() + " and " + i.shape());
    }
    int b = u.numel();
    Variable p = users.forward(u);
    Variable q = items.forward(i);
    Variable bu = Ops.reshape(userBias.forward(u), Shape.of(b));
    Variable bi = Ops.reshape(itemBias.forward(i), Shape.of(b));
    Variable dot = Ops.sumDim(Ops.mul(p, q), -1);
    Variable prediction = Ops.addScalar(Ops.add(Ops.add(dot, bu), bi), globalMean);
    return new Terms(p, q, bu, bi, prediction);
  }

  /**
   * Predictions without recording anything, clipped to the rating scale (as Surprise does). A negative user or item
   * index (never seen in training) contributes no factor and no bias, so an unknown pair is predicted as mu plus
   * whichever bias is known.
   */
  public float[] predictValues(int[] u, int[] i) {
    float[] out = new float[u.length];
    int d = users.embeddingDim();
    float[] pu = new float[d];
    float[] qi = new float[d];
    try (var _ = GradMode.disable()) {
      for (int k = 0; k < u.length; k++) {
        double r = globalMean;
        if (u[k] >= 0) {
          r += userBias.weight().get(u[k], 0);
        }
        if (i[k] >= 0) {
          r += itemBias.weight().get(i[k], 0);
        }
        if (u[k] >= 0 && i[k] >= 0) {
          users.weight().readRow(u[k], pu, 0);
          items.weight().readRow(i[k], qi, 0);
          double dot = 0;
          for (int j = 0; j < d; j++) {
            dot += pu[j] * qi[j];
          }
          r += dot;
        }
        out[k] = (float) Math.min(maxRating, Math.max(minRating, r));
      }
    }
    return out;
  }

  /** mu. */
  public float globalMean() {
    return globalMean;
  }

  /** The lowest rating a prediction is clipped to. */
  public float minRating() {
    return minRating;
  }

  /** The highest rating a prediction is clipped to. */
  public float maxRating() {
    return maxRating;
  }

  /** The user factor table. */
  public Embedding userFactors() {
    return users;
  }

  /** The item factor table. */
  public Embedding itemFactors() {
    return items;
  }
}
