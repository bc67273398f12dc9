package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code emb4j recommend}: each subcommand on small files, including malformed ones. */
class RecommendCommandTest {
  @TempDir Path dir;

  private Path ratings(String name, long seed, int n) throws IOException {
    return TestFiles.ratings(dir, name, seed, n);
  }

  private CliRun train(Path trainFile, Path model, String... extra) {
    String[] base = {"recommend", "train", "--train", trainFile.toString(), "--output", model.toString(), "-q",
        "--epochs", "20", "--dim", "8"};
    String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return CliRun.run(args);
  }

  @Test
  @SuppressWarnings("unchecked")
  void trainTestTopkSimilar() throws Exception {
    Path train = ratings("train.tsv", 1, 500);
    Path test = ratings("test.tsv", 2, 100);
    Path model = dir.resolve("m.model");
    CliRun t = train(train, model, "--test", test.toString(), "--json");
    assertEquals(0, t.exitCode(), t.err());
    Map<String, Object> o = (Map<String, Object>) Json.parse(t.out().strip());
    assertEquals(500.0, o.get("train_ratings"));
    double rmse = (Double) o.get("rmse");
    assertTrue(rmse < 1.2, "the structure is learnable; rmse " + rmse);
    assertTrue(o.containsKey("mae") && o.containsKey("seconds"));
    assertTrue(Files.exists(model));

    CliRun ev = CliRun.run("recommend", "test", "--model", model.toString(), "--test", test.toString(), "--json");
    assertEquals(0, ev.exitCode(), ev.err());
    Map<String, Object> e = (Map<String, Object>) Json.parse(ev.out().strip());
    assertEquals(rmse, (Double) e.get("rmse"), 1e-4, "a reloaded model scores the same");

    CliRun top = CliRun.run("recommend", "topk", "--model", model.toString(), "--user", "2", "-k", "3", "--json");
    assertEquals(0, top.exitCode(), top.err());
    List<Object> items = (List<Object>) Json.parse(top.out().strip());
    assertEquals(3, items.size());
    for (Object it : items) {
      double id = (Double) ((Map<String, Object>) it).get("item");
      assertEquals(0, ((long) id) % 2, "user 2 likes even items: " + items);
    }

    CliRun sim = CliRun.run("recommend", "similar", "--model", model.toString(), "--item", "100", "-k", "4");
    assertEquals(0, sim.exitCode(), sim.err());
    assertEquals(4, sim.outLines().size());
    assertFalse(sim.out().contains("\t100\t"), "the query item is excluded");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aModelTrainedOnMappedTablesScoresAsWellAndLeavesSealedTableFiles() throws Exception {
    Path train = ratings("train.tsv", 1, 500);
    Path test = ratings("test.tsv", 2, 100);
    Path model = dir.resolve("mapped.model");
    Path tables = dir.resolve("mf.emb4j");
    CliRun t = train(train, model, "--test", test.toString(), "--json", "--store", "mapped", "--table-file", tables.toString());
    assertEquals(0, t.exitCode(), t.err());
    double rmse = (Double) ((Map<String, Object>) Json.parse(t.out().strip())).get("rmse");
    assertTrue(rmse < 1.2, "the structure is learnable; rmse " + rmse);
    for (String part : List.of("user", "item", "user_bias", "item_bias")) {
      Path file = dir.resolve("mf." + part + ".emb4j");
      assertTrue(Files.exists(file), part);
      assertTrue(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1).contains("\"state\":\"clean\""), part);
    }
    assertTrue(Files.exists(dir.resolve("mf.item.emb4j.adagrad-sum")), "the optimizer's state beside its table");
    CliRun ev = CliRun.run("recommend", "test", "--model", model.toString(), "--test", test.toString(), "--json");
    assertEquals(rmse, (Double) ((Map<String, Object>) Json.parse(ev.out().strip())).get("rmse"), 1e-4);

    CliRun again = train(train, dir.resolve("again.model"), "--store", "mapped", "--table-file", tables.toString());
    assertEquals(Emb4jCommand.EXIT_USAGE, again.exitCode());
    assertTrue(again.err().contains("mf.user.emb4j exists"), again.err());
    CliRun noFile = train(train, dir.resolve("again.model"), "--store", "mapped");
    assertEquals(Emb4jCommand.EXIT_USAGE, noFile.exitCode());
    assertTrue(noFile.err().contains("--store mapped needs --table-file"), noFile.err());
  }

