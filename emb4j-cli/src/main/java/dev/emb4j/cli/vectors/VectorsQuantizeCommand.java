package dev.emb4j.cli.vectors;

import dev.emb4j.cli.DTypeOption;
import dev.emb4j.io.VectorFormat;
import dev.emb4j.io.VectorInfo;
import dev.emb4j.io.VectorWriteOptions;
import dev.emb4j.store.DType;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emb4j vectors quantize IN OUT --dtype TYPE}: a vector file as an emb4j table of smaller rows. */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    description = {
      "Write a vector file as an emb4j table (.emb4j) of fp16, bf16, int8 or int4 rows, row by row (memory does not"
          + " grow with the file).",
      "int8 and int4 rows are quantized row-wise (a scale and a bias per row) in the layout of PyTorch's"
          + " embedding_bag_byte_prepack / embedding_bag_4bit_prepack, for inference. A row with a NaN or infinite"
          + " value is named (with its token) and no file is written."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j vectors quantize glove.6B.50d.txt glove-int8.emb4j --dtype int8",
      "  emb4j vectors info glove-int8.emb4j",
      "  emb4j vectors similar glove-int8.emb4j frog -k 5"
    })
public final class VectorsQuantizeCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Mixin private InputOptions input;

  @Parameters(index = "0", paramLabel = "IN", description = "The vector file to read (any format).")
  private Path in;

  @Parameters(index = "1", paramLabel = "OUT", description = "The emb4j table to write (replaced atomically if it exists).")
  private Path out;

  @Option(
      names = "--dtype",
      required = true,
      converter = DTypeOption.Smaller.class,
      paramLabel = "TYPE",
      description = "Element type of the rows: fp16, bf16, int8 or int4.")
  private DType type;

  @Option(names = "--progress", description = "Report progress on stderr.")
  private boolean progress;

  @Override
  public Integer call() throws Exception {
    VectorInfo info =
        Conversion.run(
            spec, input, in, out, VectorFormat.EMB4J, VectorWriteOptions.DEFAULTS.withDtype(type), false, progress);
    long rowBytes = type.rowBytes(info.dim());
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "quantized %d x %d vectors%s to %s: %s (%s) -> %s (emb4j table, %d bytes per row, %.1fx smaller than f32)%n",
            info.rows(),
            info.dim(),
            info.hasTokens() ? " with tokens" : "",
            type.label(),
            in,
            info.format().displayName(),
            out,
            rowBytes,
            DType.F32.rowBytes(info.dim()) / (double) rowBytes);
    return 0;
  }
}
