package dev.emb4j.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that cannot be read: not a checkpoint (bad magic), a format version this library does not know,
 * a file cut short, a corrupted header, trailing garbage, or a checksum mismatch. The message names the file and what
 * is wrong, e.g. {@code "checkpoint model.ckpt is truncated: expected 4096 bytes of tensor 'emb.weight' at offset
 * 128, file ends at 1024"}.
 *
 * <p>Thrown by {@link Checkpoint#read} and {@link Checkpoint#load} before anything is loaded: when this exception is
 * thrown no parameter has been changed.
 */
public final class CheckpointFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file as the caller named it. */
  private final transient Path file;

  /**
   * An exception about {@code file}.
   *
   * @param file the checkpoint file
   * @param message what is wrong, including the file name
   */
  public CheckpointFormatException(Path file, String message) {
    super(message);
    this.file = file;
  }

  /**
   * An exception about {@code file} with an underlying cause (for example a JSON syntax error in the header).
   *
   * @param file the checkpoint file
   * @param message what is wrong, including the file name
   * @param cause the underlying error
   */
  public CheckpointFormatException(Path file, String message, Throwable cause) {
    super(message, cause);
    this.file = file;
  }

  /**
   * The checkpoint file this exception is about.
   *
   * @return the path as given to {@link Checkpoint#read} or {@link Checkpoint#load}; null after deserialization
   */
  public Path file() {
    return file;
  }
}
