package dev.emb4j.task;

import dev.emb4j.metrics.RegressionMetrics;
import dev.emb4j.optim.Adam;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Trains an item-based autoencoder (I-AutoRec, Sedhain et al. 2015) on ratings and hands it on as a {@link
 * MatrixFactorization}, so that every {@link Recommender} operation works on it and it blends with other factorisations
 * ({@link FactorizationBlend}).
 *
 * <p>Each item's column of observed ratings is encoded into {@code h_i = sigmoid(sum_v r_vi V_v + b)} and decoded into
 * {@code r(u, i) = W_u . h_i + c_u}; the objective is the squared error over the observed ratings only plus {@code
 * l2/2 (|V|^2 + |W|^2)}, minimised full-batch (one step per epoch over all ratings) by {@link Adam}; of a pair rated
 * more than once, the last rating counts. A pass costs time in proportion to the ratings times the hidden units.
 * Items never rated in training, and unknown users, are predicted as the mean training rating; predictions are
 * clipped to the training ratings' range. Single-threaded and fully determined by {@link Config#seed()}.
 */
public final class ItemAutoencoderTrainer {

  /**
   * Hyper-parameters; the defaults were chosen on a validation split of MovieLens-100k's u1.base (see
   * docs/performance.md).
   *
   * @param hidden hidden units (the size of each item's code)
   * @param l2 the L2 strength lambda on the encoder and decoder weights
   * @param learningRate Adam's learning rate
   * @param epochs full-batch steps
   * @param seed fixes the initial weights
   */
  public record Config(int hidden, double l2, double learningRate, int epochs, long seed) {

    /** Checks every value. */
    public Config {
      if (hidden <= 0 || epochs <= 0) {
        throw new IllegalArgumentException("hidden and epochs must be positive, got " + hidden + " and " + epochs);
      }
      if (!(l2 >= 0) || Double.isInfinite(l2)) {
        throw new IllegalArgumentException("l2 must be finite and non-negative, got " + l2);
      }
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException("learningRate must be finite and positive, got " + learningRate);
      }
    }

    /** {@code builder().build()}. */
    public static Config defaults() {
      return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
      return new Builder().hidden(hidden).l2(l2).learningRate(learningRate).epochs(epochs).seed(seed);
    }

    /** Builds a {@link Config}; each option starts at its default, stated here once. */
    public static final class Builder {
      private int hidden = 500;
      private double l2 = 100;
      private double learningRate = 1e-3;
      private int epochs = 350;
      private long seed = 42;

      private Builder() {}

      /** Hidden units; default 500. */
      public Builder hidden(int hidden) {
        this.hidden = hidden;
        return this;
      }

      /** L2 strength on the weights; default 100. */
      public Builder l2(double l2) {
        this.l2 = l2;
        return this;
      }

      /** Adam's learning rate; default 0.001. */
      public Builder learningRate(double learningRate) {
        this.learningRate = learningRate;
        return this;
      }

      /** Full-batch steps; default 350. */
      public Builder epochs(int epochs) {
        this.epochs = epochs;
        return this;
      }

      /** Fixes the initial weights; default 42. */
      public Builder seed(long seed) {
        this.seed = seed;
        return this;
      }

