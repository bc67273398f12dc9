package dev.emb4j.cli.vectors;

import dev.emb4j.cli.FileChecks;
import dev.emb4j.io.ProgressListener;
import dev.emb4j.io.SafeTensorsHeader;
import dev.emb4j.io.VectorFormat;
import dev.emb4j.io.VectorInfo;
import dev.emb4j.io.VectorReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emb4j vectors info FILE}: the header of a vector file and its first tokens. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "Print the format, shape, dtype, metadata and first tokens of a vector file (reads only the start).")
public final class VectorsInfoCommand implements Callable<Integer> {
  private static final int SHOWN_TOKENS = 5;

  @Spec private CommandLine.Model.CommandSpec spec;

  @Mixin private InputOptions input;

  @Parameters(index = "0", paramLabel = "FILE", description = "The vector file.")
  private Path file;

  @Override
  public Integer call() throws Exception {
    FileChecks.seekable(file);
    PrintWriter out = spec.commandLine().getOut();
    VectorFormat format = input.format(file);
    try (VectorReader reader = format.open(file, input.readOptions(ProgressListener.NONE))) {
      VectorInfo info = reader.info();
      out.println("file:     " + file + " (" + Files.size(file) + " bytes)");
      out.println("format:   " + format.displayName() + " (" + format.cliName() + ")");
      out.println("shape:    " + info.rows() + " x " + info.dim());
      boolean text =
          format == VectorFormat.WORD2VEC_TEXT || format == VectorFormat.GLOVE || format == VectorFormat.FASTTEXT_VEC;
      out.println(
          "dtype:    " + info.dtype().label()
              + (text ? "" : " (" + info.dtype().rowBytes(info.dim()) + " bytes per row)")
              + (info.dtype().quantized() ? ", quantized row-wise (a scale and a bias per row)" : ""));
      List<String> first = new ArrayList<>();
      if (info.hasTokens()) {
        float[] row = new float[info.dim()];
        for (long r = 0; r < Math.min(SHOWN_TOKENS, info.rows()); r++) {
          first.add(reader.next(row));
        }
      }
      out.println(
          "tokens:   "
              + (info.hasTokens() ? "yes" + (first.isEmpty() ? "" : ", first: " + String.join(" ", first) + (info.rows() > first.size() ? " ..." : "")) : "no"));
      for (Map.Entry<String, String> e : info.metadata().entrySet()) {
        out.println("metadata: " + e.getKey() + " = " + e.getValue());
      }
    }
    if (format == VectorFormat.SAFETENSORS) {
      for (SafeTensorsHeader.Tensor t : SafeTensorsHeader.read(file).tensors()) {
        out.println("tensor:   " + t.name() + " " + t.dtype() + " " + t.shape());
      }
    }
    out.flush();
    return 0;
  }
}
