package dev.emb4j.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads a vector file one row at a time, front to back, through a fixed-size buffer: memory use does not grow with the
 * file (apart from the set of tokens seen, kept to reject duplicates). Opened by {@link VectorFormat#open}.
 *
 * <pre>{@code
 * try (VectorReader in = VectorFormat.WORD2VEC_TEXT.open(path, VectorReadOptions.DEFAULTS)) {
 *   float[] row = new float[in.info().dim()];
 *   for (long r = 0; r < in.info().rows(); r++) {
 *     String token = in.next(row);
 *   }
 * }
 * }</pre>
 *
 * <p>Every row is checked as it is read (width, finite values, valid UTF-8, unique tokens); reading the last row also
 * checks that nothing follows it. Not thread-safe.
 */
public interface VectorReader extends Closeable {

  /**
   * The header of the file.
   *
   * @return shape, dtype, whether rows carry tokens, metadata
   */
  VectorInfo info();

  /**
   * Reads the next row into {@code row[0 .. dim)}.
   *
   * @param row where the values go; at least {@code dim} long
   * @return the row's token, or null when the file has no tokens
   * @throws VectorFormatException if the row is malformed (the message names the line or byte offset)
   * @throws IllegalStateException if every row was already read
   * @throws IOException if the file cannot be read
   */
  String next(float[] row) throws IOException;

  /**
   * Rows read so far.
   *
   * @return the number of completed {@link #next} calls
   */
  long rowsRead();
}
