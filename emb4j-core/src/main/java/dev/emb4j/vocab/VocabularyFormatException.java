package dev.emb4j.vocab;

import dev.emb4j.FileFormatException;
import java.nio.file.Path;

/**
 * A vocabulary file that cannot be read by {@link Vocabulary#load}: not a vocabulary, an unknown version, a file cut
 * short, a corrupted header, invalid UTF-8, a token count that differs from the header's, a duplicate token, or a
 * checksum mismatch. The message names the file and, where it applies, the line (the text layout of version 1,
 * 1-based) or the byte offset (version 2, 0-based), e.g. {@code "words.vocab: line 1: vocabulary version 9 is not
 * supported (only 1 and 2)"}.
 */
public final class VocabularyFormatException extends FileFormatException {
  private static final long serialVersionUID = 1L;

  private VocabularyFormatException(Path file, long line, long offset, String what) {
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
  public static VocabularyFormatException atLine(Path file, long line, String what) {
    return new VocabularyFormatException(file, line, -1, what);
  }

  /**
   * A problem at a byte offset of a file.
   *
   * @param file the file
   * @param offset the 0-based byte offset where the problem was found
   * @param what what is wrong, with the values involved
   * @return the exception, with the message {@code "<file>: byte offset <offset>: <what>"}
   */
  public static VocabularyFormatException atOffset(Path file, long offset, String what) {
    return new VocabularyFormatException(file, -1, offset, what);
  }

  /**
   * A problem with a file as a whole (for example a token list that no vocabulary can hold).
   *
   * @param file the file
   * @param what what is wrong, with the values involved
   * @return the exception, with the message {@code "<file>: <what>"}
   */
  public static VocabularyFormatException inFile(Path file, String what) {
    return new VocabularyFormatException(file, -1, -1, what);
  }
}
