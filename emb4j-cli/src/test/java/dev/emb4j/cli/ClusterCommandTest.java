package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster commands' failures: one line, the right exit code, nothing started. */
class ClusterCommandTest {
  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }

  @Test
  void statusOfUnreachableMembersIsOneLine() throws Exception {
    int port = freePort();
    CliRun run = CliRun.run("cluster", "status", "--members", "127.0.0.1:" + port);
    assertEquals(1, run.exitCode(), run.err());
    assertTrue(
        run.err().startsWith("emb4j: no emb4j member answered at 127.0.0.1:" + port + " within 10 s"), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
  }

  @Test
  void aBadAddressIsAUsageOrInputError() {
    CliRun run = CliRun.run("cluster", "status", "--members", "127.0.0.1");
    assertEquals(1, run.exitCode(), run.err());
    assertEquals(
        "emb4j: member address '127.0.0.1' must be host:port with a port in 1..65535" + System.lineSeparator(),
        run.err());
  }

  @Test
  void workerOptionsNeedACluster() throws IOException {
    Path train = dir.resolve("r.tsv");
    Files.writeString(train, "1\t2\t3\n2\t3\t4\n");
    CliRun run =
        CliRun.run(
            "recommend", "train", "--train", train.toString(), "--output", dir.resolve("m").toString(), "--workers",
            "2");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("--worker, --workers, --table, --raw-ids and --wait-for-workers need --cluster"), run.err());
  }

  @Test
  void classifyAgainstUnreachableMembersIsOneLine() throws Exception {
    int port = freePort();
    Path train = dir.resolve("t.txt");
    Files.writeString(train, "__label__a one two\n__label__b three four\n");
    CliRun run =
        CliRun.run(
            "classify", "train", "--input", train.toString(), "--output", dir.resolve("m").toString(), "--cluster",
            "127.0.0.1:" + port, "--buckets", "10", "-q");
    assertEquals(1, run.exitCode(), run.err());
    assertTrue(
        run.err().startsWith("emb4j: no emb4j member answered at 127.0.0.1:" + port + " within 10 s"), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
  }

  @Test
  void classifyWorkerOptionsNeedACluster() throws IOException {
    Path train = dir.resolve("t.txt");
    Files.writeString(train, "__label__a one two\n__label__b three four\n");
    CliRun run =
        CliRun.run(
            "classify", "train", "--input", train.toString(), "--output", dir.resolve("m").toString(), "--worker",
            "1", "--workers", "2");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("--worker, --workers, --table, --raw-ids and --wait-for-workers need --cluster"), run.err());
  }
}
