package dev.emb4j.store;

import dev.emb4j.FileFormatException;
import java.nio.file.Path;

/**
 * A file that cannot be used as a memory-mapped table: not an emb4j table, truncated, of another shape or element
 * type than asked for, missing a part (its bitmap of initialised rows), or changed by someone else while it was
 * mapped. The message names the file, e.g. {@code "users.emb4j: holds a 1000 x 32 table, not the 1000 x 64 asked
 * for"}.
 */
public final class MappedTableException extends FileFormatException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception about {@code file}.
   *
   * @param file the file
   * @param what what is wrong, with the values involved
   */
  public MappedTableException(Path file, String what) {
    super(file, -1, -1, what);
  }
}
