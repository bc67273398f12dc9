package dev.emb4j.io;

import java.util.List;

/**
 * How much of a vocabulary a set of pretrained vectors covers: the report of a partial initialisation (see {@link
 * PretrainedAlignment}). The padding token and hash buckets are not counted; the unknown token is, like any other.
 *
 * @param found vocabulary tokens whose row was copied from the vectors
 * @param missing vocabulary tokens initialised randomly because the vectors lack them
 * @param missingExamples the first few missing tokens, in id order (at most {@value #MAX_EXAMPLES})
 */
public record Coverage(long found, long missing, List<String> missingExamples) {
  /** The most missing tokens a report lists. */
  public static final int MAX_EXAMPLES = 10;

  /** Copies the examples. */
  public Coverage {
    missingExamples = List.copyOf(missingExamples);
  }

  /**
   * The covered share.
   *
   * @return {@code found / (found + missing)}, or 1 for an empty vocabulary
   */
  public double fraction() {
    long total = found + missing;
    return total == 0 ? 1.0 : (double) found / total;
  }

  /** For example {@code "9871 of 10000 tokens found (98.7%); missing: zyzzyva, qwerty, ..."}. */
  @Override
  public String toString() {
    String s = found + " of " + (found + missing) + " tokens found (" + String.format(java.util.Locale.ROOT, "%.1f", 100 * fraction()) + "%)";
    return missing == 0 ? s : s + "; missing: " + String.join(", ", missingExamples) + (missing > missingExamples.size() ? ", ..." : "");
  }
}
