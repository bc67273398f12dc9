package dev.emb4j.task;

import dev.emb4j.internal.format.Utf8Lines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ratings and the users' and items' features from a tab-separated file with a header line whose columns a {@link
 * TsvSchema} describes. Each row is one rating (or, without a rating column, one interaction rated 1); a user's
 * features are read from its first row, an item's likewise, and an empty cell is a feature without a value. A
 * categorical value becomes its own key, each of a multi-valued cell's values a key weighted 1 / their number, and a
 * numeric feature one key weighted by the value standardised over the entities that have it (minus the mean, over the
 * standard deviation where that is not 0).
 *
 * @param loaded the ratings, their timestamps and the lines skipped
 * @param users the users' features
 * @param items the items' features
 */
public record TsvData(Ratings.Loaded loaded, SideFeatures users, SideFeatures items) {

  /**
   * Reads {@code file} as {@code schema} describes it; with {@code skipBadLines}, malformed rows are counted and left
   * out instead of stopping the read.
   *
   * @throws RatingsFormatException naming the file and line of a schema column missing from the header, an id or
   *     timestamp that is not a 64-bit integer, a rating or numeric value that is not a finite number, a rating
   *     outside {@code range}, a row with fewer cells than the header (unless skipping), or naming the feature that
   *     has no value in any row
   * @throws IOException if the file cannot be read
   */
  public static TsvData read(Path file, TsvSchema schema, boolean skipBadLines, RatingRange range) throws IOException {
    List<TsvSchema.Column> columns = schema.columns();
    List<TsvSchema.Column> features = columns.stream().filter(TsvSchema.Column::isFeature).toList();
    TsvSchema.Column userId = schema.find(TsvSchema.Kind.ID, TsvSchema.Side.USER);
    TsvSchema.Column itemId = schema.find(TsvSchema.Kind.ID, TsvSchema.Side.ITEM);
    TsvSchema.Column rating = schema.find(TsvSchema.Kind.RATING, TsvSchema.Side.NONE);
    TsvSchema.Column time = schema.find(TsvSchema.Kind.TIMESTAMP, TsvSchema.Side.NONE);
    Map<String, Integer> at = new HashMap<>();
    RatingsBuilder rows = new RatingsBuilder();
    int skipped = 0;
    int width = 0;
    Map<Long, String[]> userCells = new LinkedHashMap<>();
    Map<Long, String[]> itemCells = new LinkedHashMap<>();
    boolean[] hasValue = new boolean[features.size()];
    try (InputStream stream = Files.newInputStream(file)) {
      Utf8Lines lines = new Utf8Lines(stream, (line, what) -> new RatingsFormatException(file, line, what));
      String header = lines.next();
      if (header == null) {
        throw new RatingsFormatException(file, 1, "the file is empty: no header line");
      }
      String[] names = header.split("\t", -1);
      width = names.length;
      for (int c = 0; c < names.length; c++) {
        at.putIfAbsent(names[c].strip(), c);
      }
      for (TsvSchema.Column c : columns) {
        if (!at.containsKey(c.name())) {
          throw new RatingsFormatException(
              file, 1, "no column '" + c.name() + "' (named by " + schema.file() + ":" + c.line() + "); the header"
                  + " has: " + String.join(", ", names));
        }
      }
      String line;
      while ((line = lines.next()) != null) {
        long lineNo = lines.lineNumber();
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split("\t", -1);
        long user;
        long item;
        float value;
        long stamp;
        try {
          if (cells.length < width) {
            throw new RatingsFormatException(
                file, lineNo, "expected " + width + " tab-separated cells as the header has, got " + cells.length);
          }
          user = parseLong(file, lineNo, userId, cell(userId, cells, at));
          item = parseLong(file, lineNo, itemId, cell(itemId, cells, at));
          value = rating == null ? 1 : parseRating(file, lineNo, rating, cell(rating, cells, at), range);
          stamp = time == null ? Ratings.NO_TIMESTAMP : parseLong(file, lineNo, time, cell(time, cells, at));
          for (TsvSchema.Column f : features) {
            String v = cell(f, cells, at);
            if (f.kind() == TsvSchema.Kind.NUMERIC && !v.isEmpty()) {
              parseNumber(file, lineNo, f, v);
            }
          }
        } catch (RatingsFormatException e) {
          if (!skipBadLines) {
            throw e;
          }
          skipped++;
          continue;
        }
        for (int k = 0; k < features.size(); k++) {
          hasValue[k] |= !values(features.get(k), cells, at).isEmpty();
        }
        userCells.putIfAbsent(user, cells);
        itemCells.putIfAbsent(item, cells);
        rows.add(user, item, value, stamp);
      }
    }
    for (int k = 0; k < features.size(); k++) {
      if (!hasValue[k]) {
        throw new RatingsFormatException(
            file, 1, "feature '" + features.get(k).name() + "' has no value in any row");
      }
    }
    return new TsvData(
        rows.build(skipped),
        features(features, userCells, TsvSchema.Side.USER, at),
        features(features, itemCells, TsvSchema.Side.ITEM, at));
  }

