package dev.emb4j.cli.vectors;

import dev.emb4j.cli.Ranges;
import dev.emb4j.io.Vectors;
import dev.emb4j.search.NearestNeighbors;
import dev.emb4j.search.Similarity;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emb4j vectors similar FILE WORD}: the words closest to a word by cosine. */
@Command(
    name = "similar",
    mixinStandardHelpOptions = true,
    description = {
      "Print the k tokens most similar (cosine) to WORD, best first, WORD itself excluded. FILE is a vector file",
      "or a model saved by 'classify train' (its word vectors)."
    },
    footerHeading = "%nExamples:%n",
    footer = {"  emb4j vectors similar glove.6B.50d.txt frog -k 5 --json", "  emb4j vectors similar spam.model prize"})
public final class VectorsSimilarCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Mixin private InputOptions input;

  @Parameters(index = "0", paramLabel = "FILE", description = "The vector file, or a classifier model.")
  private Path file;

  @Parameters(index = "1", paramLabel = "WORD", description = "The query token.")
  private String word;

  @Option(
      names = "-k",
      defaultValue = "10",
      converter = Ranges.Positive.class,
      description = "How many tokens (default: ${DEFAULT-VALUE}).")
  private int k;

  @Option(names = "--json", description = "Print a JSON array of {\"token\": ..., \"score\": ...}.")
  private boolean json;

  @Override
  public Integer call() throws Exception {
    try (Vectors vectors = input.readForSearch(file);
        NearestNeighbors nn = NearestNeighbors.over(vectors.table())) {
      long id = NeighborOutput.rowOf(vectors, word, file);
      NeighborOutput.print(spec.commandLine().getOut(), vectors, nn.similar(id, k, Similarity.COSINE), json);
    }
    return 0;
  }
}
