package dev.emb4j.task;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The categorical features of users or of items, each a bag of (feature key, weight) pairs: what a {@link
 * FeatureFactorization} sums into an entity's vector besides its own id. A key is a raw 64-bit id for a dynamic
 * table: the feature's number in its top byte and the value (a number, or a 56-bit FNV-1a hash of a text value) in
 * the other 56 bits, so keys of different features never meet.
 *
 * <p>MovieLens 100k ships its features as {@code u.user} ({@code id|age|gender|occupation|zip}) and {@code u.item}
 * ({@code id|title|release date|video date|url|19 genre flags}); {@link #movieLensUsers} and {@link #movieLensItems}
 * read them. Users get an age bucket (MovieLens 1M's: under 18, 18-24, 25-34, 35-44, 45-49, 50-55, 56 and over), a
 * gender, an occupation and the first three characters of the zip code; items their genres (each weighted 1 / the
 * number of genres, so that the genres sum to one vector) and their release year.
 */
public final class SideFeatures {
  /** Feature numbers (the keys' top byte); 0 is the entity's own id. */
  static final int ID = 0;

  private static final int AGE = 1;
  private static final int GENDER = 2;
  private static final int OCCUPATION = 3;
  private static final int ZIP = 4;
  private static final int GENRE = 5;
  private static final int YEAR = 6;
  private static final int GENRE_FLAGS = 19;

  /** The feature number of an item a user rated, in the user's bag (see {@link FeatureFactorizationTrainer}). */
  static final int RATED_ITEM = 255;

  /** One entity's bag. */
  record Bag(long[] keys, float[] weights) {}

  private final Map<Long, Bag> bags;
  private final Map<Long, String> titles;

  private SideFeatures(Map<Long, Bag> bags, Map<Long, String> titles) {
    this.bags = bags;
    this.titles = titles;
  }

  /** The features of each entity in {@code bags} (keys made by {@link #key}). */
  static SideFeatures of(Map<Long, Bag> bags) {
    return new SideFeatures(Map.copyOf(bags), Map.of());
  }

  /** No features: every entity is its id alone. */
  public static SideFeatures none() {
    return new SideFeatures(Map.of(), Map.of());
  }

  /** The raw id of value {@code value} of feature {@code feature}. */
  static long key(int feature, long value) {
    return ((long) feature << 56) | (value & 0x00FF_FFFF_FFFF_FFFFL);
  }

  static long key(int feature, String value) {
    long h = 0xCBF29CE484222325L; // FNV-1a, 64 bits
    for (int c = 0; c < value.length(); c++) {
      h = (h ^ value.charAt(c)) * 0x100000001B3L;
    }
    return key(feature, h);
  }

  /**
   * Reads MovieLens 100k's {@code u.user}: {@code id|age|gender|occupation|zip} per line.
   *
   * @throws RatingsFormatException naming the file and line of a line that does not have five fields, a user id or
   *     an age that is not a whole number, or a user listed twice
   * @throws IOException if the file cannot be read
   */
  public static SideFeatures movieLensUsers(Path file) throws IOException {
    Map<Long, Bag> bags = new LinkedHashMap<>();
    readLines(
        file,
        (fields, line) -> {
          if (fields.length != 5) {
            throw new RatingsFormatException(
                file, line, "expected 5 fields 'id|age|gender|occupation|zip', got " + fields.length);
          }
          long id = parseId(file, line, fields[0], "user id");
          long age = parseId(file, line, fields[1], "age");
          long[] keys = {
            key(AGE, ageBucket(age)),
            key(GENDER, fields[2].trim()),
            key(OCCUPATION, fields[3].trim()),
            key(ZIP, fields[4].trim().substring(0, Math.min(3, fields[4].trim().length())))
          };
          put(bags, file, line, id, new Bag(keys, new float[] {1, 1, 1, 1}));
        });
    return new SideFeatures(bags, Map.of());
  }

  /**
   * Reads MovieLens 100k's {@code u.item} (ISO-8859-1): {@code id|title|release date|video date|url} and 19 genre
   * flags per line. An item without a release date has no year feature.
   *
   * @throws RatingsFormatException naming the file and line of a line without 24 fields, an item id that is not a
   *     whole number, a genre flag other than 0 or 1, or an item listed twice
   * @throws IOException if the file cannot be read
   */
  public static SideFeatures movieLensItems(Path file) throws IOException {
    Map<Long, Bag> bags = new LinkedHashMap<>();
    Map<Long, String> titles = new HashMap<>();
    readLines(
        file,
        (fields, line) -> {
          if (fields.length != 5 + GENRE_FLAGS) {
            throw new RatingsFormatException(
                file, line, "expected " + (5 + GENRE_FLAGS) + " fields (id|title|release date|video date|url and "
                    + GENRE_FLAGS + " genre flags), got " + fields.length);
          }
          long id = parseId(file, line, fields[0], "item id");
          List<Long> keys = new ArrayList<>();
          for (int g = 0; g < GENRE_FLAGS; g++) {
            String flag = fields[5 + g].trim();
            if (!flag.equals("0") && !flag.equals("1")) {
              throw new RatingsFormatException(
                  file, line, "genre flag " + g + " must be 0 or 1, got '" + flag + "'");
            }
            if (flag.equals("1")) {
              keys.add(key(GENRE, g));
            }
          }
          int genres = keys.size();
          String date = fields[2].trim();
          if (date.length() >= 4 && date.substring(date.length() - 4).chars().allMatch(Character::isDigit)) {
            keys.add(key(YEAR, Long.parseLong(date.substring(date.length() - 4))));
          }
          float[] weights = new float[keys.size()];
          for (int k = 0; k < weights.length; k++) {
            weights[k] = k < genres ? 1f / genres : 1f;
          }
          put(bags, file, line, id, new Bag(keys.stream().mapToLong(Long::longValue).toArray(), weights));
          titles.put(id, fields[1].trim());
        });
    return new SideFeatures(bags, titles);
  }

  /**
   * The titles of MovieLens 100k's {@code u.item} by item id, for displaying recommendations.
   *
   * @throws RatingsFormatException as {@link #movieLensItems}
   * @throws IOException if the file cannot be read
   */
  public static Map<Long, String> movieLensTitles(Path file) throws IOException {
    return Collections.unmodifiableMap(movieLensItems(file).titles);
  }

  /** The entities that have features. */
  public Set<Long> ids() {
    return Collections.unmodifiableSet(bags.keySet());
  }

  /** The number of entities with features. */
  public int size() {
    return bags.size();
  }

  /** The entity's bag: its id key (weight 1) followed by its features, if it has any. */
  Bag bagOf(long id) {
    Bag features = bags.get(id);
    int n = features == null ? 0 : features.keys().length;
    long[] keys = new long[n + 1];
    float[] weights = new float[n + 1];
    keys[0] = key(ID, id);
    weights[0] = 1;
    if (features != null) {
      System.arraycopy(features.keys(), 0, keys, 1, n);
      System.arraycopy(features.weights(), 0, weights, 1, n);
    }
    return new Bag(keys, weights);
  }

  private static long ageBucket(long age) {
    return age < 18 ? 1 : age < 25 ? 18 : age < 35 ? 25 : age < 45 ? 35 : age < 50 ? 45 : age < 56 ? 50 : 56;
  }

  private static void put(Map<Long, Bag> bags, Path file, long line, long id, Bag bag) throws RatingsFormatException {
    if (bags.put(id, bag) != null) {
      throw new RatingsFormatException(file, line, "id " + id + " is listed twice");
    }
  }

  private static long parseId(Path file, long line, String field, String what) throws RatingsFormatException {
    try {
      return Long.parseLong(field.trim());
    } catch (NumberFormatException e) {
      throw new RatingsFormatException(file, line, what + " '" + field + "' is not a 64-bit integer");
    }
  }

  @FunctionalInterface
  private interface LineHandler {
    void accept(String[] fields, long line) throws RatingsFormatException;
  }

  /** Calls {@code handler} for each non-blank line split on '|' (ISO-8859-1, as MovieLens 100k ships). */
  private static void readLines(Path file, LineHandler handler) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      long line = 0;
      for (String s = in.readLine(); s != null; s = in.readLine()) {
        line++;
        if (!s.isBlank()) {
          handler.accept(s.split("\\|", -1), line);
        }
      }
      if (line == 0) {
        throw new RatingsFormatException(file, 1, "the file is empty: no features");
      }
    }
  }
}