  private static String cell(TsvSchema.Column c, String[] cells, Map<String, Integer> at) {
    return cells[at.get(c.name())].strip();
  }

  /** The values of feature {@code f} in a row: none for an empty cell, each of a multi-valued cell's. */
  private static List<String> values(TsvSchema.Column f, String[] cells, Map<String, Integer> at) {
    List<String> out = new ArrayList<>();
    String v = cell(f, cells, at);
    for (String part : f.kind() == TsvSchema.Kind.MULTI ? v.split("\\|") : new String[] {v}) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }

  /** Each entity's bag of the features of {@code side}, from the cells of its first row. */
  private static SideFeatures features(
      List<TsvSchema.Column> features, Map<Long, String[]> firstRows, TsvSchema.Side side, Map<String, Integer> at) {
    Map<Long, List<Long>> keys = new LinkedHashMap<>();
    Map<Long, List<Float>> weights = new LinkedHashMap<>();
    for (long id : firstRows.keySet()) {
      keys.put(id, new ArrayList<>());
      weights.put(id, new ArrayList<>());
    }
    for (int k = 0; k < features.size(); k++) {
      TsvSchema.Column f = features.get(k);
      if (f.side() != side) {
        continue;
      }
      int number = k + 1; // 0 is the entity's own id
      if (f.kind() == TsvSchema.Kind.NUMERIC) {
        double sum = 0;
        double squares = 0;
        int count = 0;
        for (String[] cells : firstRows.values()) {
          String v = cell(f, cells, at);
          if (!v.isEmpty()) {
            double x = Double.parseDouble(v);
            sum += x;
            squares += x * x;
            count++;
          }
        }
        double mean = count == 0 ? 0 : sum / count;
        double std = count == 0 ? 0 : Math.sqrt(Math.max(0, squares / count - mean * mean));
        double scale = std > 0 ? std : 1;
        for (Map.Entry<Long, String[]> e : firstRows.entrySet()) {
          String v = cell(f, e.getValue(), at);
          if (!v.isEmpty()) {
            keys.get(e.getKey()).add(SideFeatures.key(number, 0L));
            weights.get(e.getKey()).add((float) ((Double.parseDouble(v) - mean) / scale));
          }
        }
        continue;
      }
      for (Map.Entry<Long, String[]> e : firstRows.entrySet()) {
        List<String> values = values(f, e.getValue(), at);
        for (String part : values) {
          keys.get(e.getKey()).add(SideFeatures.key(number, part));
          weights.get(e.getKey()).add(1f / values.size());
        }
      }
    }
    Map<Long, SideFeatures.Bag> bags = new LinkedHashMap<>();
    for (long id : keys.keySet()) {
      List<Float> w = weights.get(id);
      float[] ws = new float[w.size()];
      for (int j = 0; j < ws.length; j++) {
        ws[j] = w.get(j);
      }
      bags.put(id, new SideFeatures.Bag(keys.get(id).stream().mapToLong(Long::longValue).toArray(), ws));
    }
    return SideFeatures.of(bags);
  }

  private static long parseLong(Path file, long line, TsvSchema.Column c, String v) throws RatingsFormatException {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new RatingsFormatException(
          file, line, "column '" + c.name() + "': '" + clip(v) + "' is not a 64-bit integer");
    }
  }

  private static double parseNumber(Path file, long line, TsvSchema.Column c, String v) throws RatingsFormatException {
    double x;
    try {
      x = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new RatingsFormatException(file, line, "column '" + c.name() + "': '" + clip(v) + "' is not a number");
    }
    if (!Double.isFinite(x)) {
      throw new RatingsFormatException(file, line, "column '" + c.name() + "': " + clip(v) + " is not finite");
    }
    return x;
  }

  private static float parseRating(Path file, long line, TsvSchema.Column c, String v, RatingRange range)
      throws RatingsFormatException {
    float x = (float) parseNumber(file, line, c, v);
    if (!range.contains(x)) {
      throw new RatingsFormatException(
          file, line, "column '" + c.name() + "': rating " + clip(v) + " is outside the accepted range " + range);
    }
    return x;
  }

  private static String clip(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
