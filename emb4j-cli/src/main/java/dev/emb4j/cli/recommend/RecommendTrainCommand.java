package dev.emb4j.cli.recommend;

import dev.emb4j.cli.ConfigDefaults;
import dev.emb4j.cli.FileChecks;
import dev.emb4j.cli.JsonOutput;
import dev.emb4j.cli.MemoryBudget;
import dev.emb4j.cli.Progress;
import dev.emb4j.cli.RunLog;
import dev.emb4j.cli.Ranges;
import dev.emb4j.cli.StoreOptions;
import dev.emb4j.cli.cluster.ClusterTrainOptions;
import dev.emb4j.cli.DTypeOption;
import dev.emb4j.internal.format.Json;
import dev.emb4j.metrics.RegressionMetrics;
import dev.emb4j.store.DType;
import dev.emb4j.store.Storage;
import dev.emb4j.task.MatrixFactorizationTrainer;
import dev.emb4j.task.MatrixFactorizationTrainer.Config;
import dev.emb4j.task.MatrixFactorizationTrainer.OptimizerKind;
import dev.emb4j.task.EpochSummary;
import dev.emb4j.task.FactorizationBlend;
import dev.emb4j.task.FeatureFactorizationTrainer;
import dev.emb4j.task.ItemAutoencoderTrainer;
import dev.emb4j.task.LeaveOneOut;
import dev.emb4j.task.RankingEvaluation;
import dev.emb4j.task.RankingMetrics;
import dev.emb4j.task.Ratings;
import dev.emb4j.task.SideFeatures;
import dev.emb4j.task.TsvData;
import dev.emb4j.task.TsvSchema;
import dev.emb4j.task.Recommender;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code emb4j recommend train}: fits a model on a ratings file, optionally evaluates it, and saves it. */
@Command(
    name = "train",
    description = {
      "Train biased matrix factorisation on 'user item rating [timestamp]' lines (tab, comma or space separated)."
          + " Both input files are read and checked before training; the model file is written only on success.",
      "A rating outside --rating-range is a malformed line; without it, ratings beyond -1000000..1000000 are.",
      "Progress (stderr) shows the loss and learning rate; with --test, one line per epoch gives the RMSE and MAE"
          + " on the test ratings. A run whose loss or weights become NaN or infinite (learning rate too high) stops"
          + " with an error naming the epoch and step, and no model is saved. The tables' memory is checked first.",
      "--json prints one object: train_ratings, users, items, seconds, test_ratings, rmse, mae (with --test),"
          + " keys and keys_sharing_a_row (with --users, --items, --rated-items, --hash-rows or a --schema with"
          + " features), skipped_lines, model, and history:"
          + " per epoch {epoch, loss, lr, seconds} and, with --test, validation {rmse, mae}.",
      "--implicit treats every rated pair as an interaction and trains with the BPR loss on sampled negatives; each"
          + " user's latest interaction (highest timestamp, else last line) is held out and ranked among 99 sampled"
          + " items the user never interacted with (the NCF protocol), and HR@10 and NDCG@10 are printed beside the"
          + " most-popular baseline's (--json adds held_out_users, hr10, ndcg10, popular_hr10, popular_ndcg10;"
          + " train_ratings counts the training interactions, history's validation {hr10, ndcg10}).",
      "--autoencoder H also trains an item-based autoencoder (I-AutoRec) with H hidden units on the same ratings and"
          + " saves the blend --blend-weight * model + (1 - --blend-weight) * autoencoder, itself a biased MF, so"
          + " test, topk and similar work on it unchanged; with --test the output adds each part's RMSE and MAE"
          + " (--json: model_rmse, model_mae, autoencoder_rmse, autoencoder_mae, autoencoder_seconds, blend_weight;"
          + " history stays the model's)."
    },
    mixinStandardHelpOptions = true,
    defaultValueProvider = RecommendTrainCommand.Defaults.class,
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j recommend train --train u1.base --output ml.model",
      "  emb4j recommend train --train u1.base --test u1.test --output ml.model --json",
      "  emb4j recommend train --implicit --train u.data --output ml-bpr.model",
      "  emb4j recommend train --train u1.base --test u1.test --users u.user --items u.item --autoencoder 500"
          + " --output ml.model"
    })
