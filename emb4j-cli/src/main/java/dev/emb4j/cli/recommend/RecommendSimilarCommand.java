package dev.emb4j.cli.recommend;

import dev.emb4j.cli.FileChecks;
import dev.emb4j.cli.Ranges;
import dev.emb4j.task.Recommender;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code emb4j recommend similar}: items whose learned factors are closest (cosine) to an item's. */
@Command(
    name = "similar",
    description = "Print the k items most similar to an item (cosine of the item factors), the item itself excluded.",
    mixinStandardHelpOptions = true,
    footerHeading = "%nExamples:%n",
    footer = {"  emb4j recommend similar --model ml.model --item 50 -k 5"})
public final class RecommendSimilarCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model saved by 'recommend train'.")
  private Path model;

  @Option(names = "--item", required = true, paramLabel = "ID", description = "The item's id as in the ratings file.")
  private long item;

  @Option(
      names = "-k",
      defaultValue = "10",
      converter = Ranges.Positive.class,
      description = "How many items (default: ${DEFAULT-VALUE}).")
  private int k;

  @Option(names = "--json", description = "Print a JSON array of {\"item\", \"cosine\"}.")
  private boolean json;

  @Override
  public Integer call() throws Exception {
    FileChecks.seekable(model);
    Recommender recommender = Recommender.load(model);
    ScoredOutput.print(spec.commandLine().getOut(), recommender.similarItems(item, k), json, "cosine");
    return 0;
  }
}
