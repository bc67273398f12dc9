package dev.emb4j.cli.recommend;

import dev.emb4j.cli.FileChecks;
import dev.emb4j.cli.Ranges;
import dev.emb4j.task.Recommender;
import dev.emb4j.task.SideFeatures;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code emb4j recommend topk}: the best-predicted items for a user, leaving out what the user already rated. */
@Command(
    name = "topk",
    description = "Print the k items with the highest predicted rating for a user, excluding items rated in training.",
    mixinStandardHelpOptions = true,
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j recommend topk --model ml.model --user 196 -k 10",
      "  emb4j recommend topk --model ml.model --user 196 --items u.item"
    })
public final class RecommendTopKCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model saved by 'recommend train'.")
  private Path model;

  @Option(names = "--user", required = true, paramLabel = "ID", description = "The user's id as in the ratings file.")
  private long user;

  @Option(
      names = "-k",
      defaultValue = "10",
      converter = Ranges.Positive.class,
      description = "How many items (default: ${DEFAULT-VALUE}).")
  private int k;

  @Option(
      names = "--items",
      paramLabel = "FILE",
      description = "MovieLens 100k's u.item: show each item's title (text output gets a header line).")
  private Path items;

  @Option(
      names = "--json",
      description = "Print a JSON array of {\"item\", \"predicted\"} (and \"title\" with --items).")
  private boolean json;

  @Override
  public Integer call() throws Exception {
    FileChecks.seekable(model);
    if (items != null) {
      FileChecks.readable(items);
    }
    Map<Long, String> titles = items == null ? null : SideFeatures.movieLensTitles(items);
    Recommender recommender = Recommender.load(model);
    ScoredOutput.print(spec.commandLine().getOut(), recommender.topK(user, k), json, "predicted", titles);
    return 0;
  }
}
