package dev.emb4j.vocab;

/**
 * What a {@link Vocabulary} does with a token it does not hold. Chosen explicitly; the table itself never maps an
 * unknown id to some other row.
 */
public enum OovPolicy {
  /** Throw {@link OutOfVocabularyException}, naming the token. The default. */
  ERROR,
  /** Map to the unknown token's id (the vocabulary must have an unknown token). */
  UNKNOWN,
  /**
   * Map to one of {@code n} extra rows after the tokens, chosen by fastText's hash of the token: id {@code size +
   * (hash(token) mod n)} (see {@link FastTextHash}).
   */
  HASH
}