  /** u.user and u.item for the users and items of {@link TestFiles#ratings}: gender and genre follow parity. */
  private Path[] featureFiles() throws IOException {
    StringBuilder users = new StringBuilder();
    for (int u = 1; u <= 30; u++) {
      users.append(u).append('|').append(20 + u).append('|').append(u % 2 == 0 ? "F" : "M").append("|writer|0")
          .append(u).append("000\n");
    }
    StringBuilder items = new StringBuilder();
    for (int i = 100; i <= 120; i++) { // item 120 is never rated
      items.append(i).append("|Film ").append(i).append(" (1995)|01-Jan-1995||http://x|");
      for (int g = 0; g < 19; g++) {
        items.append(g == i % 2 ? '1' : '0').append(g < 18 ? "|" : "\n");
      }
    }
    Path userFile = Files.writeString(dir.resolve("u.user"), users);
    Path itemFile = Files.writeString(dir.resolve("u.item"), items);
    return new Path[] {userFile, itemFile};
  }

  @Test
  @SuppressWarnings("unchecked")
  void featuresPredictAnItemNeverRatedAndTopkShowsTitles() throws Exception {
    Path train = ratings("train.tsv", 1, 500);
    Path cold = Files.writeString(dir.resolve("cold.tsv"), "2\t120\t5\n1\t120\t1\n4\t120\t5\n3\t120\t1\n");
    Path[] features = featureFiles();
    Path plain = dir.resolve("plain.model");
    Path rich = dir.resolve("rich.model");
    assertEquals(0, train(train, plain).exitCode());
    CliRun t = train(train, rich, "--users", features[0].toString(), "--items", features[1].toString(), "--json");
    assertEquals(0, t.exitCode(), t.err());
    Map<String, Object> o = (Map<String, Object>) Json.parse(t.out().strip());
    assertEquals(21.0, o.get("items"), "the item without ratings has a row from its features");
    assertEquals(0.0, o.get("keys_sharing_a_row"), "dynamic tables give every key its own row");
    // users: 30 ids, 5 age buckets, 2 genders, 1 occupation, 27 zip prefixes; items: 21 ids, 2 genres, 1 year
    assertEquals(89.0, o.get("keys"));
    CliRun hashed =
        train(train, dir.resolve("hashed.model"), "--users", features[0].toString(), "--items", features[1].toString(),
            "--hash-rows", "8", "--json");
    assertEquals(0, hashed.exitCode(), hashed.err());
    Map<String, Object> h = (Map<String, Object>) Json.parse(hashed.out().strip());
    assertEquals(o.get("keys"), h.get("keys"));
    assertTrue((Double) h.get("keys_sharing_a_row") >= 89 - 16, "at most 8 rows per side hold a key alone: " + h);
    double plainRmse = rmse(plain, cold);
    double richRmse = rmse(rich, cold);
    assertTrue(richRmse < plainRmse - 0.5, "features tell the cold item's fans: " + richRmse + " vs " + plainRmse);

    CliRun top =
        CliRun.run("recommend", "topk", "--model", rich.toString(), "--user", "2", "-k", "2", "--items",
            features[1].toString());
    assertEquals(0, top.exitCode(), top.err());
    List<String> lines = top.outLines();
    assertEquals("rank\titem\tpredicted\ttitle", lines.get(0));
    assertEquals(3, lines.size());
    assertTrue(lines.get(1).matches("1\t1[01][02468]\t[0-9.]+\tFilm 1[01][02468] \\(1995\\)"), lines.get(1));
  }

  /**
   * Interactions of 80 users in 4 taste groups of 30 items each, 10 per user within its own group, with timestamps:
   * every item about equally popular, so only the co-occurrences tell what a user likes.
   */
  private Path tasteGroups() throws IOException {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    StringBuilder sb = new StringBuilder();
    for (int u = 0; u < 80; u++) {
      int group = u % 4;
      java.util.List<Integer> own = new java.util.ArrayList<>();
      for (int i = 0; i < 30; i++) {
        own.add(1000 + group * 30 + i);
      }
      java.util.Collections.shuffle(own, new java.util.Random(u));
      for (int k = 0; k < 10; k++) {
        sb.append(u).append('\t').append(own.get(k)).append("\t1\t").append(rng.nextInt(1_000_000)).append('\n');
      }
    }
    return Files.writeString(dir.resolve("clicks.tsv"), sb);
  }

