package dev.emb4j.cli.demo;

import dev.emb4j.cli.FileChecks;
import dev.emb4j.cli.MemoryBudget;
import dev.emb4j.cli.Progress;
import dev.emb4j.cli.classify.MetricsTable;
import dev.emb4j.metrics.ClassificationMetrics;
import dev.emb4j.task.text.LabeledText;
import dev.emb4j.task.text.LabeledTextFile;
import dev.emb4j.task.text.TextClassifier;
import dev.emb4j.task.text.TextClassifierTrainer;
import dev.emb4j.task.text.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code emb4j demo}: the main job on bundled data. Trains a fastText-style spam filter on the SMS Spam Collection
 * (shuffled 80/20 split), prints test accuracy and per-class precision, recall and F1, the nearest neighbours of a
 * few words in the learned embedding, saves the model, reloads it and classifies two new messages.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Train a spam filter on the bundled SMS Spam Collection, evaluate it, save and reload it.",
      "'emb4j demo basics' walks through the basic facts about embedding tables instead."
    },
    subcommands = {BasicsDemoCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {"  emb4j demo", "  emb4j demo --seed 7 --output spam.model", "  emb4j demo basics"})
public final class DemoCommand implements Callable<Integer> {
  private static final String DATA = "sms-spam/SMSSpamCollection";
  private static final List<String> PROBE_WORDS = List.of("free", "prize", "call", "love");
  private static final List<String> EXAMPLES =
      List.of(
          "WINNER!! You have been selected for a free prize. Call 09061701461 now to claim",
          "Are we still meeting for lunch tomorrow? I can bring the notes");

  @Spec private CommandSpec spec;

  @Option(names = "--seed", defaultValue = "42", description = "Fixes the split and training (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(
      names = "--output",
      paramLabel = "MODEL",
      description = "Where to save the model (default: emb4j-demo/sms-spam.model in the temp directory).")
  private Path output;

  @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
  private boolean quiet;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Path file = output != null ? output : Path.of(System.getProperty("java.io.tmpdir"), "emb4j-demo", "sms-spam.model");
    if (output == null) {
      Files.createDirectories(file.getParent());
    }
    FileChecks.writable(file, spec.commandLine().getErr());
    List<LabeledText> all = load();
    Collections.shuffle(all, new Random(seed));
    int cut = (int) (all.size() * 0.8);
    List<LabeledText> train = all.subList(0, cut);
    List<LabeledText> test = all.subList(cut, all.size());
    out.printf(Locale.ROOT, "emb4j demo: a spam filter on the SMS Spam Collection (%d messages; %d to train, %d to test)%n",
        all.size(), train.size(), test.size());
    out.println("model: EmbeddingBag(mean) of words and hashed bigrams, dim 50 -> Linear -> softmax; 25 epochs");
    out.flush();

    TextClassifierTrainer.Config config =
        TextClassifierTrainer.Config.builder().deterministic(true).seed(seed).build();
    Progress progress = new Progress(spec.commandLine().getErr(), Progress.styleFor(quiet), "training", "words");
    TextClassifierTrainer.Result r;
    try {
      r = new TextClassifierTrainer(config).train(train, MemoryBudget.checking("the demo's model", progress));
    } finally {
      progress.finish();
    }
    out.printf(Locale.ROOT, "%ntrained in %.2f s (%.0f words/sec/thread)%n%n", r.seconds(), r.wordsPerSecondPerThread());

    TextClassifier model = r.model();
    ClassificationMetrics m = model.evaluate(test);
    out.println("test set:");
    MetricsTable.print(out, m, model.labels());

    out.println();
    out.println("nearest neighbours in the learned embedding (cosine; with two classes, words that signal spam line up");
    out.println("along one direction, so their cosines come close to 1):");
    for (String w : PROBE_WORDS) {
      StringBuilder sb = new StringBuilder();
      for (TextClassifier.Prediction p : model.nearestWords(w, 5)) {
        sb.append(sb.isEmpty() ? "" : ", ").append(p.label()).append(String.format(Locale.ROOT, " %.3f", p.probability()));
      }
      out.printf(Locale.ROOT, "  %-6s -> %s%n", w, sb);
    }

    model.save(file);
    TextClassifier reloaded = TextClassifier.load(file);
    out.printf(Locale.ROOT, "%nsaved the model to %s (%d KB) and reloaded it:%n", file, Files.size(file) / 1024);
    for (String text : EXAMPLES) {
      TextClassifier.Prediction p = reloaded.predict(text, 1).get(0);
      out.printf(Locale.ROOT, "  %-4s %.3f  \"%s\"%n", p.label(), p.probability(), text);
    }
    out.println();
    out.println("next: 'emb4j classify --help', 'emb4j recommend --help', 'emb4j demo basics'");
    out.flush();
    return 0;
  }

  private static List<LabeledText> load() throws IOException {
    try (InputStream in = DemoCommand.class.getResourceAsStream(DATA)) {
      if (in == null) {
        throw new IllegalStateException("the bundled data " + DATA + " is missing from the jar");
      }
      return new ArrayList<>(LabeledTextFile.read(in, Path.of(DATA), new Tokenizer(true), false).examples());
    }
  }
}
