package dev.emb4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Operations on vector files that stream rows without holding the table in memory. */
public final class VectorFiles {
  private VectorFiles() {}

  /**
   * Converts {@code in} to {@code out}, one row at a time: memory use does not grow with the table (only with the
   * number of tokens, kept to reject duplicates). The output is written atomically; on any error nothing is left at
   * {@code out}.
   *
   * @param in the source file
   * @param inFormat its format
   * @param out the target file
   * @param outFormat its format
   * @param readOptions progress listener, safetensors tensor
   * @param writeOptions dtype, tensor name, metadata of the output
   * @param dropTokens whether to write the rows without their tokens (required for NumPy when the source has tokens)
   * @return what was read
   * @throws VectorFormatException if the source is malformed or the target format cannot hold it
   * @throws IOException if a file cannot be read or written
   * @throws IllegalArgumentException if {@code in} and {@code out} are the same file (by name, or through a link)
   */
  public static VectorInfo convert(
      Path in,
      VectorFormat inFormat,
      Path out,
      VectorFormat outFormat,
      VectorReadOptions readOptions,
      VectorWriteOptions writeOptions,
      boolean dropTokens)
      throws IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())
        || Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
      throw new IllegalArgumentException(
          "input and output are the same file: " + in + (in.equals(out) ? "" : " and " + out)
              + "; the conversion would replace what it reads");
    }
    try (VectorReader reader = inFormat.open(in, readOptions)) {
      VectorInfo info = reader.info();
      boolean tokens = info.hasTokens() && !dropTokens;
      try (VectorWriter writer = outFormat.create(out, info.rows(), info.dim(), tokens, writeOptions)) {
        float[] row = new float[info.dim()];
        for (long r = 0; r < info.rows(); r++) {
          String t = reader.next(row);
          writer.write(tokens ? t : null, row);
        }
        writer.commit();
      }
      return info;
    }
  }
}
