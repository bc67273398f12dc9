package dev.emb4j.cli.classify;

import dev.emb4j.cli.JsonOutput;
import dev.emb4j.internal.format.Json;
import dev.emb4j.task.text.TextClassifier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emb4j classify predict}: the top-k labels with probabilities for each input line. */
@Command(
    name = "predict",
    description = {
      "Print the k most probable labels with their probabilities for each line of FILE (or standard input with '-'",
      "or no FILE): 'label probability' pairs separated by spaces. __label__ tokens in a line are ignored.",
      "With --json, one JSON object per input line instead: {\"predictions\": [{\"label\": ..., \"probability\": ...},",
      "...]}, best first; unambiguous when a label holds a space."
    },
    mixinStandardHelpOptions = true,
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j classify predict --model spam.model -k 2 messages.txt",
      "  echo 'win a free prize now' | emb4j classify predict --model spam.model --json"
    })
public final class ClassifyPredictCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model saved by 'classify train'.")
  private Path model;

  @Option(names = "-k", defaultValue = "1", description = "Labels per line (default: ${DEFAULT-VALUE}).")
  private int k;

  @Option(names = "--json", description = "One JSON object per input line.")
  private boolean json;

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "Texts, one per line; '-' or none for stdin.")
  private String file;

  @Override
  public Integer call() throws Exception {
    TextClassifier classifier = TextClassifier.load(model);
    if (k < 1) {
      throw new IllegalArgumentException("-k must be at least 1, got " + k);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (BufferedReader in =
        file == null || file.equals("-")
            ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
            : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        List<TextClassifier.Prediction> predictions = classifier.predict(line.replaceAll("__label__\\S*", " "), k);
        out.println(json ? toJson(predictions) : toText(predictions));
      }
    }
    out.flush();
    return 0;
  }

  private static String toText(List<TextClassifier.Prediction> predictions) {
    StringBuilder sb = new StringBuilder();
    for (TextClassifier.Prediction p : predictions) {
      sb.append(sb.isEmpty() ? "" : " ").append(p.label()).append(' ')
          .append(String.format(Locale.ROOT, "%.4f", p.probability()));
    }
    return sb.toString();
  }

  private static String toJson(List<TextClassifier.Prediction> predictions) {
    List<Object> list = new ArrayList<>();
    for (TextClassifier.Prediction p : predictions) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("label", p.label());
      o.put("probability", JsonOutput.finite(p.probability()));
      list.add(o);
    }
    return Json.write(Map.of("predictions", list));
  }
}
