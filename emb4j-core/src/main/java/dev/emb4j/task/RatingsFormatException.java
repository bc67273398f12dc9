package dev.emb4j.task;

import java.io.IOException;
import java.nio.file.Path;

/** A malformed line in a ratings file; the message names the file and the line number. */
public final class RatingsFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Path file;
  private final long line;

  /** A problem at {@code file}:{@code line}. */
  public RatingsFormatException(Path file, long line, String problem) {
    super(file + ":" + line + ": " + problem);
    this.file = file;
    this.line = line;
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** The 1-based line number. */
  public long line() {
    return line;
  }
}
