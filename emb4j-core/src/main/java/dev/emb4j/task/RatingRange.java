package dev.emb4j.task;

/**
 * The ratings a file may hold, bounds included: a rating outside them is a malformed line. {@link #DEFAULT} accepts
 * any rating of magnitude up to one million, which every common scale (1..5 stars, 0..10, -10..10, 0..100) fits and
 * which keeps a stray value such as {@code 1e30} from ruining a model; a file on a known scale is best read with that
 * scale (e.g. {@code new RatingRange(1, 5)} for MovieLens), so that a typo such as {@code 55} is caught too.
 *
 * @param min the lowest accepted rating
 * @param max the highest accepted rating
 */
public record RatingRange(float min, float max) {

  /** {@code -1e6..1e6}: what a ratings file is held to when no range is given. */
  public static final RatingRange DEFAULT = new RatingRange(-1e6f, 1e6f);

  /** Checks that both bounds are finite and {@code min <= max}. */
  public RatingRange {
    if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
      throw new IllegalArgumentException(
          "a rating range needs finite bounds with min <= max, got " + min + ".." + max);
    }
  }

  /**
   * Parses {@code "MIN:MAX"}, e.g. {@code "1:5"} or {@code "-10:10"}.
   *
   * @param text the range
   * @return the range
   * @throws IllegalArgumentException if the text is not two finite numbers {@code MIN <= MAX} separated by a colon
   */
  public static RatingRange parse(String text) {
    int colon = text.indexOf(':', 1); // from 1: a leading minus sign is not the separator
    if (colon < 0) {
      throw new IllegalArgumentException("a rating range is MIN:MAX, e.g. 1:5; got '" + text + "'");
    }
    try {
      return new RatingRange(
          Float.parseFloat(text.substring(0, colon).strip()), Float.parseFloat(text.substring(colon + 1).strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a rating range is MIN:MAX with two numbers, e.g. 1:5; got '" + text + "'", e);
    }
  }

  /** Whether {@code rating} lies within the range (bounds included). */
  public boolean contains(float rating) {
    return rating >= min && rating <= max;
  }

  /** {@code MIN:MAX}, as {@link #parse} reads it. */
  @Override
  public String toString() {
    return format(min) + ":" + format(max);
  }

  private static String format(float v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9f ? Long.toString((long) v) : Float.toString(v);
  }
}
