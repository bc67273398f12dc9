package dev.emb4j.task;

import dev.emb4j.autograd.Variable;
import dev.emb4j.metrics.RegressionMetrics;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.LearningRateSchedule;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.Scheduler;
import dev.emb4j.optim.Sgd;
import dev.emb4j.optim.SparseAdam;
import dev.emb4j.store.DType;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.store.Storage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Trains a {@link MatrixFactorization} on ratings with mini-batches and a sparse optimizer, and evaluates it.
 *
 * <p>The learning rate decays linearly to zero over the run. Single-threaded and fully determined by {@link
 * Config#seed()}: the same data and config give bit-identical models.
 */
public final class MatrixFactorizationTrainer {

  /** The optimizer used for the sparse factor and bias tables. */
  public enum OptimizerKind {
    /** Plain SGD. */
    SGD,
    /** Adagrad (sparse). */
    ADAGRAD,
    /** PyTorch's SparseAdam: lazy Adam on the touched rows. */
    SPARSE_ADAM
  }

  /**
   * Hyper-parameters.
   *
   * @param dim factor size D
   * @param epochs passes over the training ratings
   * @param batchSize ratings per step
   * @param learningRate the optimizer's learning rate
   * @param reg L2 strength on the touched factors
   * @param regExponent how the factor L2 scales with frequency: a rating of a user seen n times adds {@code reg /
   *     n^regExponent * |p_u|^2} (0: every occurrence the same, as Funk-style SGD; 1: every row the same per epoch,
   *     as dense weight decay)
   * @param biasReg L2 strength on the touched biases
   * @param initStd standard deviation of the initial factors
   * @param optimizer which sparse optimizer
   * @param seed fixes initialisation and shuffling
   * @param dtype the element type of the user and item factor tables ({@link DType#F32}, {@link DType#BF16} or
   *     {@link DType#F16})
   */
  public record Config(
      int dim,
      int epochs,
      int batchSize,
      double learningRate,
      double reg,
      double regExponent,
      double biasReg,
      double initStd,
      OptimizerKind optimizer,
      long seed,
      DType dtype) {

    /** Checks every value. */
    public Config {
      if (dim <= 0 || epochs <= 0 || batchSize <= 0) {
        throw new IllegalArgumentException(
            "dim, epochs and batchSize must be positive, got " + dim + ", " + epochs + ", " + batchSize);
      }
      if (!(learningRate > 0) || !(reg >= 0) || !(regExponent >= 0) || !(biasReg >= 0) || !(initStd >= 0)) {
        throw new IllegalArgumentException(
            "need learningRate > 0, reg >= 0, regExponent >= 0, biasReg >= 0, initStd >= 0; got " + learningRate
                + ", " + reg + ", " + regExponent + ", " + biasReg + ", " + initStd);
      }
      java.util.Objects.requireNonNull(optimizer, "optimizer");
      java.util.Objects.requireNonNull(dtype, "dtype");
      if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
        throw new IllegalArgumentException("the factor tables hold F32, F16 or BF16 rows, not " + dtype);
      }
    }

    /**
     * The factor L2 strength of each of {@code size} rows, given the row of every training rating: {@code reg /
     * count^regExponent}, the rule every trainer of this configuration applies (a sharded one included).
     *
     * @param rows the row of each rating, each in {@code [0, size)}
     * @param size the number of rows
     * @return the strengths, one per row
     */
    public float[] rowRegularization(int[] rows, int size) {
      int[] counts = new int[size];
      for (int r : rows) {
        counts[r]++;
      }
      float[] out = new float[size];
      for (int r = 0; r < size; r++) {
        out[r] = (float) (reg / Math.pow(counts[r], regExponent));
      }
      return out;
    }

    /** The defaults, tuned on MovieLens-100k's u1 split (test RMSE about 0.919): {@code builder().build()}. */
    public static Config defaults() {
      return builder().build();
    }

    /**
     * The defaults for implicit feedback ({@link FeatureFactorizationTrainer#trainImplicit}): those of {@link
     * #defaults()} with a factor L2 of 0.01 the same for every occurrence (regExponent 0); the logistic BPR loss has
     * far smaller gradients than squared rating errors, and the rating defaults' L2 leaves a popularity ranking.
     */
    public static Config implicitDefaults() {
      return builder().reg(0.01).regExponent(0).build();
    }

    /**
     * The defaults for the feature model ({@link FeatureFactorizationTrainer#train}): those of {@link #defaults()}
     * with 15 epochs instead of 25, chosen on a validation split carved from MovieLens-100k's u1.base (see
     * docs/performance.md), where the last epochs of 25 overfit slightly.
     */
    public static Config featureDefaults() {
      return builder().epochs(15).build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
      return new Builder()
          .dim(dim)
          .epochs(epochs)
          .batchSize(batchSize)
          .learningRate(learningRate)
          .reg(reg)
          .regExponent(regExponent)
          .biasReg(biasReg)
          .initStd(initStd)
          .optimizer(optimizer)
          .seed(seed)
          .dtype(dtype);
    }

    /**
     * Builds a {@link Config}; each option starts at its default, stated here once. {@link #build()} checks the
     * values.
     */
    public static final class Builder {
      private int dim = 64;
      private int epochs = 25;
      private int batchSize = 128;
      private double learningRate = 0.15;
      private double reg = 3.0;
      private double regExponent = 0.7;
      private double biasReg = 0.0;
      private double initStd = 0.2;
      private OptimizerKind optimizer = OptimizerKind.ADAGRAD;
      private long seed = 42;
      private DType dtype = DType.F32;

      private Builder() {}

      /** The element type of the factor tables; default {@link DType#F32}. */
      public Builder dtype(DType dtype) {
        this.dtype = dtype;
        return this;
      }

      /** Factor size D; default 64. */
      public Builder dim(int dim) {
        this.dim = dim;
        return this;
      }

      /** Passes over the training ratings; default 25. */
      public Builder epochs(int epochs) {
        this.epochs = epochs;
        return this;
      }

      /** Ratings per step; default 128. */
      public Builder batchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
      }

      /** The optimizer's learning rate; default 0.15. */
      public Builder learningRate(double learningRate) {
        this.learningRate = learningRate;
        return this;
      }

      /** L2 strength on the touched factors; default 3. */
      public Builder reg(double reg) {
        this.reg = reg;
        return this;
      }

      /** How the factor L2 scales with frequency (see {@link Config#regExponent()}); default 0.7. */
      public Builder regExponent(double regExponent) {
        this.regExponent = regExponent;
        return this;
      }

      /** L2 strength on the touched biases; default 0. */
      public Builder biasReg(double biasReg) {
        this.biasReg = biasReg;
        return this;
      }

      /** Standard deviation of the initial factors; default 0.2. */
      public Builder initStd(double initStd) {
        this.initStd = initStd;
        return this;
      }

      /** Which sparse optimizer; default {@link OptimizerKind#ADAGRAD}. */
      public Builder optimizer(OptimizerKind optimizer) {
        this.optimizer = optimizer;
        return this;
      }

      /** Fixes initialisation and shuffling; default 42. */
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
        return new Config(
            dim, epochs, batchSize, learningRate, reg, regExponent, biasReg, initStd, optimizer, seed, dtype);
      }
    }
  }

  /**
   * A trained model with the id numbering it uses.
   *
   * @param model the factorisation
   * @param users raw user id to row
   * @param items raw item id to row
   * @param seconds wall time of training
   * @param finalLoss the mean training loss of the last epoch
   * @param history one summary per epoch, with the validation figures when the run had validation data
   */
  public record Result(
      MatrixFactorization model,
      IdIndex users,
      IdIndex items,
      double seconds,
      double finalLoss,
      List<EpochSummary> history) {

    /** Copies the history. */
    public Result {
      history = List.copyOf(history);
    }

    /** RMSE and MAE of the model on {@code test}; unseen users or items fall back to the known biases and mu. */
    public RegressionMetrics evaluate(Ratings test) {
      return MatrixFactorizationTrainer.evaluate(model, users, items, test);
    }
  }

  /** RMSE and MAE of {@code model} on {@code test}, its raw ids mapped through {@code users} and {@code items}. */
  static RegressionMetrics evaluate(MatrixFactorization model, IdIndex users, IdIndex items, Ratings test) {
    int n = test.size();
    int[] u = new int[n];
    int[] i = new int[n];
    for (int k = 0; k < n; k++) {
      u[k] = users.indexOf(test.users()[k]);
      i[k] = items.indexOf(test.items()[k]);
    }
    return RegressionMetrics.of(model.predictValues(u, i), test.values());
  }

  /**
   * The bytes a model of {@code users x items} with this config allocates: the four tables and the optimizer's state
   * (none for SGD, one slot per value for Adagrad, two for SparseAdam), plus the per-row L2 strengths.
   *
   * @param users distinct users
   * @param items distinct items
   * @param config the hyper-parameters
   * @return the estimated bytes, {@code Long.MAX_VALUE} for sizes beyond it
   */
  public static long estimatedBytes(long users, long items, Config config) {
    double values = (double) (users + items) * (config.dim() + 1L);
    int slots =
        switch (config.optimizer()) {
          case SGD -> 0;
          case ADAGRAD -> 1;
          case SPARSE_ADAM -> 2;
        };
    return (long) (Float.BYTES * (values * (1 + slots) + users + items)); // the cast saturates
  }

  private final Config config;
  private final Storage storage;

  /** A trainer with the given hyper-parameters, whose models keep their tables on the heap. */
  public MatrixFactorizationTrainer(Config config) {
    this(config, Storage.HEAP);
  }

  /**
   * A trainer with the given hyper-parameters whose models keep their tables in {@code storage} (see {@link
   * MatrixFactorization#MatrixFactorization(int, int, int, float, float, float, double, long, Storage, DType)}).
   */
  public MatrixFactorizationTrainer(Config config, Storage storage) {
    this.config = java.util.Objects.requireNonNull(config, "config");
    this.storage = java.util.Objects.requireNonNull(storage, "storage");
  }

  /**
   * Trains on {@code train}.
   *
   * @throws IllegalArgumentException if there are no ratings
   */
  public Result train(Ratings train) {
    return train(train, TrainingListener.NONE);
  }

  /**
   * Trains on {@code train}, telling {@code listener} about each step and epoch.
   *
   * @throws IllegalArgumentException if there are no ratings
   * @throws TrainingDivergedException if the loss or a weight becomes NaN or infinite (no model is returned)
   */
  public Result train(Ratings train, TrainingListener listener) {
    return train(train, null, listener);
  }

  /**
   * Trains on {@code train}, reporting RMSE and MAE on {@code validation} (if not null) after each epoch to {@code
   * listener} and in the result's history. The loss is checked after every step and the weights after every epoch.
   *
   * @param train the training ratings
   * @param validation held-out ratings to evaluate after each epoch, or null
   * @param listener hears about each step and epoch; may stop the run in {@link TrainingListener#beforeAllocating}
   * @return the model and how the run went
   * @throws IllegalArgumentException if there are no ratings
   * @throws TrainingDivergedException if the loss or a weight becomes NaN or infinite (no model is returned)
   */
  public Result train(Ratings train, Ratings validation, TrainingListener listener) {
    if (train.size() == 0) {
      throw new IllegalArgumentException("the training set has no ratings");
    }
    long start = System.nanoTime();
    Indexed indexed = Indexed.of(train);
    IdIndex users = indexed.users();
    IdIndex items = indexed.items();
    int[] u = indexed.u();
    int[] i = indexed.i();
    listener.beforeAllocating(estimatedBytes(users.size(), items.size(), config));
    MatrixFactorization model =
        new MatrixFactorization(
            users.size(), items.size(), config.dim(), (float) train.mean(), indexed.min(), indexed.max(),
            config.initStd(), config.seed(),
            storage,
            config.dtype());
    Fit fit =
        fit(
            config, model, train, u, i,
            (bu, bi, br, ru, ri) -> model.loss(IndexTensor.of(bu), IndexTensor.of(bi), br, ru, ri, config.biasReg()),
            () -> {
              Map<String, Double> figures = new LinkedHashMap<>();
              if (validation != null) {
                RegressionMetrics m = evaluate(model, users, items, validation);
                figures.put("rmse", m.rmse());
                figures.put("mae", m.mae());
              }
              return figures;
            },
            start, listener);
    return new Result(model, users, items, (System.nanoTime() - start) / 1e9, fit.finalLoss(), fit.history());
  }

  /**
   * The users and items of a set of ratings numbered in order of first appearance, each rating's dense user and item,
   * and the lowest and highest rating (the range predictions are clipped to).
   */
  record Indexed(IdIndex users, IdIndex items, int[] u, int[] i, float min, float max) {
    static Indexed of(Ratings train) {
      IdIndex users = new IdIndex();
      IdIndex items = new IdIndex();
      int n = train.size();
      int[] u = new int[n];
      int[] i = new int[n];
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < n; k++) {
        u[k] = users.add(train.users()[k]);
        i[k] = items.add(train.items()[k]);
        min = Math.min(min, train.values()[k]);
        max = Math.max(max, train.values()[k]);
      }
      return new Indexed(users, items, u, i, min, max);
    }
  }

  /** The loss of one batch, given its dense users and items, ratings and per-rating L2 strengths. */
  @FunctionalInterface
  interface BatchLoss {
    Variable of(int[] users, int[] items, float[] ratings, float[] userReg, float[] itemReg);
  }

  /** The last epoch's mean loss and every epoch's summary. */
  record Fit(double finalLoss, List<EpochSummary> history) {}

  /**
   * The training loop shared by the rating models: {@code config.epochs()} shuffled passes over {@code train} in
   * batches, the configured optimizer over every parameter of {@code model} on a linear learning-rate decay, the loss
   * checked after every step and the weights after every epoch, and {@code validate}'s figures in each epoch's
   * summary.
   */
  static Fit fit(
      Config config, dev.emb4j.nn.Model model, Ratings train, int[] u, int[] i, BatchLoss batchLoss,
      java.util.function.Supplier<Map<String, Double>> validate, long start, TrainingListener listener) {
    int n = train.size();
    float[] userReg = config.rowRegularization(u, maxPlusOne(u));
    float[] itemReg = config.rowRegularization(i, maxPlusOne(i));
    Optimizer opt = optimizer(config, model);
    long stepsPerEpoch = (n + config.batchSize() - 1) / config.batchSize();
    long totalSteps = config.epochs() * stepsPerEpoch;
    Scheduler schedule = new Scheduler(opt, LearningRateSchedule.linear(), totalSteps);
    SplittableRandom rng = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
    int[] order = new int[n];
    for (int k = 0; k < n; k++) {
      order[k] = k;
    }
    double epochLoss = Double.NaN;
    long step = 0;
    List<EpochSummary> history = new ArrayList<>();
    for (int epoch = 1; epoch <= config.epochs(); epoch++) {
      shuffle(order, rng);
      double lossSum = 0;
      int batches = 0;
      for (int from = 0; from < n; from += config.batchSize()) {
        int b = Math.min(config.batchSize(), n - from);
        int[] bu = new int[b];
        int[] bi = new int[b];
        float[] br = new float[b];
        float[] ru = new float[b];
        float[] ri = new float[b];
        for (int k = 0; k < b; k++) {
          int s = order[from + k];
          bu[k] = u[s];
          bi[k] = i[s];
          br[k] = train.values()[s];
          ru[k] = userReg[bu[k]];
          ri[k] = itemReg[bi[k]];
        }
        Variable loss = batchLoss.of(bu, bi, br, ru, ri);
        double lr = opt.learningRate();
        loss.backward();
        opt.step();
        opt.zeroGrad();
        schedule.step();
        lossSum += loss.item();
        batches++;
        step++;
        if (!Double.isFinite(lossSum)) { // one comparison per step: a NaN or infinity stays in the sum
          throw diverged(config, epoch, "at step " + (step - (epoch - 1) * stepsPerEpoch) + " of " + stepsPerEpoch,
              "the loss is " + loss.item());
        }
        listener.onStep(new TrainingStep(step, totalSteps, lossSum / batches, lr));
      }
      epochLoss = lossSum / batches;
      Optional<String> badWeight = TrainingDivergedException.firstNonFiniteWeight(model.parameters());
      if (badWeight.isPresent()) {
        throw diverged(config, epoch, "", badWeight.get());
      }
      EpochSummary summary =
          new EpochSummary(
              epoch, config.epochs(), epochLoss, opt.learningRate(), (System.nanoTime() - start) / 1e9,
              validate.get());
      history.add(summary);
      listener.onEpoch(summary);
    }
    return new Fit(epochLoss, history);
  }

  private static int maxPlusOne(int[] rows) {
    int max = -1;
    for (int r : rows) {
      max = Math.max(max, r);
    }
    return max + 1;
  }

  static TrainingDivergedException diverged(Config config, int epoch, String where, String problem) {
    return new TrainingDivergedException(epoch, config.epochs(), where, problem, config.learningRate());
  }

  /** The configured optimizer over every parameter of {@code model}. */
  static Optimizer optimizer(Config config, dev.emb4j.nn.Model model) {
    double lr = config.learningRate();
    return switch (config.optimizer()) {
      case SGD -> new Sgd(model.parameters(), Sgd.Config.of(lr));
      case ADAGRAD -> new Adagrad(model.parameters(), Adagrad.Config.of(lr));
      case SPARSE_ADAM -> new SparseAdam(model.parameters(), SparseAdam.Config.of(lr));
    };
  }

  static void shuffle(int[] a, SplittableRandom rng) {
    for (int k = a.length - 1; k > 0; k--) {
      int j = rng.nextInt(k + 1);
      int t = a[k];
      a[k] = a[j];
      a[j] = t;
    }
  }
}
