package dev.emb4j.cluster;

import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.text.LabeledText;
import dev.emb4j.task.text.LabeledTextFile;
import dev.emb4j.task.text.TextClassifierTrainer;
import dev.emb4j.task.text.Tokenizer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Measures the text classifier trained locally and against member JVMs on loopback, for docs/cluster.md: {@code
 * ClassifierProbe SMS_FILE MEMBERS WORKERS EPOCHS BUCKETS BATCH}. MEMBERS 0 trains locally on one thread; otherwise it
 * starts that many member JVMs on 127.0.0.1 and runs WORKERS workers as threads of this JVM, each with its own
 * connection. The data is split as the demo splits it (seed 42, 80 % to train). Prints one JSON line: test accuracy
 * (of worker 0's model), tokens of all workers, training seconds of the slowest, and their words per second.
 */
public final class ClassifierProbe {
  private ClassifierProbe() {}

  /** Runs the probe. */
  public static void main(String[] args) throws Exception {
    Path sms = Path.of(args[0]);
    int members = Integer.parseInt(args[1]);
    int workers = Integer.parseInt(args[2]);
    int epochs = Integer.parseInt(args[3]);
    int buckets = Integer.parseInt(args[4]);
    int batch = Integer.parseInt(args[5]);
    List<LabeledText> texts = new ArrayList<>(LabeledTextFile.read(sms, new Tokenizer(true), false).examples());
    Collections.shuffle(texts, new Random(42));
    int cut = (int) (texts.size() * 0.8);
    List<LabeledText> train = texts.subList(0, cut);
    List<LabeledText> test = texts.subList(cut, texts.size());
    TextClassifierTrainer.Config config =
        TextClassifierTrainer.Config.builder().epochs(epochs).buckets(buckets).deterministic(true).build();
    List<ChildJvm> children = new ArrayList<>();
    List<TextClassifierTrainer.Result> results = new ArrayList<>();
    try {
      if (members == 0) {
        results.add(new TextClassifierTrainer(config).train(train));
      } else {
        List<String> addresses = new ArrayList<>();
        for (int m = 0; m < members; m++) {
          addresses.add("127.0.0.1:" + ShardedTableTest.freePort());
        }
        for (String a : addresses) {
          children.add(ChildJvm.member(Integer.parseInt(a.substring(a.indexOf(':') + 1)), String.join(",", addresses)));
        }
        List<CompletableFuture<TextClassifierTrainer.Result>> running = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
          int worker = w;
          running.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try (Cluster cluster = Cluster.connect(addresses)) {
                      return new ShardedTextClassifierTrainer(
                              config, cluster, "probe", worker, workers, Duration.ofMinutes(30), batch)
                          .train(train, List.of(), TrainingListener.NONE);
                    }
                  }));
        }
        for (CompletableFuture<TextClassifierTrainer.Result> r : running) {
          results.add(r.get());
        }
      }
    } finally {
      for (ChildJvm c : children) {
        c.close();
      }
    }
    long tokens = results.stream().mapToLong(TextClassifierTrainer.Result::tokens).sum();
    double seconds = results.stream().mapToDouble(TextClassifierTrainer.Result::trainingSeconds).max().orElseThrow();
    System.out.printf(
        Locale.ROOT,
        "{\"members\":%d,\"workers\":%d,\"epochs\":%d,\"buckets\":%d,\"batch\":%d,\"accuracy\":%.4f,\"tokens\":%d,"
            + "\"training_seconds\":%.2f,\"words_per_sec\":%.0f}%n",
        members, members == 0 ? 1 : workers, epochs, buckets, batch,
        results.get(0).model().evaluate(test).accuracy(), tokens, seconds, tokens / seconds);
  }
}
