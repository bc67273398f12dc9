package dev.emb4j.cli.classify;

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
import dev.emb4j.store.DType;
import dev.emb4j.store.Storage;
import dev.emb4j.task.text.LabeledText;
import dev.emb4j.task.text.LabeledTextFile;
import dev.emb4j.task.text.TextClassifier;
import dev.emb4j.task.text.TextClassifierTrainer;
import dev.emb4j.task.text.TextClassifierTrainer.Config;
import dev.emb4j.task.text.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
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

/** {@code emb4j classify train}: trains a classifier on a labelled file and saves it. */
@Command(
    name = "train",
    description = {
      "Train a text classifier on UTF-8 lines '__label__<label> <text>' (fastText) or '<label><TAB><text>'. The"
          + " input is read and checked completely before training; the model file is written only on success.",
      "With --threads > 1 the threads update shared weights without locks (Hogwild, as fastText): fast but not"
          + " repeatable; --deterministic trains on one thread so that the same seed gives the same model.",
      "Progress (stderr) shows the loss and learning rate; with --valid, one line per epoch gives the loss and"
          + " accuracy on the validation texts. A run whose loss or weights become NaN or infinite (learning rate too"
          + " high) stops with an error naming the epoch, and no model is saved. The tables' memory is checked first.",
      "--json prints one object: examples, labels, vocabulary, threads, seconds, training_seconds,"
          + " words_per_sec_per_thread, skipped_lines, model, and history: per epoch {epoch, loss, lr, seconds} and,"
          + " with --valid, validation {loss, accuracy}.",
      "--cluster trains against tables kept in an emb4j cluster (see 'emb4j cluster member'), one thread per worker"
          + " process, each on its share of the lines (line i goes to worker i mod --workers; every worker reads the"
          + " same file); the model saved is an ordinary one. See docs/cluster.md."
    },
    mixinStandardHelpOptions = true,
    defaultValueProvider = ClassifyTrainCommand.Defaults.class,
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j classify train --input train.txt --output spam.model",
      "  emb4j classify train --input train.tsv --output spam.model --ngrams 2 --epochs 25 --threads 2 --json",
      "  emb4j classify train --input train.txt --output spam.model --cluster 127.0.0.1:5701 --worker 0 --workers 2"
    })
