package dev.emb4j.task;

import dev.emb4j.internal.format.Utf8Lines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * (user, item, rating) triples as read from a ratings file, with the raw user and item ids as they appear in it.
 *
 * <p>File format: one rating per line, {@code user item rating [timestamp]}, separated by tabs, commas or spaces
 * (MovieLens {@code u.data} is tab-separated), in UTF-8. Blank lines, lines starting with {@code #} and a byte-order
 * mark at the start are skipped; invalid UTF-8 is an error naming the file and the line. A rating must be a finite
 * number within the {@link RatingRange} given to {@link #load(Path, boolean, RatingRange)} ({@link
 * RatingRange#DEFAULT} otherwise); a timestamp, where given, a 64-bit integer.
 *
 * @param users raw user id of each rating
 * @param items raw item id of each rating
 * @param values the ratings
 */
public record Ratings(long[] users, long[] items, float[] values) {

  /** Checks that the three arrays pair up. */
  public Ratings {
    if (users.length != items.length || users.length != values.length) {
      throw new IllegalArgumentException(
          "users, items and values must have equal lengths, got " + users.length + ", " + items.length + ", "
              + values.length);
    }
  }

  /** Number of ratings. */
  public int size() {
    return values.length;
  }

  /** The mean rating (NaN when empty). */
  public double mean() {
    double s = 0;
    for (float v : values) {
      s += v;
    }
    return values.length == 0 ? Double.NaN : s / values.length;
  }

  /**
   * Ratings read from a file, with the number of malformed lines that were skipped.
   *
   * @param ratings the well-formed ratings
   * @param skippedLines malformed lines left out (0 unless skipping was asked for)
   * @param timestamps each rating's timestamp (its fourth field), {@link #NO_TIMESTAMP} where its line has none
   */
  public record Loaded(Ratings ratings, int skippedLines, long[] timestamps) {
    /** Checks that there is one timestamp per rating. */
    public Loaded {
      if (timestamps.length != ratings.size()) {
        throw new IllegalArgumentException(
            "got " + timestamps.length + " timestamps for " + ratings.size() + " ratings");
      }
    }
  }

  /** The timestamp of a rating whose line has none: earlier than any other. */
  public static final long NO_TIMESTAMP = Long.MIN_VALUE;

  /**
   * Reads a ratings file.
   *
   * @throws RatingsFormatException naming the file and line of the first malformed line
   */
  public static Ratings read(Path file) throws IOException {
    return load(file, false).ratings();
  }

  /**
   * Reads a ratings file whose ratings lie in {@link RatingRange#DEFAULT}; with {@code skipBadLines}, malformed lines
   * are counted and left out instead of stopping the read.
   *
   * @throws RatingsFormatException naming the file and line of the first malformed line, unless skipping
   */
  public static Loaded load(Path file, boolean skipBadLines) throws IOException {
    return load(file, skipBadLines, RatingRange.DEFAULT);
  }

  /**
   * Reads a ratings file whose ratings lie in {@code range}; with {@code skipBadLines}, malformed lines (a rating out
   * of range included) are counted and left out instead of stopping the read.
   *
   * @throws RatingsFormatException naming the file and line of the first malformed line, unless skipping
   */
  public static Loaded load(Path file, boolean skipBadLines, RatingRange range) throws IOException {
    RatingsBuilder out = new RatingsBuilder();
    int skipped = 0;
    try (InputStream stream = Files.newInputStream(file)) {
      Utf8Lines lines = new Utf8Lines(stream, (line, what) -> new RatingsFormatException(file, line, what));
      String line;
      while ((line = lines.next()) != null) {
        int lineNo = Math.toIntExact(lines.lineNumber());
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        String[] f = t.split("[\\t, ]+");
        long user;
        long item;
        float value;
        long time;
        try {
          if (f.length < 3 || f.length > 4) {
            throw new RatingsFormatException(
                file, lineNo, "expected 'user item rating [timestamp]', got " + f.length + " fields: '" + clip(t) + "'");
          }
          user = parseId(file, lineNo, "user", f[0]);
          item = parseId(file, lineNo, "item", f[1]);
          value = parseRating(file, lineNo, f[2], range);
          time = f.length == 4 ? parseTimestamp(file, lineNo, f[3]) : NO_TIMESTAMP;
        } catch (RatingsFormatException e) {
          if (!skipBadLines) {
            throw e;
          }
          skipped++;
          continue;
        }
        out.add(user, item, value, time);
      }
    }
    return out.build(skipped);
  }

  private static long parseId(Path file, int line, String what, String s) throws RatingsFormatException {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new RatingsFormatException(file, line, what + " id '" + clip(s) + "' is not an integer");
    }
  }

  private static long parseTimestamp(Path file, int line, String s) throws RatingsFormatException {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new RatingsFormatException(file, line, "timestamp '" + clip(s) + "' is not a 64-bit integer");
    }
  }

  private static float parseRating(Path file, int line, String s, RatingRange range)
      throws RatingsFormatException {
    float v;
    try {
      v = Float.parseFloat(s);
    } catch (NumberFormatException e) {
      throw new RatingsFormatException(file, line, "rating '" + clip(s) + "' is not a number");
    }
    if (!Float.isFinite(v)) {
      throw new RatingsFormatException(file, line, "rating " + s + " is not finite");
    }
    if (!range.contains(v)) {
      throw new RatingsFormatException(
          file, line, "rating " + clip(s) + " is outside the accepted range " + range
              + (range.equals(RatingRange.DEFAULT) ? " (the default; give the data's scale, e.g. 1:5)" : ""));
    }
    return v;
  }

  private static String clip(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
