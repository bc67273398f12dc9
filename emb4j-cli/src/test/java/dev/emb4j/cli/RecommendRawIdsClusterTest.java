package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recommend train --cluster --raw-ids} against a member in this JVM, on ratings whose ids are large and share
 * their low bits: an ordinary model that {@code recommend test} and {@code topk} load, a status that counts the ids,
 * and one-line refusals.
 */
@Timeout(180)
class RecommendRawIdsClusterTest {
  private static LoopbackMember member;
  private static String address;
  @TempDir Path dir;

  @BeforeAll
  static void startMember() throws IOException {
    member = LoopbackMember.start();
    address = member.address();
  }

  @AfterAll
  static void stopMember() {
    member.close();
  }

  /** User {@code u} is {@code u << 40}, item {@code i} is {@code (i << 36) | 5}; the structure of TestFiles.ratings. */
  private static long user(int u) {
    return (long) u << 40;
  }

  private static long item(int i) {
    return ((long) i << 36) | 5;
  }

  private Path ratings(String name, long seed, int n) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < n; k++) {
      int u = 1 + rng.nextInt(30);
      int i = 1 + rng.nextInt(20);
      int r = (u % 2 == i % 2) ? 4 + rng.nextInt(2) : 1 + rng.nextInt(2);
      sb.append(user(u)).append('\t').append(item(i)).append('\t').append(r).append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  @Test
  @SuppressWarnings("unchecked")
  void trainsAnOrdinaryModelOnRawIds() throws Exception {
    Path train = ratings("train.tsv", 1, 600);
    Path test = ratings("test.tsv", 2, 100);
    Path model = dir.resolve("raw.model");
    CliRun t =
        CliRun.run(
            "recommend", "train", "--train", train.toString(), "--test", test.toString(), "--output",
            model.toString(), "--epochs", "20", "--dim", "8", "--json", "-q", "--cluster", address, "--table", "raw",
            "--raw-ids");
    assertEquals(0, t.exitCode(), t.err());
    Map<String, Object> o = (Map<String, Object>) Json.parse(t.out().strip());
    assertEquals(30.0, o.get("users"));
    assertEquals(20.0, o.get("items"));
    double rmse = (Double) o.get("rmse");
    assertTrue(rmse < 1.2, "the structure is learnable; rmse " + rmse);

    CliRun ev = CliRun.run("recommend", "test", "--model", model.toString(), "--test", test.toString(), "--json");
    assertEquals(0, ev.exitCode(), ev.err());
    Map<String, Object> e = (Map<String, Object>) Json.parse(ev.out().strip());
    assertEquals(rmse, (Double) e.get("rmse"), 1e-4, "a reloaded model scores the same");
    CliRun top =
        CliRun.run("recommend", "topk", "--model", model.toString(), "--user", Long.toString(user(2)), "-k", "3");
    assertEquals(0, top.exitCode(), top.err());

    CliRun status = CliRun.run("cluster", "status", "--members", address, "--json");
    assertEquals(0, status.exitCode(), status.err());
    List<Object> tables = (List<Object>) ((Map<String, Object>) Json.parse(status.out().strip())).get("tables");
    int seen = 0;
    for (Object x : tables) {
      Map<String, Object> table = (Map<String, Object>) x;
      String name = (String) table.get("name");
      if (name.startsWith("raw.")) {
        assertEquals("raw_ids", table.get("keys"), name);
        assertEquals(name.contains("user") ? 30.0 : 20.0, table.get("rows"), name);
        seen++;
      }
    }
    assertEquals(4, seen, status.out());
  }

  @Test
  void refusesRawIdsOverTablesOfRowsInOneLine() throws Exception {
    Path train = ratings("train.tsv", 3, 100);
    String[] base = {"recommend", "train", "--train", train.toString(), "--epochs", "1", "--dim", "4", "-q",
        "--cluster", address, "--table", "mixed", "--output"};
    assertEquals(0, CliRun.run(ClassifyCommandTest.concat(base, new String[] {dir.resolve("a").toString()})).exitCode());
    CliRun again =
        CliRun.run(ClassifyCommandTest.concat(base, new String[] {dir.resolve("b").toString(), "--raw-ids"}));
    assertEquals(1, again.exitCode(), again.err());
    assertTrue(again.err().startsWith("emb4j: table 'mixed.user' in the cluster is "), again.err());
    assertEquals(1, again.err().lines().count(), again.err());
    assertFalse(Files.exists(dir.resolve("b")));
  }

  @Test
  void classifyRefusesRawIds() throws Exception {
    Path train = ClassifyCommandTest.texts(dir, "t.txt", 3, 10, true);
    CliRun run =
        CliRun.run(
            "classify", "train", "--input", train.toString(), "--output", dir.resolve("m").toString(), "--cluster",
            address, "--raw-ids");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("--raw-ids keys recommend train's user and item tables"), run.err());
  }
}