  @Test
  @SuppressWarnings("unchecked")
  void implicitFeedbackRanksHeldOutItemsAbovePopularity() throws Exception {
    Path clicks = tasteGroups();
    Path model = dir.resolve("bpr.model");
    CliRun t = train(clicks, model, "--implicit", "--batch-size", "16", "--json");
    assertEquals(0, t.exitCode(), t.err());
    Map<String, Object> o = (Map<String, Object>) Json.parse(t.out().strip());
    assertEquals(720.0, o.get("train_ratings"), "one interaction of each of the 80 users held out");
    assertEquals(80.0, o.get("held_out_users"));
    double hr = (Double) o.get("hr10");
    double popular = (Double) o.get("popular_hr10");
    assertTrue(hr > popular + 0.25, "BPR HR@10 " + hr + " against popularity " + popular);
    assertTrue((Double) o.get("ndcg10") > (Double) o.get("popular_ndcg10"), o.toString());
    List<Object> history = (List<Object>) o.get("history");
    Map<String, Object> last = (Map<String, Object>) history.getLast();
    assertEquals(hr, (Double) ((Map<String, Object>) last.get("validation")).get("hr10"), 1e-4);

    CliRun text = train(clicks, dir.resolve("bpr2.model"), "--implicit", "--batch-size", "16");
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().startsWith("trained on 720 interactions (80 users,"), text.out());
    assertTrue(text.out().contains("leave-one-out: 80 users, each held-out item among 99 sampled negatives"));
    assertTrue(text.out().contains(String.format(java.util.Locale.ROOT, "BPR:          HR@10 %.4f", hr)), text.out());
    assertTrue(text.out().contains("most popular: HR@10 "), text.out());

