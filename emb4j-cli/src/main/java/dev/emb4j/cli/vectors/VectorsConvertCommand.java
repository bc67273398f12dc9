package dev.emb4j.cli.vectors;

import dev.emb4j.cli.DTypeOption;
import dev.emb4j.store.DType;
import dev.emb4j.io.VectorFormat;
import dev.emb4j.io.VectorInfo;
import dev.emb4j.io.VectorWriteOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emb4j vectors convert IN OUT}: streams a vector file into another format, atomically. */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description = {
      "Convert a vector file to another format, row by row (memory does not grow with the file).",
      "The output appears only when complete: on any error no partial file is left."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j vectors convert glove.6B.50d.txt glove.safetensors --from glove",
      "  emb4j vectors convert wiki.vec wiki.npy --drop-tokens --dtype f16"
    })
public final class VectorsConvertCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Mixin private InputOptions input;

  @Parameters(index = "0", paramLabel = "IN", description = "The file to read.")
  private Path in;

  @Parameters(index = "1", paramLabel = "OUT", description = "The file to write (replaced atomically if it exists).")
  private Path out;

  @Option(names = "--to", paramLabel = "FORMAT", description = "Output format (default: from the extension of OUT).")
  private String to;

  @Option(
      names = "--dtype",
      converter = DTypeOption.Floats.class,
      paramLabel = "TYPE",
      defaultValue = "fp32",
      description = "Element type of npy/safetensors/emb4j output: fp32, fp16 or bf16 (default: ${DEFAULT-VALUE}).")
  private DType type;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      defaultValue = "weight",
      description = "Tensor name in safetensors output (default: ${DEFAULT-VALUE}).")
  private String name;

  @Option(
      names = "--drop-tokens",
      description = "Write the rows without their tokens (needed for npy when the input has tokens).")
  private boolean dropTokens;

  @Option(names = "--progress", description = "Report progress on stderr.")
  private boolean progress;

  @Override
  public Integer call() throws Exception {
    VectorFormat outFormat;
    try {
      outFormat = to != null ? InputOptions.named(spec, "--to", to) : VectorFormat.byExtension(out);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    VectorInfo info =
        Conversion.run(
            spec, input, in, out, outFormat, VectorWriteOptions.DEFAULTS.withDtype(type).withTensor(name), dropTokens,
            progress);
    spec.commandLine()
        .getOut()
        .printf(
            "converted %d x %d vectors%s: %s (%s) -> %s (%s%s)%n",
            info.rows(),
            info.dim(),
            info.hasTokens() ? (dropTokens ? ", tokens dropped" : " with tokens") : "",
            in,
            info.format().displayName(),
            out,
            outFormat.displayName(),
            Conversion.typed(outFormat) ? ", " + type : "");
    return 0;
  }
}
