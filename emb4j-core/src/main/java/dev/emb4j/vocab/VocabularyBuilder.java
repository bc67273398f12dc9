package dev.emb4j.vocab;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link Vocabulary} from a corpus: counts tokens, keeps those seen at least {@link #minCount} times, sorts
 * them by falling count (ties by token, in {@link String#compareTo} order, so the result never depends on the order of
 * the corpus), and keeps the first {@link #maxSize} ids, special tokens included. Special tokens take the first ids:
 * padding 0, then unknown.
 */
public final class VocabularyBuilder {
  private final Map<String, Long> counts = new HashMap<>();
  private String padding;
  private String unknown;
  private long minCount = 1;
  private int maxSize = Integer.MAX_VALUE;
  private OovPolicy oov = OovPolicy.ERROR;
  private int hashBuckets;

  VocabularyBuilder() {}

  /**
   * A padding token, given id 0.
   *
   * @param token the token, e.g. {@code "<pad>"}
   * @return this builder
   */
  public VocabularyBuilder padding(String token) {
    this.padding = requireToken(token);
    return this;
  }

  /**
   * An unknown token, given the id after the padding token.
   *
   * @param token the token, e.g. {@code "<unk>"}
   * @return this builder
   */
  public VocabularyBuilder unknown(String token) {
    this.unknown = requireToken(token);
    return this;
  }

  /**
   * Keep only tokens counted at least this often (default 1).
   *
   * @param count the minimum, at least 1
   * @return this builder
   */
  public VocabularyBuilder minCount(long count) {
    if (count < 1) {
      throw new IllegalArgumentException("minCount must be at least 1, got " + count);
    }
    this.minCount = count;
    return this;
  }

  /**
   * Keep at most this many tokens, special tokens included (default: no limit).
   *
   * @param size the maximum, at least the number of special tokens
   * @return this builder
   */
  public VocabularyBuilder maxSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("maxSize must be positive, got " + size);
    }
    this.maxSize = size;
    return this;
  }

  /**
   * The out-of-vocabulary policy (default {@link OovPolicy#ERROR}); for {@link OovPolicy#HASH} use {@link
   * #hashBuckets}.
   *
   * @param policy the policy
   * @return this builder
   */
  public VocabularyBuilder oov(OovPolicy policy) {
    this.oov = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /**
   * Use {@link OovPolicy#HASH} with {@code buckets} extra rows.
   *
   * @param buckets the bucket count, positive
   * @return this builder
   */
  public VocabularyBuilder hashBuckets(int buckets) {
    if (buckets <= 0) {
      throw new IllegalArgumentException("hashBuckets must be positive, got " + buckets);
    }
    this.oov = OovPolicy.HASH;
    this.hashBuckets = buckets;
    return this;
  }

  /**
   * Counts one occurrence of a token.
   *
   * @param token the token, non-empty
   * @return this builder
   */
  public VocabularyBuilder add(String token) {
    counts.merge(requireToken(token), 1L, Long::sum);
    return this;
  }

  /**
   * Counts every token of a corpus.
   *
   * @param tokens the tokens
   * @return this builder
   */
  public VocabularyBuilder addAll(Iterable<String> tokens) {
    for (String t : tokens) {
      add(t);
    }
    return this;
  }

  /**
   * The vocabulary of the tokens counted so far.
   *
   * @return the vocabulary
   * @throws IllegalArgumentException if the options contradict each other (UNKNOWN without an unknown token, padding
   *     equal to unknown, maxSize smaller than the special tokens)
   */
  public Vocabulary build() {
    List<String> specials = new ArrayList<>();
    if (padding != null) {
      specials.add(padding);
    }
    if (unknown != null) {
      if (unknown.equals(padding)) {
        throw new IllegalArgumentException("padding and unknown token are both '" + unknown + "'");
      }
      specials.add(unknown);
    }
    if (maxSize < specials.size()) {
      throw new IllegalArgumentException("maxSize " + maxSize + " leaves no room for the special tokens " + specials);
    }
    List<Map.Entry<String, Long>> kept = new ArrayList<>();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getValue() >= minCount && !specials.contains(e.getKey())) {
        kept.add(e);
      }
    }
    kept.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    List<String> tokens = new ArrayList<>(specials);
    for (int i = 0; i < kept.size() && tokens.size() < maxSize; i++) {
      tokens.add(kept.get(i).getKey());
    }
    return new Vocabulary(tokens, padding, unknown, oov, hashBuckets);
  }

  private static String requireToken(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isEmpty()) {
      throw new IllegalArgumentException("a token must not be empty");
    }
    return token;
  }
}
