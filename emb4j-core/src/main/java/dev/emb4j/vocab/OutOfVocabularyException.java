package dev.emb4j.vocab;

/**
 * A token that is not in a vocabulary whose policy is {@link OovPolicy#ERROR}. The message names the token and the
 * vocabulary's size, e.g. {@code "token 'zyzzyva' is not in the vocabulary of 10000 tokens (policy ERROR)"}.
 */
public final class OutOfVocabularyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String token;

  /**
   * An exception about {@code token}.
   *
   * @param token the unknown token
   * @param vocabularySize the number of tokens in the vocabulary
   */
  public OutOfVocabularyException(String token, int vocabularySize) {
    super("token '" + token + "' is not in the vocabulary of " + vocabularySize + " tokens (policy ERROR)");
    this.token = token;
  }

  /**
   * The token that was not found.
   *
   * @return the token
   */
  public String token() {
    return token;
  }
}
