package dev.emb4j.cli.classify;

import dev.emb4j.cli.FileChecks;
import dev.emb4j.cli.JsonOutput;
import dev.emb4j.cli.Ranges;
import dev.emb4j.internal.format.Json;
import dev.emb4j.internal.format.Utf8Lines;
import dev.emb4j.task.text.TextClassifier;
import dev.emb4j.task.text.TextFormatException;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
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
    description =
        "Print the k most probable labels with their probabilities for each line of FILE (of standard input when"
            + " FILE is '-' or not given): 'label probability' pairs separated by spaces. __label__ tokens in a line"
            + " are ignored. With --json, one JSON object per input line instead: {\"predictions\": [{\"label\":"
            + " ..., \"probability\": ...}, ...]}, best first; unambiguous when a label holds a space. A FILE is"
            + " checked to be valid UTF-8 before anything is printed.",
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

  @Option(
      names = "-k",
      defaultValue = "1",
      converter = Ranges.Positive.class,
      description = "Labels per line (default: ${DEFAULT-VALUE}).")
  private int k;

  @Option(names = "--json", description = "One JSON object per input line.")
  private boolean json;

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "Texts, one per line; '-' or none for stdin.")
  private String file;

  @Override
  public Integer call() throws Exception {
    boolean stdin = file == null || file.equals("-");
    FileChecks.seekable(model);
    if (!stdin) {
      FileChecks.readable(Path.of(file));
    }
    TextClassifier classifier = TextClassifier.load(model);
    if (!stdin && Files.isRegularFile(Path.of(file))) {
      // A bad line must not end the output halfway through: the whole file is checked first.
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        Utf8Lines lines = lines(in);
        while (lines.next() != null) {
          // only decoding
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    try (InputStream in = stdin ? nonClosing(System.in) : Files.newInputStream(Path.of(file))) {
      Utf8Lines lines = lines(in);
      String line;
      while ((line = lines.next()) != null) {
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

  private Utf8Lines lines(InputStream in) {
    Path name = Path.of(file == null ? "-" : file);
    return new Utf8Lines(in, (line, what) -> new TextFormatException(name, line, what));
  }

  /** Standard input, which is not ours to close. */
  private static InputStream nonClosing(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public void close() {}
    };
  }
}
