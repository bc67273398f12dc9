package dev.emb4j.task.text;

import dev.emb4j.store.DType;
import dev.emb4j.task.EpochSummary;
import dev.emb4j.task.TrainingDivergedException;
import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.TrainingStep;
import dev.emb4j.store.Storage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Trains a {@link TextClassifier} the way fastText trains its supervised models: plain SGD on one example at a time,
 * the learning rate decaying linearly to zero over all the tokens of all epochs, the input rows, the hidden layer and
 * the output layer updated in one fused pass per example.
 *
 * <p><b>Threads.</b> With {@code threads > 1} each epoch's (shuffled) examples are split between threads that update
 * the shared weights without locks ("Hogwild", as fastText does): fast, and nearly as good as one thread, but not
 * repeatable. With one thread (or {@link Config#deterministic()}), the same data and seed give bit-identical models.
 *
 * <p><b>Shared parameters.</b> {@link #train(List, List, TrainingListener, ParameterExchange)} runs the same loop on
 * one thread against parameters kept elsewhere (module {@code emb4j-cluster} keeps them in a cluster), pulling and
 * pushing them batch by batch, as one of several trainers that share the texts.
 */
public final class TextClassifierTrainer {

  /**
   * Hyper-parameters (fastText's names in brackets).
   *
   * @param dim embedding size [dim]
   * @param epochs passes over the data [epoch]
   * @param learningRate initial learning rate [lr]
   * @param ngrams longest word n-gram [wordNgrams]
   * @param buckets hash buckets for n-grams [bucket]
   * @param minCount minimal word count [minCount]
   * @param hidden ReLU hidden layer size, 0 for none (fastText has none)
   * @param threads training threads [thread]
   * @param deterministic force one thread so that runs repeat exactly
   * @param lowercase lower-case texts before tokenising
   * @param seed fixes initialisation and shuffling
   * @param dtype the element type of the input rows ({@link DType#F32}, {@link DType#BF16} or {@link DType#F16}); a
   *     16-bit table's SGD updates are written back with stochastic rounding
   */
  public record Config(
      int dim,
      int epochs,
      double learningRate,
      int ngrams,
      int buckets,
      int minCount,
      int hidden,
      int threads,
      boolean deterministic,
      boolean lowercase,
      long seed,
      DType dtype) {

    /** Checks each value; a message names the value at fault. */
    public Config {
      requireAtLeast("dim", dim, 1);
      requireAtLeast("epochs", epochs, 1);
      requireAtLeast("ngrams", ngrams, 1);
      requireAtLeast("buckets", buckets, 0);
      requireAtLeast("minCount", minCount, 1);
      requireAtLeast("hidden", hidden, 0);
      requireAtLeast("threads", threads, 1);
      java.util.Objects.requireNonNull(dtype, "dtype");
      if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
        throw new IllegalArgumentException("the input rows hold F32, F16 or BF16 values, not " + dtype);
      }
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException("learningRate must be positive and finite, got " + learningRate);
      }
      TextClassifier.Shape.requireDenseLayerFits(hidden, dim);
    }

    private static void requireAtLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
      }
    }

    /**
     * fastText-like defaults for short texts: dim 50, 25 epochs, lr 0.5, bigrams in 200k buckets, one thread: {@code
     * builder().build()}.
     */
    public static Config defaults() {
      return builder().build();
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
          .learningRate(learningRate)
          .ngrams(ngrams)
          .buckets(buckets)
          .minCount(minCount)
          .hidden(hidden)
          .threads(threads)
          .deterministic(deterministic)
          .lowercase(lowercase)
          .seed(seed)
          .dtype(dtype);
    }

    /**
     * Builds a {@link Config}; each option starts at its default, stated here once (fastText's name in brackets).
     * {@link #build()} checks the values.
     */
    public static final class Builder {
      private int dim = 50;
      private int epochs = 25;
      private double learningRate = 0.5;
      private int ngrams = 2;
      private int buckets = 200_000;
      private int minCount = 1;
      private int hidden = 0;
      private int threads = 1;
      private boolean deterministic = false;
      private boolean lowercase = true;
      private long seed = 42;
      private DType dtype = DType.F32;

      private Builder() {}

      /** Embedding size [dim]; default 50. */
      public Builder dim(int dim) {
        this.dim = dim;
        return this;
      }

      /** Passes over the data [epoch]; default 25. */
      public Builder epochs(int epochs) {
        this.epochs = epochs;
        return this;
      }

      /** Initial learning rate [lr]; default 0.5. */
      public Builder learningRate(double learningRate) {
        this.learningRate = learningRate;
        return this;
      }

      /** Longest word n-gram [wordNgrams]; default 2. */
      public Builder ngrams(int ngrams) {
        this.ngrams = ngrams;
        return this;
      }

      /** Hash buckets for n-grams [bucket]; default 200,000. */
      public Builder buckets(int buckets) {
        this.buckets = buckets;
        return this;
      }

      /** Minimal word count [minCount]; default 1. */
      public Builder minCount(int minCount) {
        this.minCount = minCount;
        return this;
      }

      /** ReLU hidden layer size, 0 for none (fastText has none); default 0. */
      public Builder hidden(int hidden) {
        this.hidden = hidden;
        return this;
      }

      /** Training threads [thread]; default 1. */
      public Builder threads(int threads) {
        this.threads = threads;
        return this;
      }

      /** Force one thread so that runs repeat exactly; default false. */
      public Builder deterministic(boolean deterministic) {
        this.deterministic = deterministic;
        return this;
      }

      /** Lower-case texts before tokenising; default true. */
      public Builder lowercase(boolean lowercase) {
        this.lowercase = lowercase;
        return this;
      }

      /** The element type of the input rows; default {@link DType#F32}. */
      public Builder dtype(DType dtype) {
        this.dtype = dtype;
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
            dim, epochs, learningRate, ngrams, buckets, minCount, hidden, threads, deterministic, lowercase, seed,
            dtype);
      }
    }

    /** Threads actually used. */
    public int effectiveThreads() {
      return deterministic ? 1 : threads;
    }
  }

  /**
   * A trained model and how the run went.
   *
   * @param model the classifier
   * @param seconds wall time of the whole call (vocabulary, table allocation and initialisation, training)
   * @param trainingSeconds wall time of the SGD loop alone (what fastText's words/sec/thread measures)
   * @param tokens tokens processed (all epochs; each text counts one end-of-text token, as fastText)
   * @param threads threads used
   * @param finalLoss mean loss of the last epoch
   * @param history one summary per epoch, with the validation loss and accuracy when the run had validation data
   */
  public record Result(
      TextClassifier model,
      double seconds,
      double trainingSeconds,
      long tokens,
      int threads,
      double finalLoss,
      List<EpochSummary> history) {

    /** Copies the history. */
    public Result {
      history = List.copyOf(history);
    }

    /** fastText's throughput figure: tokens per second per thread, over the SGD loop. */
    public double wordsPerSecondPerThread() {
      return trainingSeconds > 0 ? tokens / trainingSeconds / threads : 0;
    }
  }

  /** Tokens between two progress reports (and divergence checks) of a training thread. */
  private static final int REPORT_TOKENS = 10_000;

  private final Config config;
  private final Storage storage;

  /** A trainer with the given hyper-parameters, whose models keep their input table on the heap. */
  public TextClassifierTrainer(Config config) {
    this(config, Storage.HEAP);
  }

  /**
   * A trainer with the given hyper-parameters whose models keep their input table (words and n-gram buckets) in
   * {@code storage}; a mapped table is filled when the model is made (training updates its rows in place, Hogwild,
   * without the lazy rows' bookkeeping). Close the model to seal a mapped file.
   */
  public TextClassifierTrainer(Config config, Storage storage) {
    this.config = java.util.Objects.requireNonNull(config, "config");
    this.storage = java.util.Objects.requireNonNull(storage, "storage");
  }

  /** Trains on {@code examples}. */
  public Result train(List<LabeledText> examples) {
    return train(examples, TrainingListener.NONE);
  }

  /**
   * Trains on {@code examples}, reporting progress in tokens.
   *
   * @throws IllegalArgumentException if there are no examples, fewer than two labels or no word occurs {@code
   *     minCount} times
   * @throws TrainingDivergedException if the loss or a weight becomes NaN or infinite (no model is returned)
   */
  public Result train(List<LabeledText> examples, TrainingListener listener) {
    return train(examples, List.of(), listener);
  }

  /**
   * Trains on {@code examples}, reporting progress in tokens and, after each epoch, the mean loss and the accuracy on
   * {@code validation} (if not empty) to {@code listener} and in the result's history. The loss is checked every few
   * thousand tokens and the weights once at the end.
   *
   * @param examples the training texts
   * @param validation held-out texts to evaluate after each epoch (their labels must occur in training), or empty
   * @param listener hears about progress and epochs; may stop the run in {@link TrainingListener#beforeAllocating}
   * @return the model and how the run went
   * @throws IllegalArgumentException if there are no examples, fewer than two labels, no word occurs {@code minCount}
   *     times, or a validation text has a label not seen in training
   * @throws TrainingDivergedException if the loss or a weight becomes NaN or infinite (no model is returned)
   */
  public Result train(List<LabeledText> examples, List<LabeledText> validation, TrainingListener listener) {
    return train(examples, validation, listener, ParameterExchange.LOCAL);
  }

  /**
   * Trains as above, with the parameters kept where {@code exchange} keeps them: the vocabulary, the labels and the
   * initial weights come from all of {@code examples} (every trainer of a shared run makes the same model), the SGD
   * steps run on this trainer's share of them ({@link ParameterExchange#part()}), in batches that {@code exchange}
   * pulls and pushes, on one thread; the learning rate decays over the share's tokens. With {@link
   * ParameterExchange#LOCAL} this is the ordinary run.
   *
   * @param examples the training texts (all of them, whatever the share)
   * @param validation held-out texts to evaluate after each epoch, or empty
   * @param listener hears about progress and epochs
   * @param exchange where the parameters are kept
   * @return the model (as the exchange holds it at the end) and how the run went; tokens count the share's
   * @throws IllegalArgumentException as above, or if {@code exchange} is not {@link ParameterExchange#LOCAL} and the
   *     config asks for more than one thread, or the share is empty
   */
  public Result train(
      List<LabeledText> examples, List<LabeledText> validation, TrainingListener listener,
      ParameterExchange exchange) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("the training set is empty");
    }
    boolean shared = exchange != ParameterExchange.LOCAL;
    if (shared && config.effectiveThreads() > 1) {
      throw new IllegalArgumentException(
          "training with shared parameters runs one thread per worker, not " + config.effectiveThreads()
              + " (threads)");
    }
    int parts = exchange.parts();
    int part = exchange.part();
    if (parts < 1 || part < 0 || part >= parts) {
      throw new IllegalArgumentException("part must be in 0.." + (parts - 1) + ", got " + part + " of " + parts);
    }
    if (examples.size() < parts) {
      throw new IllegalArgumentException(examples.size() + " texts cannot be split over " + parts + " workers");
    }
    if (shared && exchange.batchTexts() < 1) {
      throw new IllegalArgumentException("batchTexts must be at least 1, got " + exchange.batchTexts());
    }
    long start = System.nanoTime();
    WordIndex words = WordIndex.build(examples, config.minCount());
    if (words.size() - (words.id(TextClassifier.EOS) >= 0 ? 1 : 0) == 0) {
      throw new IllegalArgumentException(
          config.minCount() > 1
              ? "empty vocabulary: no word occurs at least " + config.minCount() + " times (minCount)"
              : "empty vocabulary: the texts have no words");
    }
    List<String> labels = labelsByFrequency(examples);
    requireKnownLabels(validation, labels);
    TextClassifier.Shape shape =
        new TextClassifier.Shape(
            config.dim(), config.ngrams(), effectiveBuckets(), config.hidden(), config.lowercase());
    listener.beforeAllocating(shape.parameterBytes(words.size(), labels.size()));
    TextClassifier model = new TextClassifier(shape, words, labels, config.seed(), storage, config.dtype());
    try {
      exchange.start(model.parameters());
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    int all = examples.size();
    int n = (all - part + parts - 1) / parts; // this trainer's share: texts part, part + parts, ...
    int[][] ids = new int[all][];
    int[] y = new int[all];
    long tokensPerEpoch = 0;
    for (int i = 0; i < all; i++) {
      ids[i] = model.inputIds(examples.get(i).tokens());
      y[i] = model.labelId(examples.get(i).label());
      if (i % parts == part) {
        tokensPerEpoch += examples.get(i).tokens().size() + 1;
      }
    }
    int[][] validIds = new int[validation.size()][];
    int[] validY = new int[validation.size()];
    for (int i = 0; i < validIds.length; i++) {
      validIds[i] = model.inputIds(validation.get(i).tokens());
      validY[i] = model.labelId(validation.get(i).label());
    }
    long total = tokensPerEpoch * config.epochs();
    AtomicLong done = new AtomicLong();
    int threads = config.effectiveThreads();
    SplittableRandom rng = new SplittableRandom(config.seed() ^ 0x9E3779B97F4A7C15L);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = part + i * parts;
    }
    double lastLoss = Double.NaN;
    List<EpochSummary> history = new ArrayList<>();
    long loopStart = System.nanoTime();
    ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
    try {
      for (int epoch = 1; epoch <= config.epochs(); epoch++) {
        shuffle(order, rng);
        Slice whole = new Slice(epoch, ids, y, examples, order, done, total, listener);
        double lossSum;
        if (pool == null) {
          lossSum = whole.run(model, 0, n, exchange);
        } else {
          List<Future<Double>> slices = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            int from = (int) ((long) n * t / threads);
            int to = (int) ((long) n * (t + 1) / threads);
            slices.add(pool.submit(() -> whole.run(model, from, to, exchange)));
          }
          lossSum = 0;
          for (Future<Double> f : slices) {
            lossSum += f.get();
          }
        }
        lastLoss = lossSum / n; // finite: each slice checked its own sum
        if (validIds.length > 0) {
          exchange.refresh();
        }
        EpochSummary summary =
            new EpochSummary(
                epoch,
                config.epochs(),
                lastLoss,
                learningRate(done.get(), total),
                (System.nanoTime() - start) / 1e9,
                validate(model, validIds, validY));
        history.add(summary);
        listener.onEpoch(summary);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("training was interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TrainingDivergedException d) {
        throw d;
      }
      throw new IllegalStateException("a training thread failed: " + e.getCause(), e.getCause());
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    exchange.finish();
    long end = System.nanoTime();
    Optional<String> badWeight = TrainingDivergedException.firstNonFiniteWeight(model.parameters());
    if (badWeight.isPresent()) {
      throw diverged(config.epochs(), "", badWeight.get());
    }
    return new Result(model, (end - start) / 1e9, (end - loopStart) / 1e9, done.get(), threads, lastLoss, history);
  }

  /** The buckets the model gets: none without word n-grams, whatever the config says. */
  private int effectiveBuckets() {
    return config.ngrams() > 1 ? config.buckets() : 0;
  }

  /** The learning rate after {@code done} of {@code total} tokens: linear decay to zero, as fastText's. */
  private double learningRate(long done, long total) {
    return config.learningRate() * (1.0 - Math.min(1.0, (double) done / total));
  }

  private TrainingDivergedException diverged(int epoch, String where, String problem) {
    return new TrainingDivergedException(epoch, config.epochs(), where, problem, config.learningRate());
  }

  private static void requireKnownLabels(List<LabeledText> validation, List<String> labels) {
    for (LabeledText ex : validation) {
      if (!labels.contains(ex.label())) {
        throw new IllegalArgumentException(
            "validation label '" + ex.label() + "'" + (ex.line() > 0 ? " on line " + ex.line() : "")
                + " was not seen in training (known: " + String.join(", ", labels) + ")");
      }
    }
  }

  /** Mean loss and accuracy (P@1) on the validation texts, or nothing without them. */
  private static Map<String, Double> validate(TextClassifier model, int[][] ids, int[] y) {
    if (ids.length == 0) {
      return Map.of();
    }
    Forward f = new Forward(model);
    double lossSum = 0;
    int correct = 0;
    for (int i = 0; i < ids.length; i++) {
      f.run(ids[i]);
      lossSum += Forward.loss(f.prob[y[i]]);
      correct += f.argmax() == y[i] ? 1 : 0;
    }
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("loss", lossSum / ids.length);
    figures.put("accuracy", (double) correct / ids.length);
    return figures;
  }

  /** One epoch's work, shared by its threads: each runs a slice of the shuffled order. */
  private final class Slice {
    private final int epoch;
    private final int[][] ids;
    private final int[] y;
    private final List<LabeledText> examples;
    private final int[] order;
    private final AtomicLong done;
    private final long total;
    private final TrainingListener listener;

    Slice(
        int epoch,
        int[][] ids,
        int[] y,
        List<LabeledText> examples,
        int[] order,
        AtomicLong done,
        long total,
        TrainingListener listener) {
      this.epoch = epoch;
      this.ids = ids;
      this.y = y;
      this.examples = examples;
      this.order = order;
      this.done = done;
      this.total = total;
      this.listener = listener;
    }

    /**
     * SGD over the examples at {@code order[from, to)}; returns their summed loss. The sum is checked at each
     * report: a NaN or infinite loss stays in it, so one comparison every few thousand tokens catches divergence.
     */
    double run(TextClassifier model, int from, int to, ParameterExchange exchange) {
      Forward f = new Forward(model, (long) epoch << 32 | from);
      double lossSum = 0;
      long local = 0;
      boolean shared = exchange != ParameterExchange.LOCAL;
      int batch = exchange.batchTexts();
      long[] rows = null;
      for (int k = from; k < to; k++) {
        int i = order[k];
        if (shared && (k - from) % batch == 0) {
          rows = inputRows(k, Math.min(to, k + batch));
          exchange.pull(rows);
        }
        float lr = (float) learningRate(done.get(), total);
        lossSum += f.step(ids[i], y[i], lr);
        if (shared && ((k - from + 1) % batch == 0 || k == to - 1)) {
          exchange.push(rows);
        }
        local += examples.get(i).tokens().size() + 1;
        if (local >= REPORT_TOKENS || k == to - 1) {
          long now = done.addAndGet(local);
          local = 0;
          if (!Double.isFinite(lossSum)) {
            String share = to - from < order.length ? " of a thread's share" : "";
            String where = "by text " + (k - from + 1) + " of " + (to - from) + share;
            throw diverged(epoch, where, "the loss is " + lossSum);
          }
          listener.onStep(new TrainingStep(now, total, lossSum / (k - from + 1), lr));
        }
      }
      return lossSum;
    }

    /** The input rows of the texts at {@code order[from, to)}, ascending and distinct. */
    private long[] inputRows(int from, int to) {
      int count = 0;
      for (int k = from; k < to; k++) {
        count += ids[order[k]].length;
      }
      long[] rows = new long[count];
      int at = 0;
      for (int k = from; k < to; k++) {
        for (int id : ids[order[k]]) {
          rows[at++] = id;
        }
      }
      return java.util.Arrays.stream(rows).sorted().distinct().toArray();
    }
  }

  private static List<String> labelsByFrequency(List<LabeledText> examples) {
    Map<String, int[]> counts = new LinkedHashMap<>();
    for (LabeledText ex : examples) {
      counts.computeIfAbsent(ex.label(), k -> new int[1])[0]++;
    }
    List<String> labels = new ArrayList<>(counts.keySet());
    labels.sort((a, b) -> Integer.compare(counts.get(b)[0], counts.get(a)[0])); // stable: first appearance on ties
    if (labels.size() < 2) {
      throw new IllegalArgumentException(
          "the training set has only one label (" + labels.get(0) + "); a classifier needs at least two");
    }
    return labels;
  }

  private static void shuffle(int[] a, SplittableRandom rng) {
    for (int k = a.length - 1; k > 0; k--) {
      int j = rng.nextInt(k + 1);
      int t = a[k];
      a[k] = a[j];
      a[j] = t;
    }
  }
}