    CliRun top = CliRun.run("recommend", "topk", "--model", model.toString(), "--user", "1", "-k", "5", "--json");
    assertEquals(0, top.exitCode(), top.err());
    for (Object it : (List<Object>) Json.parse(top.out().strip())) {
      double id = (Double) ((Map<String, Object>) it).get("item");
      assertTrue(id >= 1030 && id < 1060, "user 1 is in the group of items 1030..1059: " + top.out());
    }
  }

  @Test
  void implicitRefusesATestFileAndStatesItsOwnDefaults() throws Exception {
    Path model = dir.resolve("never.model");
    CliRun r = train(ratings("t.tsv", 1, 50), model, "--implicit", "--test", ratings("s.tsv", 2, 10).toString());
    assertEquals(Emb4jCommand.EXIT_USAGE, r.exitCode());
    assertTrue(r.err().contains("--implicit holds out each user's latest interaction of --train"), r.err());
    assertFalse(Files.exists(model));
    CliRun help = CliRun.run("recommend", "train", "--help");
    var d = dev.emb4j.task.MatrixFactorizationTrainer.Config.implicitDefaults();
    assertTrue(help.out().contains("with --implicit " + d.reg() + ")"), help.out());
    assertTrue(help.out().replaceAll("\\s+", " ").contains("with --implicit " + d.regExponent() + ";"), help.out());
  }

  /** {@link TestFiles#ratings} as a tab-separated file with a header, a user feature (parity) and an item one. */
  private Path[] schemaFiles() throws IOException {
    StringBuilder sb = new StringBuilder("user\titem\trating\tparity\tkind\n");
    for (String line : Files.readAllLines(ratings("plain.tsv", 1, 500))) {
      String[] f = line.split("[\t,]");
      long u = Long.parseLong(f[0]);
      long i = Long.parseLong(f[1]);
      sb.append(u).append('\t').append(i).append('\t').append(f[2]).append('\t').append(u % 2 == 0 ? "even" : "odd")
          .append('\t').append(i % 2 == 0 ? "a|b" : "c").append('\n');
    }
    Path data = Files.writeString(dir.resolve("data.tsv"), sb);
    Path schema =
        Files.writeString(
            dir.resolve("schema.txt"),
            "user id user\nitem id item\nrating rating\nparity categorical user\nkind multi item\n");
    return new Path[] {data, schema};
  }

  @Test
  @SuppressWarnings("unchecked")
  void aGenericTsvWithASchemaTrainsWithItsFeatures() throws Exception {
    Path[] f = schemaFiles();
    Path model = dir.resolve("tsv.model");
    CliRun t = train(f[0], model, "--schema", f[1].toString(), "--test", f[0].toString(), "--json");
    assertEquals(0, t.exitCode(), t.err());
    Map<String, Object> o = (Map<String, Object>) Json.parse(t.out().strip());
    assertEquals(500.0, o.get("train_ratings"));
    // users: 30 ids and 2 parities; items: 20 ids and 3 kinds
    assertEquals(55.0, o.get("keys"));
    assertTrue((Double) o.get("rmse") < 1.2, o.toString());
    assertTrue(Files.exists(model));
  }

  @Test
  @SuppressWarnings("unchecked")
  void ratedItemsJoinEachUsersBagAsKeysOfTheirOwn() throws Exception {
    Path train = ratings("train.tsv", 1, 500);
    CliRun t =
        train(train, dir.resolve("svdpp.model"), "--rated-items", "--test", ratings("test.tsv", 2, 100).toString(),
            "--json");
    assertEquals(0, t.exitCode(), t.err());
    Map<String, Object> o = (Map<String, Object>) Json.parse(t.out().strip());
    // 30 user ids, 20 item ids, and the 20 items again as the users' rated-item keys
    assertEquals(70.0, o.get("keys"));
    assertEquals(0.0, o.get("keys_sharing_a_row"));
    assertTrue((Double) o.get("rmse") < 1.2, o.toString());
  }

  @Test
  @SuppressWarnings("unchecked")
  void theFeatureModelTrainsFifteenEpochsUnlessToldAndPlainMfTwentyFive() throws Exception {
    Path train = ratings("train.tsv", 1, 300);
    String[][] cases = {{"--rated-items"}, {"--rated-items", "--epochs", "3"}, {}};
    int[] epochs = {15, 3, 25};
    for (int k = 0; k < cases.length; k++) {
      String[] base = {"recommend", "train", "--train", train.toString(), "--output", dir.resolve(k + ".model").toString(),
          "--dim", "4", "--json"};
      String[] args = java.util.Arrays.copyOf(base, base.length + cases[k].length);
      System.arraycopy(cases[k], 0, args, base.length, cases[k].length);
      CliRun r = CliRun.run(args);
      assertEquals(0, r.exitCode(), r.err());
      List<Object> history = (List<Object>) ((Map<String, Object>) Json.parse(r.out().strip())).get("history");
      assertEquals(epochs[k], history.size(), String.join(" ", cases[k]));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void featureRegChangesTheFeatureModelAndIsRefusedWhereItHasNoUse() throws Exception {
    Path train = ratings("train.tsv", 1, 500);
    Path test = ratings("test.tsv", 2, 100);
    CliRun plain = train(train, dir.resolve("plain.model"), "--rated-items", "--test", test.toString(), "--json");
    CliRun reg =
        train(train, dir.resolve("reg.model"), "--rated-items", "--feature-reg", "5", "--test", test.toString(),
            "--json");
    assertEquals(0, plain.exitCode(), plain.err());
    assertEquals(0, reg.exitCode(), reg.err());
    double a = (Double) ((Map<String, Object>) Json.parse(plain.out().strip())).get("rmse");
    double b = (Double) ((Map<String, Object>) Json.parse(reg.out().strip())).get("rmse");
    assertNotEquals(a, b, "the feature L2 changes the model");
    assertTrue(b < 1.2, "still learnable: " + b);

    Path model = dir.resolve("never.model");
    String[][] cases = {
      {"--feature-reg", "0.1"},
      {"--feature-reg", "0.1", "--rated-items", "--implicit"},
      {"--feature-reg", "-1", "--rated-items"},
    };
    String[] says = {"--feature-reg needs features", "not --implicit or --cluster", "--feature-reg"};
    for (int k = 0; k < cases.length; k++) {
      CliRun r = train(train, model, cases[k]);
      assertEquals(2, r.exitCode(), r.err());
      assertTrue(r.err().contains(says[k]), r.err());
      assertFalse(Files.exists(model));
    }
  }

  @Test
  void badGenericInputNamesFileLineOrFeatureAndWritesNothing() throws Exception {
    Path[] f = schemaFiles();
    Path model = dir.resolve("never.model");
    String header = "user\titem\trating\tparity\tkind\n";
    Path badId = Files.writeString(dir.resolve("bad-id.tsv"), header + "1\t100\t4\todd\tc\n2\t1e5\t4\teven\tc\n");
    Path noColumn = Files.writeString(dir.resolve("no-column.tsv"), "user\titem\trating\tparity\n1\t100\t4\todd\n");
    Path noValues = Files.writeString(dir.resolve("no-values.tsv"), header + "1\t100\t4\todd\t\n2\t101\t4\teven\t\n");
    String[][] cases = {
      {badId.toString(), "emb4j: " + badId + ":3: column 'item': '1e5' is not a 64-bit integer"},
      {noColumn.toString(),
        "emb4j: " + noColumn + ":1: no column 'kind' (named by " + f[1] + ":5); the header has: user, item, rating,"
            + " parity"},
      {noValues.toString(), "emb4j: " + noValues + ":1: feature 'kind' has no value in any row"},
    };
    for (String[] c : cases) {
      CliRun r = train(Path.of(c[0]), model, "--schema", f[1].toString());
      assertEquals(1, r.exitCode(), r.err());
      assertEquals(c[1], r.err().strip());
      assertFalse(Files.exists(model));
    }
    Path noRating = Files.writeString(dir.resolve("s2.txt"), "user id user\nitem id item\n");
    CliRun r = train(f[0], model, "--schema", noRating.toString());
    assertEquals(1, r.exitCode());
    assertEquals("emb4j: " + noRating + " names no rating column; --implicit trains without one", r.err().strip());
    assertFalse(Files.exists(model));
    assertEquals(0, train(f[0], model, "--schema", noRating.toString(), "--implicit").exitCode());
  }

  @SuppressWarnings("unchecked")
  private static double rmse(Path model, Path test) {
    CliRun ev = CliRun.run("recommend", "test", "--model", model.toString(), "--test", test.toString(), "--json");
    assertEquals(0, ev.exitCode(), ev.err());
    return (Double) ((Map<String, Object>) Json.parse(ev.out().strip())).get("rmse");
  }

  @Test
  void aMalformedFeatureLineNamesFileAndLineAndWritesNothing() throws Exception {
    Path users = Files.writeString(dir.resolve("u.user"), "1|24|M|technician|85711\nx|53|F|other|94043\n");
    Path model = dir.resolve("never.model");
    CliRun r = train(ratings("t.tsv", 1, 50), model, "--users", users.toString());
    assertEquals(1, r.exitCode());
    assertEquals("emb4j: " + users + ":2: user id 'x' is not a 64-bit integer", r.err().strip());
    assertFalse(Files.exists(model));
  }

  @Test
  void malformedLineNamesFileAndLineAndWritesNothing() throws Exception {
    Path bad = dir.resolve("bad.tsv");
    Files.writeString(bad, "1\t10\t5\n2\t11\t4\n3\televen\t4\n");
    Path model = dir.resolve("never.model");
    CliRun r = train(bad, model);
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("bad.tsv:3") && r.err().contains("'eleven'"), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
    assertFalse(Files.exists(model));

    CliRun skipped = train(bad, model, "--skip-bad-lines");
    assertEquals(0, skipped.exitCode(), skipped.err());
    assertTrue(skipped.out().contains("skipped 1 malformed line"), skipped.out());
  }

  @Test
  void clearErrorsForEmptyDataUnknownIdsAndWrongFiles() throws Exception {
    Path empty = dir.resolve("empty.tsv");
    Files.writeString(empty, "# nothing\n\n");
    CliRun e = train(empty, dir.resolve("x.model"));
    assertEquals(1, e.exitCode());
    assertTrue(e.err().contains("has no ratings"), e.err());

    Path model = dir.resolve("m.model");
    assertEquals(0, train(ratings("t.tsv", 3, 200), model).exitCode());
    CliRun unknown = CliRun.run("recommend", "topk", "--model", model.toString(), "--user", "9999");
    assertEquals(1, unknown.exitCode());
    assertEquals("emb4j: user 9999 was not in the training data", unknown.err().strip());
    CliRun unknownItem = CliRun.run("recommend", "similar", "--model", model.toString(), "--item", "5");
    assertTrue(unknownItem.err().contains("item 5 was not in the training data"), unknownItem.err());

    CliRun notAModel = CliRun.run("recommend", "topk", "--model", empty.toString(), "--user", "1");
    assertEquals(1, notAModel.exitCode());
    assertTrue(notAModel.err().contains("not an emb4j checkpoint"), notAModel.err());

    CliRun usage = CliRun.run("recommend", "topk", "--model", model.toString());
    assertEquals(2, usage.exitCode(), "missing --user is a usage error");
  }
}
