package dev.emb4j.io;

import dev.emb4j.store.DType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to write a vector file.
 *
 * @param dtype the element type of binary formats: {@link DType#F32} (the default) everywhere, {@link DType#F16} for
 *     NumPy, safetensors and emb4j tables, {@link DType#BF16} for safetensors and emb4j tables, the row-wise quantized
 *     {@link DType#INT8} and {@link DType#INT4} for emb4j tables only; text formats ignore the float types and word2vec
 *     binary accepts only F32
 * @param tensor the name of the tensor in a safetensors file (default {@code "weight"})
 * @param metadata string pairs to store in the file where the format has room for them (safetensors, emb4j tables);
 *     unmodifiable
 */
public record VectorWriteOptions(DType dtype, String tensor, Map<String, String> metadata) {

  /** float32, tensor {@code "weight"}, no metadata. */
  public static final VectorWriteOptions DEFAULTS = new VectorWriteOptions(DType.F32, "weight", Map.of());

  /** Checks the arguments and copies the metadata. */
  public VectorWriteOptions {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(tensor, "tensor");
    if (tensor.isEmpty()) {
      throw new IllegalArgumentException("the tensor name must not be empty");
    }
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
  }

  /**
   * These options with another element type.
   *
   * @param type the element type
   * @return new options
   */
  public VectorWriteOptions withDtype(DType type) {
    return new VectorWriteOptions(type, tensor, metadata);
  }

  /**
   * These options with another safetensors tensor name.
   *
   * @param name the tensor name
   * @return new options
   */
  public VectorWriteOptions withTensor(String name) {
    return new VectorWriteOptions(dtype, name, metadata);
  }

  /**
   * These options with the given metadata.
   *
   * @param pairs the metadata
   * @return new options
   */
  public VectorWriteOptions withMetadata(Map<String, String> pairs) {
    return new VectorWriteOptions(dtype, tensor, pairs);
  }
}
