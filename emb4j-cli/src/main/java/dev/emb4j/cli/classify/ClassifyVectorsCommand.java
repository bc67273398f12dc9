package dev.emb4j.cli.classify;

import dev.emb4j.io.VectorFormat;
import dev.emb4j.io.VectorWriteOptions;
import dev.emb4j.io.Vectors;
import dev.emb4j.task.text.TextClassifier;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emb4j classify vectors MODEL OUT}: a trained classifier's word vectors as a vector file. */
@Command(
    name = "vectors",
    description = {
      "Write the word vectors of a trained classifier: one row per known word (the end-of-text token </s>",
      "included, the hashed n-gram rows left out), as the .vec file fastText writes beside a model. The format",
      "comes from OUT's extension (.vec: fastText text) or --to; the file appears only when complete."
    },
    mixinStandardHelpOptions = true,
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j classify vectors spam.model spam.vec",
      "  emb4j vectors similar spam.vec prize -k 5"
    })
public final class ClassifyVectorsCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "A model saved by 'classify train'.")
  private Path model;

  @Parameters(index = "1", paramLabel = "OUT", description = "The vector file to write (e.g. model.vec).")
  private Path out;

  @Option(
      names = "--to",
      paramLabel = "FORMAT",
      description = "Output format: fasttext, word2vec, glove, word2vec-bin, safetensors, emb4j (default: from OUT).")
  private String to;

  @Override
  public Integer call() throws Exception {
    VectorFormat format = to != null ? VectorFormat.fromName(to) : VectorFormat.byExtension(out);
    TextClassifier classifier = TextClassifier.load(model);
    try (Vectors words = classifier.wordVectors()) {
      words.write(out, format, VectorWriteOptions.DEFAULTS);
      spec.commandLine()
          .getOut()
          .printf("wrote %d word vectors of dimension %d to %s (%s)%n", words.size(), words.dim(), out,
              format.displayName());
    }
    spec.commandLine().getOut().flush();
    return 0;
  }
}