public final class RecommendTrainCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--train", required = true, paramLabel = "FILE", description = "Training ratings.")
  private Path train;

  @Option(names = "--test", paramLabel = "FILE", description = "Test ratings: report RMSE and MAE on them.")
  private Path test;

  @Option(names = "--output", required = true, paramLabel = "MODEL", description = "Where to save the model.")
  private Path output;

  @Option(
      names = "--users",
      paramLabel = "FILE",
      description =
          "MovieLens 100k's u.user: train on user features too (age bucket, gender, occupation, zip prefix), every"
              + " id raw through dynamic tables.")
  private Path users;

  @Option(
      names = "--items",
      paramLabel = "FILE",
      description = "MovieLens 100k's u.item: train on item features too (genres, release year).")
  private Path items;

  @Option(
      names = "--schema",
      paramLabel = "FILE",
      description =
          "--train (and --test) are tab-separated with a header line, their columns described by FILE: one a line,"
              + " 'name kind [side]' with kinds id (side user or item), rating, timestamp, and the features"
              + " categorical, multi ('|'-separated values) and numeric, each with its side.")
  private Path schema;

  @Option(
      names = "--rated-items",
      description =
          "SVD++-style: each user's vector and bias also sum embeddings of the items it rated in --train, each"
              + " weighted 1/sqrt(n) for its n items.")
  private boolean ratedItems;

  @Option(
      names = "--feature-reg",
      paramLabel = "X",
      converter = Ranges.NonNegativeReal.class,
      description =
          "With features (--users, --items, --rated-items or a --schema with features): an L2 of its own on each"
              + " side's features, X * |f|^2 per rating, where f is the user's (item's) pooled vector without its"
              + " id's embedding; on top of --reg on the whole vector (default: ${DEFAULT-VALUE}). Not with"
              + " --implicit.")
  private double featureReg;

  @Option(
      names = "--hash-rows",
      paramLabel = "N",
      converter = Ranges.Positive.class,
      description =
          "For comparison: the same feature model with the hash trick instead of collision-free dynamic tables, each"
              + " key (an id or a feature value) mapped to one of N rows per side (users, items); the output counts"
              + " the keys that share a row.")
  private Integer hashRows;

  @Option(
      names = "--implicit",
      description =
          "Implicit feedback: BPR loss with sampled negatives, evaluated by leave-one-out HR@10 and NDCG@10 against"
              + " 99 sampled negatives beside a most-popular baseline (each user's latest interaction of --train is"
              + " held out; no --test).")
  private boolean implicit;

  @Option(
      names = "--autoencoder",
      paramLabel = "H",
      converter = Ranges.Positive.class,
      description =
          "Also train an item-based autoencoder (I-AutoRec) with H hidden units (the paper uses 500) and save its"
              + " blend with the model (see --blend-weight).")
  private Integer autoencoder;

  @Option(
      names = "--autoencoder-l2",
      paramLabel = "X",
      converter = Ranges.NonNegativeReal.class,
      description = "With --autoencoder: L2 strength X/2 * (|V|^2 + |W|^2) on its weights (default: ${DEFAULT-VALUE}).")
  private double autoencoderL2;

  @Option(
      names = "--autoencoder-epochs",
      paramLabel = "N",
      converter = Ranges.Positive.class,
      description = "With --autoencoder: full-batch Adam steps (default: ${DEFAULT-VALUE}).")
  private int autoencoderEpochs;

  @Option(
      names = "--blend-weight",
      paramLabel = "A",
      description =
          "With --autoencoder: the model's share A in A * model + (1 - A) * autoencoder, in [0, 1] (default:"
              + " ${DEFAULT-VALUE}, chosen on a validation split of MovieLens' u1.base with --users and --items).")
  private double blendWeight;

  @Mixin private RatingRangeOption ratingRange;

  @Mixin private StoreOptions storeOptions;

  @Mixin private ClusterTrainOptions clusterOptions;

  @Option(names = "--dim", converter = Ranges.Positive.class, description = "Factor size (default: ${DEFAULT-VALUE}).")
  private int dim;

  @Option(
      names = "--epochs",
      converter = Ranges.Positive.class,
      description = "Passes over the data (default: ${DEFAULT-VALUE}; with features, ratings and no --implicit 15).")
  private int epochs;

  @Option(
      names = "--lr",
      converter = Ranges.PositiveReal.class,
      description = "Learning rate (default: ${DEFAULT-VALUE}).")
  private double lr;

  @Option(
      names = "--reg",
      converter = Ranges.NonNegativeReal.class,
      description = "L2 on factors (default: ${DEFAULT-VALUE}; with --implicit 0.01).")
  private double reg;

  @Option(
      names = "--reg-exponent",
      converter = Ranges.NonNegativeReal.class,
      description =
          "How the factor L2 scales with frequency: reg / count^x per rating (default: ${DEFAULT-VALUE}, with"
              + " --implicit 0.0; 0 = the same for every rating, as Funk-style SGD).")
  private double regExponent;

  @Option(
      names = "--bias-reg",
      converter = Ranges.NonNegativeReal.class,
      description = "L2 on biases (default: ${DEFAULT-VALUE}).")
  private double biasReg;

  @Option(
      names = "--batch-size",
      converter = Ranges.Positive.class,
      description = "Ratings per step (default: ${DEFAULT-VALUE}).")
  private int batchSize;

  @Option(
      names = "--optimizer",
      description = "SGD, ADAGRAD or SPARSE_ADAM (default: ${DEFAULT-VALUE}).")
  private OptimizerKind optimizer;

  @Option(names = "--seed", description = "Fixes initialisation and shuffling.")
  private long seed;

  @Option(names = "--dtype", converter = DTypeOption.Floats.class, paramLabel = "TYPE",
      description = DTypeOption.Floats.TRAINING)
  private DType dtype;

  @Option(names = "--skip-bad-lines", description = "Skip malformed lines (and report how many) instead of stopping.")
  private boolean skipBadLines;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  private boolean json;

  @Option(names = {"-q", "--quiet"}, description = "No progress output.")
  private boolean quiet;

  @Option(
      names = "--log",
      paramLabel = "FILE",
      description = "Write the run log (JSON lines: steps and epochs with loss, learning rate, validation) to FILE as training goes.")
  private Path log;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    FileChecks.readable(train);
    if (test != null) {
      FileChecks.readable(test);
    }
    FileChecks.notAnInput(spec, "--output", output, "--train", train);
    FileChecks.notAnInput(spec, "--output", output, "--test", test);
    FileChecks.notAnInput(spec, "--output", output, "--users", users);
    FileChecks.notAnInput(spec, "--output", output, "--items", items);
    if (users != null) {
      FileChecks.readable(users);
    }
    if (items != null) {
      FileChecks.readable(items);
    }
    FileChecks.writable(output, err);
    clusterOptions.check();
    if (clusterOptions.enabled()
        && (users != null || items != null || hashRows != null || implicit || schema != null || ratedItems)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--cluster trains biased MF on raw ratings; --users, --items, --hash-rows, --rated-items, --implicit and"
              + " --schema train on one machine");
    }
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    if (autoencoder == null) {
      for (String o : List.of("--autoencoder-l2", "--autoencoder-epochs", "--blend-weight")) {
        if (parsed.hasMatchedOption(o)) {
          throw new picocli.CommandLine.ParameterException(spec.commandLine(), o + " needs --autoencoder H");
        }
      }
    } else if (!(blendWeight >= 0 && blendWeight <= 1)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--blend-weight must be in [0, 1], got " + blendWeight);
    } else if (implicit || clusterOptions.enabled() || parsed.hasMatchedOption("--store")) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--autoencoder blends rating models trained on one machine on the heap; not with --implicit, --cluster or"
              + " --store");
    }
    if (schema != null && (users != null || items != null)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--schema reads the features from the data file; --users and --items have no use");
    }
    if (schema != null) {
      FileChecks.readable(schema);
    }
    FileChecks.notAnInput(spec, "--output", output, "--schema", schema);
    if (spec.commandLine().getParseResult().hasMatchedOption("--feature-reg") && (implicit || clusterOptions.enabled())) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--feature-reg applies to the rating objective on one machine, not --implicit or --cluster");
    }
    if (implicit && test != null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--implicit holds out each user's latest interaction of --train; --test has no use");
    }
    Config config =
        Config.builder()
            .dim(dim)
            .epochs(epochs)
            .batchSize(batchSize)
            .learningRate(lr)
            .reg(reg)
            .regExponent(regExponent)
            .biasReg(biasReg)
            .optimizer(optimizer)
            .seed(seed)
            .dtype(dtype)
            .build();
    if (implicit) { // unless given, the L2 of the implicit defaults: the rating defaults' leave a popularity ranking
      Config d = Config.implicitDefaults();
      CommandLine.ParseResult given = spec.commandLine().getParseResult();
      config =
          config.toBuilder()
              .reg(given.hasMatchedOption("--reg") ? reg : d.reg())
              .regExponent(given.hasMatchedOption("--reg-exponent") ? regExponent : d.regExponent())
              .build();
    }
    Storage storage = storeOptions.storage(List.of("user", "item", "user_bias", "item_bias"));
    TsvSchema columns = schema == null ? null : TsvSchema.read(schema);
    if (columns != null && !columns.hasRating() && !implicit) {
      throw new IllegalArgumentException(schema + " names no rating column; --implicit trains without one");
    }
    TsvData table = columns == null ? null : TsvData.read(train, columns, skipBadLines, ratingRange.range);
    Ratings.Loaded trainData = table != null ? table.loaded() : Ratings.load(train, skipBadLines, ratingRange.range);
    Ratings.Loaded testData =
        test == null
            ? null
            : columns != null
                ? TsvData.read(test, columns, skipBadLines, ratingRange.range).loaded()
                : Ratings.load(test, skipBadLines, ratingRange.range);
    SideFeatures userFeatures =
        table != null ? table.users() : users == null ? SideFeatures.none() : SideFeatures.movieLensUsers(users);
    SideFeatures itemFeatures =
        table != null ? table.items() : items == null ? SideFeatures.none() : SideFeatures.movieLensItems(items);
    boolean withFeatures =
        users != null || items != null || hashRows != null || ratedItems
            || (columns != null && columns.hasFeatures());
    if (spec.commandLine().getParseResult().hasMatchedOption("--feature-reg") && !withFeatures) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--feature-reg needs features: --users, --items, --rated-items or a --schema naming feature columns");
    }
    if (withFeatures && !implicit && !spec.commandLine().getParseResult().hasMatchedOption("--epochs")) {
      config = config.toBuilder().epochs(Config.featureDefaults().epochs()).build();
    }
    FeatureFactorizationTrainer featureTrainer = new FeatureFactorizationTrainer(config, userFeatures, itemFeatures);
    featureTrainer = ratedItems ? featureTrainer.withRatedItems() : featureTrainer;
    featureTrainer = featureTrainer.withFeatureReg(featureReg);
    featureTrainer = hashRows == null ? featureTrainer : featureTrainer.hashed(hashRows);
    if (trainData.ratings().size() == 0) {
      throw new IllegalArgumentException(train + " has no ratings to train on");
    }
    FileChecks.hasRoom(output, modelBytesAtLeast(trainData.ratings(), config, autoencoder));
    Progress progress = new Progress(err, Progress.styleFor(quiet || json), "training", "steps");
    RunLog runLog = RunLog.to(log, progress);
    String model =
        "the model (--dim " + dim + ", --optimizer " + optimizer + ", --dtype " + DTypeOption.name(dtype) + ")";
    MatrixFactorizationTrainer.Result result;
    MatrixFactorizationTrainer.Result autoencoded = null;
    LeaveOneOut split =
        implicit ? LeaveOneOut.split(trainData.ratings(), trainData.timestamps()) : null;
    RankingEvaluation ranking =
        implicit
            ? RankingEvaluation.sample(
                split, RankingEvaluation.DEFAULT_NEGATIVES, RankingEvaluation.DEFAULT_CUTOFF, seed)
            : null;
    Ratings fitted = implicit ? split.train() : trainData.ratings();
    try {
      Ratings validation = testData == null ? null : testData.ratings();
      result =
          implicit
              ? featureTrainer.trainImplicit(fitted, ranking, MemoryBudget.checking(model, runLog))
              : clusterOptions.enabled()
              ? clusterOptions.train(config, trainData.ratings(), validation, MemoryBudget.checking(model, runLog))
              : withFeatures
                  ? featureTrainer.train(trainData.ratings(), validation, MemoryBudget.checking(model, runLog))
              : new MatrixFactorizationTrainer(config, storage)
                  .train(trainData.ratings(), validation, MemoryBudget.checking(model, runLog));
      if (autoencoder != null) {
        ItemAutoencoderTrainer.Config ae =
            ItemAutoencoderTrainer.Config.builder()
                .hidden(autoencoder)
                .l2(autoencoderL2)
                .epochs(autoencoderEpochs)
                .seed(seed)
                .build();
        progress.note("autoencoder (I-AutoRec), " + autoencoder + " hidden units:");
        autoencoded =
            new ItemAutoencoderTrainer(ae)
                .train(
                    trainData.ratings(), validation,
                    MemoryBudget.checking("the autoencoder (--autoencoder " + autoencoder + ")", runLog));
      }
    } finally {
      progress.finish();
      runLog.close();
    }
    List<EpochSummary> history = result.history();
    RegressionMetrics modelMetrics = null;
    RegressionMetrics autoencoderMetrics = null;
    if (autoencoded != null) {
      if (testData != null) {
        modelMetrics = result.evaluate(testData.ratings());
        autoencoderMetrics = autoencoded.evaluate(testData.ratings());
      }
      MatrixFactorizationTrainer.Result parts = result;
      result = FactorizationBlend.of(parts, blendWeight, autoencoded);
      parts.model().close();
      autoencoded.model().close();
    }
    RegressionMetrics metrics;
    Recommender recommender = Recommender.of(result, fitted);
    RankingMetrics hits = implicit ? ranking.evaluate(result) : null;
    RankingMetrics popular = implicit ? ranking.mostPopular(fitted) : null;
    try (recommender) {
      metrics = testData == null ? null : recommender.evaluate(testData.ratings());
      recommender.save(output);
    }

    FeatureFactorizationTrainer.Collisions collisions =
        withFeatures ? featureTrainer.collisions(fitted) : null;
    int skipped = trainData.skippedLines() + (testData == null ? 0 : testData.skippedLines());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("train_ratings", fitted.size());
      o.put("users", recommender.userCount());
      o.put("items", recommender.itemCount());
      o.put("seconds", JsonOutput.rounded(result.seconds(), 4));
      if (metrics != null) {
        o.put("test_ratings", metrics.count());
        o.put("rmse", JsonOutput.rounded(metrics.rmse(), 4));
        o.put("mae", JsonOutput.rounded(metrics.mae(), 4));
      }
      if (hits != null) {
        o.put("held_out_users", hits.users());
        o.put("hr10", JsonOutput.rounded(hits.hitRate(), 4));
        o.put("ndcg10", JsonOutput.rounded(hits.ndcg(), 4));
        o.put("popular_hr10", JsonOutput.rounded(popular.hitRate(), 4));
        o.put("popular_ndcg10", JsonOutput.rounded(popular.ndcg(), 4));
      }
      if (collisions != null) {
        o.put("keys", collisions.keys());
        o.put("keys_sharing_a_row", collisions.sharing());
      }
      o.put("skipped_lines", skipped);
      o.put("model", output.toString());
      if (autoencoded != null) {
        o.put("blend_weight", blendWeight);
        o.put("autoencoder_seconds", JsonOutput.rounded(autoencoded.seconds(), 4));
        if (modelMetrics != null) {
          o.put("model_rmse", JsonOutput.rounded(modelMetrics.rmse(), 4));
          o.put("model_mae", JsonOutput.rounded(modelMetrics.mae(), 4));
          o.put("autoencoder_rmse", JsonOutput.rounded(autoencoderMetrics.rmse(), 4));
          o.put("autoencoder_mae", JsonOutput.rounded(autoencoderMetrics.mae(), 4));
        }
      }
      o.put("history", JsonOutput.history(history));
      out.println(Json.write(o));
    } else {
      out.printf(
          Locale.ROOT,
          "trained on %d %s (%d users, %d items) in %.2f s; model saved to %s%n",
          fitted.size(),
          implicit ? "interactions" : "ratings",
          recommender.userCount(),
          recommender.itemCount(),
          result.seconds(),
          output);
      if (metrics != null) {
        out.printf(Locale.ROOT, "test: %d ratings, RMSE %.4f, MAE %.4f%n", metrics.count(), metrics.rmse(), metrics.mae());
      }
      if (autoencoded != null) {
        out.printf(
            Locale.ROOT, "blend: %s * model + %s * autoencoder (autoencoder trained in %.2f s)%n", blendWeight,
            Math.round((1 - blendWeight) * 1e6) / 1e6, autoencoded.seconds());
        if (modelMetrics != null) {
          out.printf(
              Locale.ROOT, "  model:       RMSE %.4f, MAE %.4f%n  autoencoder: RMSE %.4f, MAE %.4f%n",
              modelMetrics.rmse(), modelMetrics.mae(), autoencoderMetrics.rmse(), autoencoderMetrics.mae());
        }
      }
      if (hits != null) {
        out.printf(
            Locale.ROOT,
            "leave-one-out: %d users, each held-out item among %d sampled negatives%n"
                + "  BPR:          HR@10 %.4f, NDCG@10 %.4f%n"
                + "  most popular: HR@10 %.4f, NDCG@10 %.4f%n",
            hits.users(), RankingEvaluation.DEFAULT_NEGATIVES, hits.hitRate(), hits.ndcg(), popular.hitRate(),
            popular.ndcg());
      }
      if (collisions != null) {
        out.printf(
            Locale.ROOT, "%d keys (ids and feature values), %d of them sharing a row%n", collisions.keys(),
            collisions.sharing());
      }
      if (skipped > 0) {
        out.printf(Locale.ROOT, "skipped %d malformed line%s%n", skipped, skipped == 1 ? "" : "s");
      }
    }
    out.flush();
    return 0;
  }

  /**
   * The model file's size from below: each factor and bias, and 8 bytes for each (user, item) pair rated. With an
   * autoencoder ({@code hidden} units, else null) the saved blend's factors are float32, {@code dim + hidden + 1} a row.
   */
  private static long modelBytesAtLeast(Ratings ratings, Config config, Integer hidden) {
    long users = Arrays.stream(ratings.users()).distinct().count();
    long items = Arrays.stream(ratings.items()).distinct().count();
    long rowBytes =
        hidden == null
            ? (long) config.dim() * config.dtype().bytes()
            : ((long) config.dim() + hidden + 1) * Float.BYTES;
    return (users + items) * (rowBytes + 4L) + 8L * ratings.size();
  }

  /** The options' defaults, read from {@link Config#defaults()} so that each is stated once, in the config. */
  static final class Defaults extends ConfigDefaults {
    @Override
    protected String defaultFor(String option) {
      Config d = Config.defaults();
      return switch (option) {
        case "--dim" -> String.valueOf(d.dim());
        case "--epochs" -> String.valueOf(d.epochs());
        case "--lr" -> String.valueOf(d.learningRate());
        case "--reg" -> String.valueOf(d.reg());
        case "--reg-exponent" -> String.valueOf(d.regExponent());
        case "--bias-reg" -> String.valueOf(d.biasReg());
        case "--batch-size" -> String.valueOf(d.batchSize());
        case "--optimizer" -> d.optimizer().name();
        case "--seed" -> String.valueOf(d.seed());
        case "--dtype" -> DTypeOption.name(d.dtype());
        case "--feature-reg" -> String.valueOf(FeatureFactorizationTrainer.DEFAULT_FEATURE_REG);
        case "--autoencoder-l2" -> String.valueOf(ItemAutoencoderTrainer.Config.defaults().l2());
        case "--autoencoder-epochs" -> String.valueOf(ItemAutoencoderTrainer.Config.defaults().epochs());
        case "--blend-weight" -> String.valueOf(ItemAutoencoderTrainer.DEFAULT_BLEND_WEIGHT);
        default -> null;
      };
    }
  }
}
