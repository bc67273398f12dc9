package dev.emb4j.tensor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A batch of variable-length id lists for several features at once, TorchRec's {@code KeyedJaggedTensor}: for each
 * feature (key) and each of the batch's {@link #stride()} samples, a list of ids (possibly empty), with optional
 * per-id weights. The input of {@code dev.emb4j.nn.EmbeddingBagCollection}.
 *
 * <pre>
 * keys    = [genre, year]                 stride (batch size) B = 2
 * lengths = [2, 1,   1, 1]                key-major: genre's B lengths, then year's
 * values  = [7, 3, 9,   1995, 2001]       genre: sample 0 -> [7, 3], sample 1 -> [9]; year: [1995], [2001]
 * weights = null, or one float per value
 * </pre>
 *
 * <p>Values are raw 64-bit ids (for a dynamic table) or row numbers (for an ordinary one); the tensor does not care.
 * Immutable: the arrays are copied in and out.
 */
public final class KeyedJaggedTensor {
  private final List<String> keys;
  private final Map<String, Integer> keyIndex;
  private final long[] values;
  private final int[] lengths;
  private final float[] weights;
  private final int stride;
  /** Where each key's values start in {@link #values}, plus the end: {@code keys().size() + 1} entries. */
  private final int[] keyStarts;

  private KeyedJaggedTensor(List<String> keys, long[] values, int[] lengths, float[] weights) {
    this.keys = List.copyOf(keys);
    this.values = values;
    this.lengths = lengths;
    this.weights = weights;
    this.keyIndex = new HashMap<>();
    for (int k = 0; k < this.keys.size(); k++) {
      keyIndex.put(this.keys.get(k), k);
    }
    this.stride = this.keys.isEmpty() ? 0 : lengths.length / this.keys.size();
    this.keyStarts = new int[this.keys.size() + 1];
    int at = 0;
    for (int k = 0; k < this.keys.size(); k++) {
      keyStarts[k] = at;
      for (int b = 0; b < stride; b++) {
        at += lengths[k * stride + b];
      }
    }
    keyStarts[this.keys.size()] = at;
  }

  /**
   * A tensor without weights; see {@link #of(List, long[], int[], float[])}.
   *
   * @throws IllegalArgumentException as there
   */
  public static KeyedJaggedTensor of(List<String> keys, long[] values, int[] lengths) {
    return of(keys, values, lengths, null);
  }

  /**
   * A tensor of the given features.
   *
   * @param keys the feature names, unique and non-empty
   * @param values every id, feature by feature, sample by sample within a feature
   * @param lengths the number of ids of each (feature, sample), key-major: {@code keys.size() * B} entries
   * @param weights one weight per value, or null for none
   * @throws IllegalArgumentException naming the value: a repeated or empty key, lengths not a multiple of the
   *     number of keys, a negative length, lengths that do not sum to the number of values, or weights of another
   *     length than the values
   */
  public static KeyedJaggedTensor of(List<String> keys, long[] values, int[] lengths, float[] weights) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(lengths, "lengths");
    for (int k = 0; k < keys.size(); k++) {
      String key = Objects.requireNonNull(keys.get(k), "key");
      if (key.isEmpty() || keys.indexOf(key) != k) {
        throw new IllegalArgumentException(
            "keys must be unique and non-empty, got '" + key + "' at position " + k + " of " + keys);
      }
    }
    if (keys.isEmpty() ? lengths.length != 0 : lengths.length % keys.size() != 0) {
      throw new IllegalArgumentException(
          lengths.length + " lengths do not split evenly over the " + keys.size() + " keys " + keys
              + " (one length per key and sample)");
    }
    long total = 0;
    for (int i = 0; i < lengths.length; i++) {
      if (lengths[i] < 0) {
        int stride = lengths.length / keys.size();
        throw new IllegalArgumentException(
            "length " + lengths[i] + " of key '" + keys.get(i / stride) + "' at sample " + i % stride
                + " is negative");
      }
      total += lengths[i];
    }
    if (total != values.length) {
      throw new IllegalArgumentException(
          "the lengths sum to " + total + " but " + values.length + " values were given");
    }
    if (weights != null && weights.length != values.length) {
      throw new IllegalArgumentException(
          weights.length + " weights were given for " + values.length + " values (one weight per value)");
    }
    return new KeyedJaggedTensor(keys, values.clone(), lengths.clone(), weights == null ? null : weights.clone());
  }

  /** The feature names, in order. */
  public List<String> keys() {
    return keys;
  }

  /** The batch size B: the samples of each feature. */
  public int stride() {
    return stride;
  }

  /** Every value, feature by feature (a copy). */
  public long[] values() {
    return values.clone();
  }

  /** The lengths, key-major (a copy). */
  public int[] lengths() {
    return lengths.clone();
  }

  /** The weights, if any (a copy). */
  public Optional<float[]> weights() {
    return weights == null ? Optional.empty() : Optional.of(weights.clone());
  }

  /**
   * The values of feature {@code key} as a 1-D tensor, the bags of {@link #offsets(String)}.
   *
   * @throws IllegalArgumentException if there is no such key, naming the keys there are
   */
  public IndexTensor values(String key) {
    int k = keyOf(key);
    return IndexTensor.of(Arrays.copyOfRange(values, keyStarts[k], keyStarts[k + 1]));
  }

  /** Where each sample's ids start in {@link #values(String)}: B offsets from 0. */
  public IndexTensor offsets(String key) {
    int k = keyOf(key);
    long[] off = new long[stride];
    long at = 0;
    for (int b = 0; b < stride; b++) {
      off[b] = at;
      at += lengths[k * stride + b];
    }
    return IndexTensor.of(off);
  }

  /** The weights of feature {@code key}'s values, if the tensor has weights. */
  public Optional<FloatTensor> weights(String key) {
    int k = keyOf(key);
    return weights == null
        ? Optional.empty()
        : Optional.of(FloatTensor.vector(Arrays.copyOfRange(weights, keyStarts[k], keyStarts[k + 1])));
  }

  private int keyOf(String key) {
    Integer k = keyIndex.get(Objects.requireNonNull(key, "key"));
    if (k == null) {
      throw new IllegalArgumentException("no key '" + key + "' in this KeyedJaggedTensor; its keys are " + keys);
    }
    return k;
  }

  /** For example {@code KeyedJaggedTensor(keys=[genre, year], stride=2, values=5, weighted)}. */
  @Override
  public String toString() {
    return "KeyedJaggedTensor(keys=" + keys + ", stride=" + stride + ", values=" + values.length
        + (weights != null ? ", weighted" : "") + ")";
  }
}
