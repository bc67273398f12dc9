package dev.emb4j.cli.vectors;

import dev.emb4j.cli.Ranges;
import dev.emb4j.io.Vectors;
import dev.emb4j.search.NearestNeighbors;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emb4j vectors analogy FILE A B C}: the tokens closest to A - B + C. */
@Command(
    name = "analogy",
    mixinStandardHelpOptions = true,
    description = {
      "Print the k tokens closest (cosine) to A - B + C, of unit vectors (3CosAdd), A, B and C excluded.",
      "'king man woman' asks: king is to man as what is to woman?"
    },
    footerHeading = "%nExamples:%n",
    footer = {"  emb4j vectors analogy glove.6B.50d.txt king man woman -k 3"})
public final class VectorsAnalogyCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Mixin private InputOptions input;

  @Parameters(index = "0", paramLabel = "FILE", description = "The vector file, or a classifier model.")
  private Path file;

  @Parameters(index = "1", paramLabel = "A", description = "Added.")
  private String a;

  @Parameters(index = "2", paramLabel = "B", description = "Subtracted.")
  private String b;

  @Parameters(index = "3", paramLabel = "C", description = "Added.")
  private String c;

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
      long ia = NeighborOutput.rowOf(vectors, a, file);
      long ib = NeighborOutput.rowOf(vectors, b, file);
      long ic = NeighborOutput.rowOf(vectors, c, file);
      NeighborOutput.print(spec.commandLine().getOut(), vectors, nn.analogy(ia, ib, ic, k), json);
    }
    return 0;
  }
}