public final class ClassifyTrainCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "Labelled training texts.")
  private Path input;

  @Option(names = "--output", required = true, paramLabel = "MODEL", description = "Where to save the model.")
  private Path output;

  @Mixin private StoreOptions storeOptions;

  @Mixin private ClusterTrainOptions clusterOptions;

  @Option(
      names = "--valid",
      paramLabel = "FILE",
      description = "Labelled validation texts: loss and accuracy on them after each epoch.")
  private Path valid;

  @Option(
      names = "--dim",
      converter = Ranges.Positive.class,
      description = "Embedding size (default: ${DEFAULT-VALUE}).")
  private int dim;

  @Option(
      names = "--epochs",
      converter = Ranges.Positive.class,
      description = "Passes over the data (default: ${DEFAULT-VALUE}).")
  private int epochs;

  @Option(
      names = "--lr",
      converter = Ranges.PositiveReal.class,
      description = "Initial learning rate (default: ${DEFAULT-VALUE}).")
  private double lr;

  @Option(
      names = "--ngrams",
      converter = Ranges.Positive.class,
      description = "Longest word n-gram (default: ${DEFAULT-VALUE}).")
  private int ngrams;

  @Option(
      names = "--buckets",
      converter = Ranges.NonNegative.class,
      description = "Hash buckets for word n-grams (default: ${DEFAULT-VALUE}).")
  private int buckets;

  @Option(
      names = "--min-count",
      converter = Ranges.Positive.class,
      description = "Minimal word count (default: ${DEFAULT-VALUE}).")
  private int minCount;

  @Option(
      names = "--hidden",
      converter = Ranges.NonNegative.class,
      description = "ReLU hidden layer size, 0 for none (default).")
  private int hidden;

  @Option(
      names = "--threads",
      converter = Ranges.Positive.class,
      description = "Training threads, Hogwild when > 1 (default: ${DEFAULT-VALUE}).")
  private int threads;

  @Option(names = "--deterministic", description = "One thread, bit-identical runs for the same seed.")
  private boolean deterministic;

  @Option(names = "--no-lowercase", description = "Keep the case of the text.")
  private boolean noLowercase;

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
    FileChecks.readable(input);
    FileChecks.notAnInput(spec, "--output", output, "--input", input);
    if (valid != null) {
      FileChecks.readable(valid);
      FileChecks.notAnInput(spec, "--output", output, "--valid", valid);
    }
    FileChecks.writable(output, err);
    clusterOptions.check();
    clusterOptions.refuseRawIds();
    if (clusterOptions.enabled() && (threads > 1 || dtype != DType.F32)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--cluster trains float32 tables on one thread per worker process; run more --workers instead of --threads"
              + (dtype != DType.F32 ? ", and leave out --dtype" : ""));
    }
    Config config =
        Config.builder()
            .dim(dim)
            .epochs(epochs)
            .learningRate(lr)
            .ngrams(ngrams)
            .buckets(buckets)
            .minCount(minCount)
            .hidden(hidden)
            .threads(threads)
            .deterministic(deterministic)
            .lowercase(!noLowercase)
            .seed(seed)
            .dtype(dtype)
            .build();
    TextClassifier.Shape shape =
        new TextClassifier.Shape(dim, ngrams, ngrams > 1 ? buckets : 0, hidden, !noLowercase);
    String model = describeModel(shape);
    Storage storage = storeOptions.storage(List.of());
    MemoryBudget.requireHeap(model, shape.parameterBytes(0, 2)); // before reading: the buckets and the layers
    Tokenizer tokenizer = new Tokenizer(!noLowercase);
    LabeledTextFile.Loaded data = LabeledTextFile.read(input, tokenizer, skipBadLines);
    List<LabeledText> examples = data.examples();
    if (examples.isEmpty()) {
      throw new IllegalArgumentException(input + " has no labelled texts to train on");
    }
    FileChecks.hasRoom(output, modelBytesAtLeast(examples, config));
    List<LabeledText> validation = List.of();
    if (valid != null) {
      validation = LabeledTextFile.read(valid, tokenizer, skipBadLines).examples();
      if (validation.isEmpty()) {
        throw new IllegalArgumentException(valid + " has no labelled texts to validate on");
      }
    }
    Progress progress = new Progress(err, Progress.styleFor(quiet || json), "training", "words");
    RunLog runLog = RunLog.to(log, progress);
    TextClassifierTrainer.Result r;
    try {
      r =
          clusterOptions.enabled()
              ? clusterOptions.train(config, examples, validation, MemoryBudget.checking(model, runLog))
              : new TextClassifierTrainer(config, storage)
                  .train(examples, validation, MemoryBudget.checking(model, runLog));
    } finally {
      progress.finish();
      runLog.close();
    }
    try (TextClassifier trained = r.model()) {
      trained.save(output);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("examples", examples.size());
      o.put("labels", r.model().labels().size());
      o.put("vocabulary", r.model().vocabularySize());
      o.put("threads", r.threads());
      o.put("seconds", JsonOutput.rounded(r.seconds(), 4));
      o.put("training_seconds", JsonOutput.rounded(r.trainingSeconds(), 4));
      o.put("words_per_sec_per_thread", Math.round(r.wordsPerSecondPerThread()));
      o.put("skipped_lines", data.skippedLines());
      o.put("model", output.toString());
      o.put("history", JsonOutput.history(r.history()));
      out.println(Json.write(o));
    } else {
      out.printf(
          Locale.ROOT,
          "trained on %d texts (%d labels, %d words) in %.2f s, %.0f words/sec/thread; model saved to %s%n",
          examples.size(),
          r.model().labels().size(),
          r.model().vocabularySize(),
          r.seconds(),
          r.wordsPerSecondPerThread(),
          output);
      if (data.skippedLines() > 0) {
        out.printf(Locale.ROOT, "skipped %d malformed line%s%n", data.skippedLines(),
            data.skippedLines() == 1 ? "" : "s");
      }
    }
    out.flush();
    return 0;
  }

  /** For memory messages: the options that size the tables, e.g. {@code "the model (--dim 100, --buckets 2000000)"}. */
  private static String describeModel(TextClassifier.Shape shape) {
    return "the model (--dim " + shape.dim()
        + (shape.buckets() > 0 ? ", --buckets " + shape.buckets() : "")
        + (shape.hidden() > 0 ? ", --hidden " + shape.hidden() : "") + ")";
  }

  /** The model file's size from below: 4 bytes for each value of its word and n-gram rows. */
  private static long modelBytesAtLeast(List<LabeledText> examples, Config config) {
    Map<String, Integer> counts = new HashMap<>();
    for (LabeledText e : examples) {
      for (String t : e.tokens()) {
        counts.merge(t, 1, Integer::sum);
      }
    }
    long words = counts.values().stream().filter(c -> c >= config.minCount()).count();
    return 4L * (words + config.buckets()) * config.dim();
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
        case "--ngrams" -> String.valueOf(d.ngrams());
        case "--buckets" -> String.valueOf(d.buckets());
        case "--min-count" -> String.valueOf(d.minCount());
        case "--hidden" -> String.valueOf(d.hidden());
        case "--threads" -> String.valueOf(d.threads());
        case "--seed" -> String.valueOf(d.seed());
        case "--dtype" -> DTypeOption.name(d.dtype());
        default -> null;
      };
    }
  }
}
