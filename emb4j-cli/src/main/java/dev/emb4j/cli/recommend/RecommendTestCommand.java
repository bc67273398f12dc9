package dev.emb4j.cli.recommend;

import dev.emb4j.cli.FileChecks;
import dev.emb4j.cli.JsonOutput;
import dev.emb4j.internal.format.Json;
import dev.emb4j.metrics.RegressionMetrics;
import dev.emb4j.task.Ratings;
import dev.emb4j.task.Recommender;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code emb4j recommend test}: RMSE and MAE of a saved model on a ratings file. */
@Command(
    name = "test",
    description = "Evaluate a saved model on ratings: RMSE and MAE (unseen users/items fall back to biases and mean).",
    mixinStandardHelpOptions = true,
    footerHeading = "%nExamples:%n",
    footer = {"  emb4j recommend test --model ml.model --test u1.test --json"})
public final class RecommendTestCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model saved by 'recommend train'.")
  private Path model;

  @Option(names = "--test", required = true, paramLabel = "FILE", description = "Ratings to evaluate on.")
  private Path test;

  @Mixin private RatingRangeOption ratingRange;

  @Option(names = "--skip-bad-lines", description = "Skip malformed lines (and report how many) instead of stopping.")
  private boolean skipBadLines;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  private boolean json;

  @Override
  public Integer call() throws Exception {
    FileChecks.seekable(model);
    FileChecks.readable(test);
    Recommender recommender = Recommender.load(model);
    Ratings.Loaded data = Ratings.load(test, skipBadLines, ratingRange.range);
    if (data.ratings().size() == 0) {
      throw new IllegalArgumentException(test + " has no ratings to evaluate on");
    }
    RegressionMetrics m = recommender.evaluate(data.ratings());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("n", m.count());
      o.put("rmse", JsonOutput.rounded(m.rmse(), 4));
      o.put("mae", JsonOutput.rounded(m.mae(), 4));
      o.put("skipped_lines", data.skippedLines());
      out.println(Json.write(o));
    } else {
      out.printf(Locale.ROOT, "N\t%d%nRMSE\t%.4f%nMAE\t%.4f%n", m.count(), m.rmse(), m.mae());
      if (data.skippedLines() > 0) {
        out.printf(Locale.ROOT, "skipped %d malformed lines%n", data.skippedLines());
      }
    }
    out.flush();
    return 0;
  }
}