      /**
       * The config.
       *
       * @throws IllegalArgumentException for a value out of range, naming it
       */
      public Config build() {
        return new Config(hidden, l2, learningRate, epochs, seed);
      }
    }
  }

  /**
   * The bytes a model for {@code users} users with this config allocates: encoder and decoder weights, their biases,
   * Adam's two slots for each, and the gradients.
   */
  public static long estimatedBytes(long users, Config config) {
    double values = (double) users * (2L * config.hidden() + 1) + config.hidden();
    return (long) (Float.BYTES * values * 4); // the cast saturates
  }

  /**
   * The share of the other model in a {@link FactorizationBlend} with the autoencoder, chosen on a validation split of
   * MovieLens-100k's u1.base for the feature model (see docs/performance.md).
   */
  public static final double DEFAULT_BLEND_WEIGHT = 0.35;

  private final Config config;

  /** A trainer with the given hyper-parameters. */
  public ItemAutoencoderTrainer(Config config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** The hyper-parameters. */
  public Config config() {
    return config;
  }

  /**
   * Trains on {@code train}, reporting RMSE and MAE on {@code validation} (if not null) after each epoch.
   *
   * @return the model as biased matrix factorisation (factor size hidden + 1), the users and items it knows (numbered
   *     in order of first appearance in {@code train}, as {@link MatrixFactorizationTrainer} numbers them), and how the
   *     run went
   * @throws IllegalArgumentException if there are no ratings
   * @throws TrainingDivergedException if the loss or a weight becomes NaN or infinite
   */
  public MatrixFactorizationTrainer.Result train(Ratings train, Ratings validation, TrainingListener listener) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(listener, "listener");
    if (train.size() == 0) {
      throw new IllegalArgumentException("the training set has no ratings");
    }
    long start = System.nanoTime();
    MatrixFactorizationTrainer.Indexed indexed = MatrixFactorizationTrainer.Indexed.of(train);
    IdIndex users = indexed.users();
    IdIndex items = indexed.items();
    ItemAutoencoder.Columns columns = columns(items, indexed.u(), indexed.i(), train.values());
    int observed = columns.ratings().length;
    float min = indexed.min();
    float max = indexed.max();
    float mu = (float) train.mean();
    listener.beforeAllocating(estimatedBytes(users.size(), config));
    try (ItemAutoencoder model = new ItemAutoencoder(users.size(), config.hidden(), config.seed())) {
      Adam adam = new Adam(model.parameters(), Adam.Config.of(config.learningRate()));
      List<EpochSummary> history = new java.util.ArrayList<>();
      double loss = Double.NaN;
      for (int epoch = 1; epoch <= config.epochs(); epoch++) {
        adam.zeroGrad();
        loss = model.lossAndGradient(columns, config.l2());
        if (!Double.isFinite(loss)) {
          throw diverged(epoch, "the loss is " + loss);
        }
        adam.step();
        Optional<String> bad = TrainingDivergedException.firstNonFiniteWeight(model.parameters());
        if (bad.isPresent()) {
          throw diverged(epoch, bad.get());
        }
        listener.onStep(new TrainingStep(epoch, config.epochs(), loss / observed, config.learningRate()));
        Map<String, Double> figures = new LinkedHashMap<>();
        if (validation != null) {
          try (MatrixFactorization mf = model.toMatrixFactorization(columns, mu, min, max)) {
            RegressionMetrics m = MatrixFactorizationTrainer.evaluate(mf, users, items, validation);
            figures.put("rmse", m.rmse());
            figures.put("mae", m.mae());
          }
        }
        EpochSummary summary =
            new EpochSummary(
                epoch, config.epochs(), loss / observed, config.learningRate(), (System.nanoTime() - start) / 1e9, figures);
        history.add(summary);
        listener.onEpoch(summary);
      }
      MatrixFactorization mf = model.toMatrixFactorization(columns, mu, min, max);
      return new MatrixFactorizationTrainer.Result(
          mf, users, items, (System.nanoTime() - start) / 1e9, loss / observed, history);
    }
  }

  private TrainingDivergedException diverged(int epoch, String problem) {
    return new TrainingDivergedException(epoch, config.epochs(), "", problem, config.learningRate());
  }

  /**
   * The ratings grouped by item, each item's raters in order of first appearance; of a pair rated more than once, the
   * last rating counts (as when the ratings fill a matrix).
   */
  static ItemAutoencoder.Columns columns(IdIndex items, int[] u, int[] i, float[] values) {
    int n = u.length;
    java.util.Map<Long, Integer> firstOf = new java.util.HashMap<>();
    int[] keep = new int[n]; // the first occurrence of each pair, in order
    float[] last = new float[n];
    int kept = 0;
    for (int k = 0; k < n; k++) {
      Integer at = firstOf.putIfAbsent(((long) u[k] << 32) | i[k], kept);
      if (at == null) {
        keep[kept] = k;
        last[kept++] = values[k];
      } else {
        last[at] = values[k];
      }
    }
    int[] start = new int[items.size() + 1];
    for (int k = 0; k < kept; k++) {
      start[i[keep[k]] + 1]++;
    }
    for (int k = 0; k < items.size(); k++) {
      start[k + 1] += start[k];
    }
    int[] fill = java.util.Arrays.copyOf(start, items.size());
    int[] raters = new int[kept];
    float[] ratings = new float[kept];
    for (int k = 0; k < kept; k++) {
      int item = i[keep[k]];
      raters[fill[item]] = u[keep[k]];
      ratings[fill[item]++] = last[k];
    }
    return ItemAutoencoder.Columns.of(items.size(), start, raters, ratings);
  }
}
