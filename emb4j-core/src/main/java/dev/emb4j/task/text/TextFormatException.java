package dev.emb4j.task.text;

import java.io.IOException;
import java.nio.file.Path;

/** A malformed line in a labelled text file; the message names the file and the line number. */
public final class TextFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A problem at {@code file}:{@code line}. */
  public TextFormatException(Path file, long line, String problem) {
    super(file + ":" + line + ": " + problem);
  }
}
