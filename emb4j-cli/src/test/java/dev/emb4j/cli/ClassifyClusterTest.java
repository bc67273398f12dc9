package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code classify train --cluster} against a member in this JVM: an ordinary model that {@code classify test} loads,
 * the same JSON fields as a local run, and one-line refusals.
 */
@Timeout(180)
class ClassifyClusterTest {
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

  private Path texts(String name, long seed, int n) throws IOException {
    return ClassifyCommandTest.texts(dir, name, seed, n, true);
  }

  @Test
  @SuppressWarnings("unchecked")
  void trainsAnOrdinaryModelWithTheLocalRunsFields() throws Exception {
    Path train = texts("train.txt", 1, 400);
    Path test = texts("test.txt", 2, 200);
    String[] common = {"--dim", "8", "--epochs", "5", "--buckets", "1000", "--json", "-q"};
    Path local = dir.resolve("local.model");
    Path sharded = dir.resolve("sharded.model");
    CliRun l = CliRun.run(ClassifyCommandTest.concat(new String[] {"classify", "train", "--input", train.toString(), "--output",
        local.toString()}, common));
    CliRun c = CliRun.run(ClassifyCommandTest.concat(new String[] {"classify", "train", "--input", train.toString(), "--output",
        sharded.toString(), "--cluster", address, "--table", "cli"}, common));
    assertEquals(0, l.exitCode(), l.err());
    assertEquals(0, c.exitCode(), c.err());
    Map<String, Object> lo = (Map<String, Object>) Json.parse(l.out().strip());
    Map<String, Object> co = (Map<String, Object>) Json.parse(c.out().strip());
    assertEquals(lo.keySet(), co.keySet());
    assertEquals(lo.get("vocabulary"), co.get("vocabulary"));
    CliRun ev = CliRun.run("classify", "test", "--model", sharded.toString(), "--input", test.toString(), "--json");
    assertEquals(0, ev.exitCode(), ev.err());
    assertTrue((Double) ((Map<String, Object>) Json.parse(ev.out().strip())).get("accuracy") >= 0.9, ev.out());
    CliRun status = CliRun.run("cluster", "status", "--members", address, "--json");
    assertTrue(status.out().contains("\"name\":\"cli.input.weight\""), status.out());
  }

  @Test
  void refusesTablesOfAnotherShapeInOneLine() throws Exception {
    Path train = texts("train.txt", 3, 100);
    String[] base = {"classify", "train", "--input", train.toString(), "--cluster", address, "--table", "shape",
        "--buckets", "100", "--epochs", "1", "-q", "--output"};
    assertEquals(0, CliRun.run(ClassifyCommandTest.concat(base, new String[] {dir.resolve("a").toString(), "--dim", "4"})).exitCode());
    CliRun again = CliRun.run(ClassifyCommandTest.concat(base, new String[] {dir.resolve("b").toString(), "--dim", "5"}));
    assertEquals(1, again.exitCode(), again.err());
    assertTrue(again.err().startsWith("emb4j: table 'shape.input.weight' in the cluster is "), again.err());
    assertEquals(1, again.err().lines().count(), again.err());
    assertFalse(Files.exists(dir.resolve("b")));
  }

  @Test
  void refusesThreadsWithACluster() throws Exception {
    Path train = texts("train.txt", 3, 10);
    CliRun run = CliRun.run("classify", "train", "--input", train.toString(), "--output", dir.resolve("m").toString(),
        "--cluster", address, "--threads", "2");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("run more --workers instead of --threads"), run.err());
  }
}
