package dev.emb4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A vector file that cannot be read, or vectors that a format cannot hold: a wrong header count, a row of the wrong
 * width, a file cut short, invalid UTF-8, a NaN or infinite value, a duplicate token, an unsupported shape or dtype.
 * The message names the file and, where it applies, the line (text formats, 1-based) or the byte offset (binary
 * formats, 0-based), e.g. {@code "vectors.txt: line 7: row 'cat' has 299 values, expected 300"}.
 *
 * <p>When a writer throws this exception, no output file is left behind (the temporary file is deleted and any file
 * already at the target path is unchanged).
 */
public final class VectorFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file as the caller named it. */
  private final transient Path file;

  private final long line;
  private final long offset;

  private VectorFormatException(Path file, long line, long offset, String message) {
    super(message);
    this.file = file;
    this.line = line;
    this.offset = offset;
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
    return new VectorFormatException(file, line, -1, file + ": line " + line + ": " + what);
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
    return new VectorFormatException(file, -1, offset, file + ": byte offset " + offset + ": " + what);
  }

  /**
   * A problem with a file as a whole (for example vectors that the output format cannot hold).
   *
   * @param file the file
   * @param what what is wrong, with the values involved
   * @return the exception, with the message {@code "<file>: <what>"}
   */
  public static VectorFormatException inFile(Path file, String what) {
    return new VectorFormatException(file, -1, -1, file + ": " + what);
  }

  /**
   * The file this exception is about.
   *
   * @return the path as the caller gave it; null after deserialization
   */
  public Path file() {
    return file;
  }

  /**
   * The 1-based line of a text file where the problem was found.
   *
   * @return the line, or empty when the problem is not tied to a line
   */
  public OptionalLong line() {
    return line < 0 ? OptionalLong.empty() : OptionalLong.of(line);
  }

  /**
   * The 0-based byte offset where the problem was found.
   *
   * @return the offset, or empty when the problem is not tied to an offset
   */
  public OptionalLong offset() {
    return offset < 0 ? OptionalLong.empty() : OptionalLong.of(offset);
  }
}
