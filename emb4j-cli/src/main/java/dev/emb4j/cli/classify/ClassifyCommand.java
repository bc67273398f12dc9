package dev.emb4j.cli.classify;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code emb4j classify}: fastText-style text classification. */
@Command(
    name = "classify",
    description = "Train, evaluate and apply a fastText-style text classifier.",
    mixinStandardHelpOptions = true,
    subcommands = {
      ClassifyTrainCommand.class,
      ClassifyTestCommand.class,
      ClassifyPredictCommand.class,
      ClassifyQuantizeCommand.class,
      ClassifyVectorsCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j classify train --input train.txt --output spam.model --ngrams 2",
      "  emb4j classify test --model spam.model --input test.txt",
      "  emb4j classify quantize spam.model spam-int8.model --dtype int8",
      "  echo 'win a free prize now' | emb4j classify predict --model spam.model -k 2",
      "  emb4j classify vectors spam.model spam.vec"
    })
public final class ClassifyCommand implements Runnable {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand: train, test, predict, quantize or vectors");
  }
}
