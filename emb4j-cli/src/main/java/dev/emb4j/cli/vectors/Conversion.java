package dev.emb4j.cli.vectors;

import dev.emb4j.cli.FileChecks;
import dev.emb4j.io.ProgressListener;
import dev.emb4j.io.VectorFiles;
import dev.emb4j.io.VectorFormat;
import dev.emb4j.io.VectorInfo;
import dev.emb4j.io.VectorReader;
import dev.emb4j.io.VectorWriteOptions;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/** What {@code vectors convert} and {@code vectors quantize} share: the checks, then the file streamed into another. */
final class Conversion {
  private Conversion() {}

  /** Whether the format stores the element type --dtype chooses. */
  static boolean typed(VectorFormat format) {
    return format == VectorFormat.NPY || format == VectorFormat.SAFETENSORS || format == VectorFormat.EMB4J;
  }

  /**
   * Checks the files (readable input, an output that is not the input, writable, room on its disk for the rows), then
   * streams {@code in} into {@code out}.
   *
   * @return what was read
   */
  static VectorInfo run(
      CommandSpec spec, InputOptions input, Path in, Path out, VectorFormat outFormat, VectorWriteOptions options,
      boolean dropTokens, boolean progress) throws IOException {
    FileChecks.seekable(in);
    FileChecks.notAnInput(spec, "OUT", out, "IN", in);
    VectorFormat inFormat = input.format(in);
    FileChecks.writable(out, spec.commandLine().getErr());
    if (inFormat != VectorFormat.GLOVE) { // GloVe has no header: its size is known only after a pass over it
      try (VectorReader reader = inFormat.open(in, input.readOptions(ProgressListener.NONE))) {
        VectorInfo shape = reader.info();
        long rowBytes = typed(outFormat) ? options.dtype().rowBytes(shape.dim()) : 4L * shape.dim();
        FileChecks.hasRoom(out, shape.rows() * rowBytes);
      }
    }
    ProgressListener listener = progress ? InputOptions.progressTo(spec.commandLine().getErr()) : ProgressListener.NONE;
    return VectorFiles.convert(in, inFormat, out, outFormat, input.readOptions(listener), options, dropTokens);
  }
}
