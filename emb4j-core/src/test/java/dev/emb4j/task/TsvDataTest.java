package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TsvSchema} and {@link TsvData}: a generic tab-separated file with its schema, and each bad input. */
class TsvDataTest {
  @TempDir Path dir;

  private static final String SCHEMA =
      """
      # name  kind         side
      uid     id           user
      mid     id           item
      stars   rating
      when    timestamp
      job     categorical  user
      age     numeric      user
      genres  multi        item  # values separated by |
      """;

  private Path schema() throws Exception {
    return Files.writeString(dir.resolve("schema.txt"), SCHEMA);
  }

  private Path data(String text) throws Exception {
    return Files.writeString(dir.resolve("data.tsv"), text);
  }

  @Test
  void readsRatingsTimestampsAndEachEntitysFeaturesFromItsFirstRow() throws Exception {
    Path f =
        data(
            "uid\tmid\tignored\tstars\twhen\tjob\tage\tgenres\n"
                + "-5\t9000000000\tx\t4\t100\twriter\t20\tDrama|Comedy\n"
                + "7\t9000000000\tx\t2.5\t50\tartist\t40\tHorror\n"
                + "-5\t3\tx\t1\t70\tclerk\t99\t\n");
    TsvData d = TsvData.read(f, TsvSchema.read(schema()), false, RatingRange.DEFAULT);
    Ratings r = d.loaded().ratings();
    assertArrayEquals(new long[] {-5, 7, -5}, r.users());
    assertArrayEquals(new long[] {9000000000L, 9000000000L, 3}, r.items());
    assertArrayEquals(new float[] {4, 2.5f, 1}, r.values());
    assertArrayEquals(new long[] {100, 50, 70}, d.loaded().timestamps());

    SideFeatures.Bag user = d.users().bagOf(-5);
    // the id, job 'writer' (feature 1), age 20 standardised over users -5 (20) and 7 (40): (20 - 30) / 10 = -1
    assertArrayEquals(
        new long[] {SideFeatures.key(SideFeatures.ID, -5), SideFeatures.key(1, "writer"), SideFeatures.key(2, 0L)},
        user.keys());
    assertArrayEquals(new float[] {1, 1, -1}, user.weights());
    SideFeatures.Bag item = d.items().bagOf(9000000000L);
    assertArrayEquals(
        new long[] {SideFeatures.key(SideFeatures.ID, 9000000000L), SideFeatures.key(3, "Drama"),
          SideFeatures.key(3, "Comedy")},
        item.keys());
    assertArrayEquals(new float[] {1, 0.5f, 0.5f}, item.weights());
    assertEquals(1, d.items().bagOf(3).keys().length, "an empty cell gives no feature");
  }

  @Test
  void withoutARatingColumnEveryRowIsAnInteractionRatedOne() throws Exception {
    Path s = Files.writeString(dir.resolve("s.txt"), "u id user\ni id item\n");
    TsvData d = TsvData.read(data("u\ti\n1\t2\n3\t4\n"), TsvSchema.read(s), false, RatingRange.DEFAULT);
    assertArrayEquals(new float[] {1, 1}, d.loaded().ratings().values());
    assertArrayEquals(new long[] {Ratings.NO_TIMESTAMP, Ratings.NO_TIMESTAMP}, d.loaded().timestamps());
  }

  @Test
  void anIdThatIsNotA64BitIntegerNamesFileLineAndColumn() throws Exception {
    Path f = data("uid\tmid\tstars\twhen\tjob\tage\tgenres\n1\t2\t3\t4\ta\t5\tg\n1\t99999999999999999999\t3\t4\ta\t5\tg\n");
    TsvSchema s = TsvSchema.read(schema());
    RatingsFormatException e =
        assertThrows(RatingsFormatException.class, () -> TsvData.read(f, s, false, RatingRange.DEFAULT));
    assertEquals(f + ":3: column 'mid': '99999999999999999999' is not a 64-bit integer", e.getMessage());
    assertEquals(1, TsvData.read(f, s, true, RatingRange.DEFAULT).loaded().skippedLines());
  }

  @Test
  void aSchemaColumnMissingFromTheHeaderNamesBothFiles() throws Exception {
    Path f = data("uid\tmid\tstars\twhen\tjob\tgenres\n1\t2\t3\t4\ta\tg\n");
    Path s = schema();
    RatingsFormatException e =
        assertThrows(
            RatingsFormatException.class, () -> TsvData.read(f, TsvSchema.read(s), false, RatingRange.DEFAULT));
    assertEquals(
        f + ":1: no column 'age' (named by " + s + ":7); the header has: uid, mid, stars, when, job, genres",
        e.getMessage());
  }

  @Test
  void aFeatureWithNoValueInAnyRowIsNamed() throws Exception {
    Path f = data("uid\tmid\tstars\twhen\tjob\tage\tgenres\n1\t2\t3\t4\ta\t5\t\n2\t3\t3\t4\ta\t5\t | \n");
    RatingsFormatException e =
        assertThrows(
            RatingsFormatException.class,
            () -> TsvData.read(f, TsvSchema.read(schema()), false, RatingRange.DEFAULT));
    assertEquals(f + ":1: feature 'genres' has no value in any row", e.getMessage());
  }

  @Test
  void malformedSchemasNameTheirLine() throws Exception {
    String[][] cases = {
      {"u id user\ni id item\nx colour user\n", ":3: unknown kind 'colour' (valid: id, rating, timestamp,"},
      {"u id user\ni id item\nx categorical\n", ":3: column 'x' of kind categorical needs a side: user or item"},
      {"u id user\ni id item\nr rating item\n", ":3: column 'r' of kind rating belongs to no side"},
      {"u id user\ni id item\nv id user\n", ":3: a second user id column: 'v'"},
      {"u id user\nu numeric item\n", ":2: column 'u' is named twice"},
      {"u id user\nr rating\n", ":2: no item id column (a line '<name> id item')"},
    };
    for (String[] c : cases) {
      Path s = Files.writeString(dir.resolve("bad-schema.txt"), c[0]);
      RatingsFormatException e = assertThrows(RatingsFormatException.class, () -> TsvSchema.read(s));
      assertTrue(e.getMessage().startsWith(s + c[1]), e.getMessage());
    }
  }
}
