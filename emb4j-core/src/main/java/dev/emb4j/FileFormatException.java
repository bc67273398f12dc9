package dev.emb4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A file that cannot be read as the format it should be in. The message names the file and, where it applies, the
 * line (text files, 1-based) or the byte offset (binary files, 0-based) where the problem was found, e.g. {@code
 * "vectors.txt: line 7: row 'cat' has 299 values, expected 300"}. Subclasses name the kind of file: {@code
 * VectorFormatException} for word-vector files, {@code VocabularyFormatException} for vocabularies.
 */
public abstract class FileFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file as the caller named it. */
  private final transient Path file;

  private final long line;
  private final long offset;

  /**
   * An exception about {@code file}, with a message that names it and the place of the problem.
   *
   * @param file the file
   * @param line the 1-based line, or -1 when the problem is not tied to a line
   * @param offset the 0-based byte offset, or -1 when the problem is not tied to an offset
   * @param what what is wrong, with the values involved
   */
  protected FileFormatException(Path file, long line, long offset, String what) {
    super(file + (line >= 0 ? ": line " + line : "") + (offset >= 0 ? ": byte offset " + offset : "") + ": " + what);
    this.file = file;
    this.line = line;
    this.offset = offset;
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
