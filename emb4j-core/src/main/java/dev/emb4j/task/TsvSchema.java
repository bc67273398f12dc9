package dev.emb4j.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The columns of a tab-separated data file with a header line, as a schema file names them: which column holds the
 * user id, the item id, the rating and the timestamp, and which hold the users' and the items' features, read by
 * {@link TsvData}.
 *
 * <p>Schema file: one column a line, {@code name kind [side]} separated by spaces or tabs; a {@code #} starts a
 * comment that runs to the end of the line, and blank lines are skipped. Kinds: {@code id} (side {@code user} or
 * {@code item}, each exactly once: the raw 64-bit ids), {@code rating} (a number, at most once; without it every row
 * is an interaction rated 1), {@code timestamp} (a 64-bit integer, at most once), and the features, each with its
 * side: {@code categorical} (one value, any text), {@code multi} (values separated by {@code |}, weighted 1 / their
 * number) and {@code numeric} (a number).
 * At most 254 features (the 255th number is that of the rated items, see {@link
 * FeatureFactorizationTrainer#withRatedItems()}). Data columns the schema does not name are ignored.
 *
 * @param file the schema file, for messages
 * @param columns the columns in the schema's order
 */
public record TsvSchema(Path file, List<Column> columns) {
  /** The most features a schema may name: a feature's number fills a key's top byte. */
  static final int MAX_FEATURES = 254;

  /** What a column holds. */
  public enum Kind {
    /** The user's or the item's raw 64-bit id. */
    ID,
    /** The rating, a number. */
    RATING,
    /** The time of the interaction, a 64-bit integer. */
    TIMESTAMP,
    /** One categorical value. */
    CATEGORICAL,
    /** Several categorical values separated by '|'. */
    MULTI,
    /** A number. */
    NUMERIC
  }

  /** Whose column it is. */
  public enum Side {
    /** The user's id or feature. */
    USER,
    /** The item's id or feature. */
    ITEM,
    /** The interaction's (rating, timestamp). */
    NONE
  }

  /**
   * One column.
   *
   * @param name the header's name of the column
   * @param kind what it holds
   * @param side whose it is
   * @param line the schema line that names it
   */
  public record Column(String name, Kind kind, Side side, long line) {
    /** Whether the column is a feature of a user or an item. */
    public boolean isFeature() {
      return kind == Kind.CATEGORICAL || kind == Kind.MULTI || kind == Kind.NUMERIC;
    }
  }

  /** Copies the columns. */
  public TsvSchema {
    columns = List.copyOf(columns);
  }

  /**
   * Reads a schema file.
   *
   * @throws RatingsFormatException naming the file and line of an unknown kind or side, a feature or id without a
   *     side, a column named twice, a second id, rating or timestamp column, a missing user or item id column, or
   *     more than {@value #MAX_FEATURES} features
   * @throws IOException if the file cannot be read
   */
  public static TsvSchema read(Path file) throws IOException {
    List<Column> columns = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> singles = new HashSet<>();
    int features = 0;
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int k = 0; k < lines.size(); k++) {
      long line = k + 1;
      String t = lines.get(k);
      t = (t.indexOf('#') >= 0 ? t.substring(0, t.indexOf('#')) : t).strip();
      if (t.isEmpty()) {
        continue;
      }
      String[] f = t.split("[\\t ]+");
      if (f.length < 2 || f.length > 3) {
        throw new RatingsFormatException(file, line, "expected 'name kind [side]', got '" + t + "'");
      }
      Kind kind = parse(Kind.class, f[1], file, line, "kind");
      Side side = f.length == 3 ? parse(Side.class, f[2], file, line, "side") : Side.NONE;
      boolean sided = kind == Kind.ID || kind == Kind.CATEGORICAL || kind == Kind.MULTI || kind == Kind.NUMERIC;
      if (sided && side == Side.NONE) {
        throw new RatingsFormatException(
            file, line, "column '" + f[0] + "' of kind " + f[1] + " needs a side: user or item");
      }
      if (!sided && side != Side.NONE) {
        throw new RatingsFormatException(file, line, "column '" + f[0] + "' of kind " + f[1] + " belongs to no side");
      }
      if (!names.add(f[0])) {
        throw new RatingsFormatException(file, line, "column '" + f[0] + "' is named twice");
      }
      if (!sided || kind == Kind.ID) {
        String what = kind == Kind.ID ? side.name().toLowerCase(Locale.ROOT) + " id" : f[1];
        if (!singles.add(what)) {
          throw new RatingsFormatException(file, line, "a second " + what + " column: '" + f[0] + "'");
        }
      }
      Column c = new Column(f[0], kind, side, line);
      if (c.isFeature() && ++features > MAX_FEATURES) {
        throw new RatingsFormatException(file, line, "more than " + MAX_FEATURES + " features");
      }
      columns.add(c);
    }
    for (String id : List.of("user id", "item id")) {
      if (!singles.contains(id)) {
        throw new RatingsFormatException(
            file, Math.max(1, lines.size()), "no " + id + " column (a line '<name> id " + id.split(" ")[0] + "')");
      }
    }
    return new TsvSchema(file, columns);
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String s, Path file, long line, String what)
      throws RatingsFormatException {
    for (E e : type.getEnumConstants()) {
      if (e != null && e.name().equalsIgnoreCase(s) && !e.name().equals("NONE")) {
        return e;
      }
    }
    List<String> valid = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      if (!e.name().equals("NONE")) {
        valid.add(e.name().toLowerCase(Locale.ROOT));
      }
    }
    throw new RatingsFormatException(
        file, line, "unknown " + what + " '" + s + "' (valid: " + String.join(", ", valid) + ")");
  }

  /** The column of {@code kind} on {@code side}, or null if the schema names none (the first, for features). */
  Column find(Kind kind, Side side) {
    for (Column c : columns) {
      if (c.kind() == kind && c.side() == side) {
        return c;
      }
    }
    return null;
  }

  /** Whether a rating column is named. */
  public boolean hasRating() {
    return find(Kind.RATING, Side.NONE) != null;
  }

  /** Whether any feature is named. */
  public boolean hasFeatures() {
    return columns.stream().anyMatch(Column::isFeature);
  }
}
