package dev.emb4j.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * Writes a vector file one row at a time, atomically: rows go to a temporary file beside the target, and only {@link
 * #commit} (after the last row) renames it over the target. Closing a writer that was not committed, for example after
 * an exception, deletes the temporary file: no partial output is ever left behind. Created by {@link
 * VectorFormat#create}.
 *
 * <pre>{@code
 * try (VectorWriter out = VectorFormat.NPY.create(path, rows, dim, false, VectorWriteOptions.DEFAULTS)) {
 *   for (...) out.write(null, row);
 *   out.commit();
 * }
 * }</pre>
 *
 * <p>Rows are checked as they are written: finite values representable in the file's dtype, tokens present exactly
 * when declared, unique, and acceptable to the format (for example no whitespace in a word2vec token). Not
 * thread-safe.
 */
public interface VectorWriter extends Closeable {

  /**
   * Appends one row.
   *
   * @param token the row's token; null exactly when the writer was created without tokens
   * @param row the values, {@code dim} of them
   * @throws VectorFormatException if the format cannot hold the row (the message names the row)
   * @throws IllegalStateException if more rows are written than declared, or after {@link #commit}
   * @throws IOException if the file cannot be written
   */
  void write(String token, float[] row) throws IOException;

  /**
   * Finishes the file and renames it over the target.
   *
   * @throws IllegalStateException if fewer rows were written than declared
   * @throws IOException if the file cannot be written or renamed
   */
  void commit() throws IOException;
}
