package dev.emb4j.io;

import java.util.Objects;

/**
 * How to read a vector file.
 *
 * @param progress told about progress about once per mebibyte (default {@link ProgressListener#NONE})
 * @param tensor for safetensors files holding several tensors: the name of the one to read (null: the only 2-D
 *     tensor, as long as there is exactly one)
 */
public record VectorReadOptions(ProgressListener progress, String tensor) {

  /** No progress reports, the default tensor. */
  public static final VectorReadOptions DEFAULTS = new VectorReadOptions(ProgressListener.NONE, null);

  /** Replaces a null listener by {@link ProgressListener#NONE}. */
  public VectorReadOptions {
    progress = progress == null ? ProgressListener.NONE : progress;
  }

  /**
   * These options with another progress listener.
   *
   * @param listener the listener
   * @return new options
   */
  public VectorReadOptions withProgress(ProgressListener listener) {
    return new VectorReadOptions(Objects.requireNonNull(listener, "listener"), tensor);
  }

  /**
   * These options reading the safetensors tensor named {@code name}.
   *
   * @param name the tensor's name
   * @return new options
   */
  public VectorReadOptions withTensor(String name) {
    return new VectorReadOptions(progress, Objects.requireNonNull(name, "name"));
  }
}
