package dev.emb4j.cli.classify;

import dev.emb4j.cli.FileChecks;
import dev.emb4j.cli.JsonOutput;
import dev.emb4j.internal.format.Json;
import dev.emb4j.metrics.ClassificationMetrics;
import dev.emb4j.task.text.LabeledTextFile;
import dev.emb4j.task.text.TextClassifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code emb4j classify test}: accuracy (P@1) and per-class precision, recall and F1 of a saved model. */
@Command(
    name = "test",
    description = "Evaluate a saved classifier on labelled texts: N, accuracy (P@1), per-class precision/recall/F1.",
    mixinStandardHelpOptions = true,
    footerHeading = "%nExamples:%n",
    footer = {"  emb4j classify test --model spam.model --input test.txt --json"})
public final class ClassifyTestCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model saved by 'classify train'.")
  private Path model;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "Labelled texts to evaluate on.")
  private Path input;

  @Option(names = "--skip-bad-lines", description = "Skip malformed lines (and report how many) instead of stopping.")
  private boolean skipBadLines;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  private boolean json;

  @Override
  public Integer call() throws Exception {
    FileChecks.seekable(model);
    FileChecks.readable(input);
    TextClassifier classifier = TextClassifier.load(model);
    LabeledTextFile.Loaded data = LabeledTextFile.read(input, classifier.tokenizer(), skipBadLines);
    if (data.examples().isEmpty()) {
      throw new IllegalArgumentException(input + " has no labelled texts to evaluate on");
    }
    ClassificationMetrics m = classifier.evaluate(data.examples());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("n", m.count());
      o.put("accuracy", JsonOutput.rounded(m.accuracy(), 4));
      Map<String, Object> classes = new LinkedHashMap<>();
      for (int c = 0; c < m.classes(); c++) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("precision", JsonOutput.rounded(m.precision(c), 4));
        k.put("recall", JsonOutput.rounded(m.recall(c), 4));
        k.put("f1", JsonOutput.rounded(m.f1(c), 4));
        k.put("support", m.support(c));
        classes.put(classifier.labels().get(c), k);
      }
      o.put("classes", classes);
      o.put("skipped_lines", data.skippedLines());
      out.println(Json.write(o));
    } else {
      MetricsTable.print(out, m, classifier.labels());
      if (data.skippedLines() > 0) {
        out.println("skipped " + data.skippedLines() + " malformed lines");
      }
    }
    out.flush();
    return 0;
  }
}
