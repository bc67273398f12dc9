package dev.emb4j.cli.recommend;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code emb4j recommend}: rating prediction and recommendations with biased matrix factorisation. */
@Command(
    name = "recommend",
    description = "Train, evaluate and query a rating model (biased matrix factorisation).",
    mixinStandardHelpOptions = true,
    subcommands = {
      RecommendTrainCommand.class,
      RecommendTestCommand.class,
      RecommendTopKCommand.class,
      RecommendSimilarCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j recommend train --train u1.base --test u1.test --output ml.model",
      "  emb4j recommend topk --model ml.model --user 196 -k 10",
      "  emb4j recommend similar --model ml.model --item 50"
    })
public final class RecommendCommand implements Runnable {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a subcommand: train, test, topk or similar");
  }
}
