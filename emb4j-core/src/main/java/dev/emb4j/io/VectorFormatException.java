package dev.emb4j.io;

import dev.emb4j.FileFormatException;
import java.nio.file.Path;

/**
 * A vector file that cannot be read, or vectors that a format cannot hold: a wrong header count, a row of the wrong
 * width, a file cut short, invalid UTF-8, a NaN or infinite value, a duplicate token, an unsupported shape or dtype.
 * The message names the file and, where it applies, the line (text formats, 1-based) or the byte offset (binary
 * formats, 0-based), e.g. {@code "vectors.txt: line 7: row 'cat' has 299 values, expected 300"}.
 *
 * <p>When a writer throws this exception, no output file is left behind (the temporary file is deleted and any file
 * already at the target path is unchanged).
 */
public final class VectorFormatException extends FileFormatException {
  private static final long serialVersionUID = 1L;

  private VectorFormatException(Path file, long line, long offset, String what) {
    super(file, line, offset, what);
  }

  /**
   * A problem at a line of a text file.
   *
   * @param file the file
   * @param line the 1-based line number
   * @param what what is wrong, with the values involved
   * @return the exception, with the message {@code "<file>: line <line>: <what>"}
   */
  public static VectorFormatException atLine(Path file, long line, String what) {
    return new VectorFormatException(file, line, -1, what);
  }

  /**
   * A problem at a byte offset of a file.
   *
   * @param file the file
   * @param offset the 0-based byte offset where the problem was found
   * @param what what is wrong, with the values involved
   * @return the exception, with the message {@code "<file>: byte offset <offset>: <what>"}
   */
  public static VectorFormatException atOffset(Path file, long offset, String what) {
    return new VectorFormatException(file, -1, offset, what);
  }

  /**
   * A problem with a file as a whole (for example vectors that the output format cannot hold).
   *
   * @param file the file
   * @param what what is wrong, with the values involved
   * @return the exception, with the message {@code "<file>: <what>"}
   */
  public static VectorFormatException inFile(Path file, String what) {
    return new VectorFormatException(file, -1, -1, what);
  }
}
