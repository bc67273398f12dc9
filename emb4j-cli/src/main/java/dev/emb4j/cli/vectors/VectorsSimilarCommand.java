package dev.emb4j.cli.vectors;

import dev.emb4j.cli.Ranges;
import dev.emb4j.io.Vectors;
import dev.emb4j.search.NearestNeighbors;
import dev.emb4j.search.Neighbor;
import dev.emb4j.search.Similarity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code emb4j vectors similar FILE WORD...}: the words closest to a word by cosine; several words are scored together
 * in one pass over the table ({@code NearestNeighbors.similarAll}), with the same answers as one run per word.
 */
@Command(
    name = "similar",
    mixinStandardHelpOptions = true,
    description = {
      "Print the k tokens most similar (cosine) to WORD, best first, WORD itself excluded. FILE is a vector file",
      "or a model saved by 'classify train' (its word vectors). Several WORDs are searched together, in blocks that",
      "read the table once per block (several times faster than one run per word): each line then starts with its",
      "WORD and a tab, and --json prints one array per WORD, one per line, in the order given."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j vectors similar glove.6B.50d.txt frog -k 5 --json",
      "  emb4j vectors similar glove.6B.50d.txt frog toad lizard -k 5",
      "  emb4j vectors similar spam.model prize"
    })
public final class VectorsSimilarCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Mixin private InputOptions input;

  @Parameters(index = "0", paramLabel = "FILE", description = "The vector file, or a classifier model.")
  private Path file;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "WORD", description = "The query tokens.")
  private List<String> words;

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
      PrintWriter out = spec.commandLine().getOut();
      if (words.size() == 1) {
        NeighborOutput.print(out, vectors, nn.similar(NeighborOutput.rowOf(vectors, words.getFirst(), file), k, Similarity.COSINE), json);
        return 0;
      }
      long[] ids = new long[words.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = NeighborOutput.rowOf(vectors, words.get(i), file); // every word checked before any search
      }
      List<List<Neighbor>> all = nn.similarAll(ids, k, Similarity.COSINE);
      for (int i = 0; i < ids.length; i++) {
        NeighborOutput.print(out, vectors, all.get(i), json, json ? "" : words.get(i) + "\t");
      }
    }
    return 0;
  }
}
