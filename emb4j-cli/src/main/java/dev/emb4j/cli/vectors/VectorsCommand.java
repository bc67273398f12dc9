package dev.emb4j.cli.vectors;

import dev.emb4j.cli.plot.VectorsPlotCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code emb4j vectors}: pretrained vector files (word2vec, GloVe, fastText, NumPy, safetensors, emb4j tables). */
@Command(
    name = "vectors",
    mixinStandardHelpOptions = true,
    description = {
      "Convert, quantize, inspect and query pretrained vector files.",
      "Formats (by extension, or --from/--to): word2vec (.txt with a '<rows> <dim>' header), glove (.txt without),"
          + " fasttext (.vec), word2vec-bin (.bin), npy (.npy), safetensors (.safetensors), emb4j (.emb4j)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j vectors info glove.6B.50d.txt",
      "  emb4j vectors convert glove.6B.50d.txt glove.safetensors --from glove",
      "  emb4j vectors quantize glove.6B.50d.txt glove-int8.emb4j --from glove --dtype int8",
      "  emb4j vectors similar glove.6B.50d.txt frog -k 5",
      "  emb4j vectors analogy glove.6B.50d.txt king man woman",
      "  emb4j vectors bench --rows 100000 --dim 300"
    },
    subcommands = {
      VectorsConvertCommand.class,
      VectorsQuantizeCommand.class,
      VectorsInfoCommand.class,
      VectorsSimilarCommand.class,
      VectorsAnalogyCommand.class,
      VectorsBenchCommand.class,
      VectorsPlotCommand.class
    })
public final class VectorsCommand implements Runnable {
  @Spec private CommandLine.Model.CommandSpec spec;

  /** Without a subcommand: a usage error. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command, e.g. 'emb4j vectors info FILE'");
  }
}
