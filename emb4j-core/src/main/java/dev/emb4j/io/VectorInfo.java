package dev.emb4j.io;

import dev.emb4j.store.DType;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a vector file holds, known from its header before any row is read.
 *
 * @param file the file
 * @param format its format
 * @param rows the number of vectors (V)
 * @param dim the length of each vector (D)
 * @param dtype how the values are stored
 * @param hasTokens whether each row has a token (word2vec, GloVe and fastText always; NumPy never; safetensors and
 *     emb4j tables when written with tokens)
 * @param metadata free-form string pairs stored in the file (safetensors {@code __metadata__}, emb4j table metadata);
 *     unmodifiable, empty for other formats
 */
public record VectorInfo(
    Path file, VectorFormat format, long rows, int dim, DType dtype, boolean hasTokens, Map<String, String> metadata) {

  /** Checks the shape and copies the metadata. */
  public VectorInfo {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(dtype, "dtype");
    if (rows < 0 || dim <= 0) {
      throw new IllegalArgumentException("a vector file needs rows >= 0 and dim > 0, got " + rows + " x " + dim);
    }
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
