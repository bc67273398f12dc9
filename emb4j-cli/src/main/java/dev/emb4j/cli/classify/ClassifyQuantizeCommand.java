package dev.emb4j.cli.classify;

import dev.emb4j.cli.DTypeOption;
import dev.emb4j.cli.FileChecks;
import dev.emb4j.store.DType;
import dev.emb4j.task.text.TextClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emb4j classify quantize MODEL OUT --dtype TYPE}: a trained classifier with a quantized input table. */
@Command(
    name = "quantize",
    description = {
      "Quantize a trained classifier's input table row-wise to int8 or int4 (a scale and a bias per row) for",
      "inference: the model file shrinks about 4x (int8) or 8x (int4); 'classify test' and 'classify predict'",
      "read it as any model. The output appears only when complete."
    },
    mixinStandardHelpOptions = true,
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j classify quantize spam.model spam-int8.model --dtype int8",
      "  emb4j classify test --model spam-int8.model --input test.txt"
    })
public final class ClassifyQuantizeCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "A model saved by 'classify train'.")
  private Path model;

  @Parameters(index = "1", paramLabel = "OUT", description = "The quantized model to write.")
  private Path out;

  @Option(names = "--dtype", required = true, converter = DTypeOption.Quantized.class, paramLabel = "TYPE",
      description = "int8 or int4.")
  private DType type;

  @Override
  public Integer call() throws Exception {
    FileChecks.seekable(model);
    FileChecks.notAnInput(spec, "OUT", out, "MODEL", model);
    FileChecks.writable(out, spec.commandLine().getErr());
    TextClassifier classifier = TextClassifier.load(model);
    if (classifier.dtype().quantized()) {
      throw new IllegalArgumentException(
          model + " is already quantized (" + classifier.dtype().label() + "); quantize the float32 model it came from");
    }
    classifier.quantize(type).save(out);
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "quantized the %d x %d input table of %s to %s: %s (%d bytes, was %d)%n",
            classifier.vocabularySize() + (long) classifier.shape().buckets(),
            classifier.shape().dim(),
            model,
            type.label(),
            out,
            Files.size(out),
            Files.size(model));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
