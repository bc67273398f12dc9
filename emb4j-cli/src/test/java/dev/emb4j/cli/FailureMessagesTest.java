package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of failure ends in one line that says what and why, with the exit code the README promises, before any
 * work is lost: files checked before training, outputs that are inputs refused, invalid option values as usage
 * errors, invalid UTF-8 at its true line, byte-order marks ignored.
 */
class FailureMessagesTest {
  @TempDir Path dir;

  private static final String NL = System.lineSeparator();

  private Path texts(String name) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      sb.append(i % 2 == 0 ? "__label__ham see you at lunch " : "__label__spam win a free prize ").append(i % 7)
          .append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  private Path ratings(String name) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      sb.append(1 + i % 13).append('\t').append(100 + i % 17).append('\t').append(1 + i % 5).append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  private static void assertOneLine(CliRun run, int exitCode, String err) {
    assertEquals(exitCode, run.exitCode(), run.err());
    assertEquals("emb4j: " + err + NL, run.err());
  }

  @Test
  void aMissingOutputDirectoryIsReportedBeforeAnyWork() throws Exception {
    Path train = texts("train.txt");
    Path bad = dir.resolve("nonexistent").resolve("x.model");
    String why = "cannot write " + bad + ": directory " + bad.getParent() + " does not exist";
    assertOneLine(CliRun.run("classify", "train", "--input", train.toString(), "--output", bad.toString()), 1, why);
    assertOneLine(CliRun.run("recommend", "train", "--train", ratings("r.tsv").toString(), "--output", bad.toString()),
        1, why);
    assertOneLine(CliRun.run("demo", "--output", bad.toString()), 1, why);
    Path vec = dir.resolve("v.txt");
    Files.writeString(vec, "1 2\nx 1 2\n");
    Path badVec = dir.resolve("nonexistent").resolve("v.npy");
    assertOneLine(CliRun.run("vectors", "convert", vec.toString(), badVec.toString(), "--drop-tokens"), 1,
        "cannot write " + badVec + ": directory " + badVec.getParent() + " does not exist");
    Path aDirectory = Files.createDirectory(dir.resolve("out.model"));
    assertOneLine(CliRun.run("classify", "train", "--input", train.toString(), "--output", aDirectory.toString()), 1,
        "cannot write " + aDirectory + ": is a directory");
  }

  @Test
  void tooLittleDiskSpaceIsReportedWithBothSizes() throws Exception {
    Path out = dir.resolve("huge.model");
    IOException e = assertThrows(IOException.class, () -> FileChecks.hasRoom(out, Long.MAX_VALUE));
    assertTrue(e.getMessage().matches("cannot write " + java.util.regex.Pattern.quote(out.toString())
        + ": it needs about 9\\.2 EB, and .+ has [0-9.]+ [kMGTPE]?B(ytes)? free"), e.getMessage());
    FileChecks.hasRoom(out, 1);
    assertEquals("999 bytes", FileChecks.bytes(999));
    assertEquals("1.5 MB", FileChecks.bytes(1_500_000));
    assertEquals("1.0 MB", FileChecks.bytes(999_999));
    assertEquals("25 GB", FileChecks.bytes(25_000_000_000L));
  }

  @Test
  void anOutputThatIsAnInputIsRefusedWhateverItsName() throws Exception {
    Path train = texts("train.txt");
    byte[] before = Files.readAllBytes(train);
    Path link = Files.createSymbolicLink(dir.resolve("link.txt"), train);
    for (Path output : List.of(train, dir.resolve(".").resolve("train.txt"), link)) {
      CliRun run = CliRun.run("classify", "train", "--input", train.toString(), "--output", output.toString(), "-q");
      assertEquals(Emb4jCommand.EXIT_USAGE, run.exitCode(), run.err());
      assertTrue(run.err().startsWith("emb4j: --output " + output + " is the same file as --input " + train), run.err());
      assertArrayEquals(before, Files.readAllBytes(train));
    }
    Path r = ratings("r.tsv");
    Path t = ratings("t.tsv");
    Path tLink = Files.createSymbolicLink(dir.resolve("t-link.tsv"), t);
    CliRun run = CliRun.run("recommend", "train", "--train", r.toString(), "--test", t.toString(), "--output",
        tLink.toString(), "-q");
    assertEquals(Emb4jCommand.EXIT_USAGE, run.exitCode(), run.err());
    assertTrue(run.err().contains("is the same file as --test " + t), run.err());
    Path vec = dir.resolve("v.txt");
    Files.writeString(vec, "1 2\nx 1 2\n");
    Path vecLink = Files.createSymbolicLink(dir.resolve("v-link.txt"), vec);
    run = CliRun.run("vectors", "convert", vec.toString(), vecLink.toString());
    assertEquals(Emb4jCommand.EXIT_USAGE, run.exitCode(), run.err());
    assertTrue(run.err().contains("is the same file as IN " + vec), run.err());
    assertEquals("1 2\nx 1 2\n", Files.readString(vec));
  }

  @Test
  void fileSystemErrorsSayWhatAndWhy() throws Exception {
    Path missing = dir.resolve("missing.txt");
    Path model = dir.resolve("m.model");
    assertOneLine(CliRun.run("classify", "train", "--input", missing.toString(), "--output", model.toString()), 1,
        "cannot read " + missing + ": no such file");
    assertOneLine(CliRun.run("classify", "train", "--input", dir.toString(), "--output", model.toString()), 1,
        "cannot read " + dir + ": is a directory");
    assertOneLine(CliRun.run("recommend", "test", "--model", missing.toString(), "--test", missing.toString()), 1,
        "cannot read " + missing + ": no such file");
    assertOneLine(CliRun.run("vectors", "info", missing.toString()), 1, "cannot read " + missing + ": no such file");
    Path fifo = dir.resolve("pipe.txt");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    if (mkfifo.waitFor() == 0) {
      CliRun run = CliRun.run("vectors", "convert", fifo.toString(), dir.resolve("o.npy").toString());
      assertEquals(1, run.exitCode(), run.err());
      assertTrue(run.err().startsWith("emb4j: cannot read " + fifo + ": not a regular file"), run.err());
    }
  }

  @Test
  void invalidOptionValuesAreUsageErrorsNamingTheOption() throws Exception {
    Path train = texts("train.txt");
    Path model = dir.resolve("m.model");
    String[][] cases = {
      {"--dim", "0"}, {"--dim", "abc"}, {"--lr", "NaN"}, {"--lr", "-1"}, {"--epochs", "0"}, {"--threads", "0"},
      {"--min-count", "0"}, {"--ngrams", "0"}, {"--buckets", "-1"}, {"--hidden", "-2"}, {"--dim", "99999999999"}
    };
    for (String[] c : cases) {
      CliRun run =
          CliRun.run("classify", "train", "--input", train.toString(), "--output", model.toString(), c[0], c[1]);
      assertEquals(Emb4jCommand.EXIT_USAGE, run.exitCode(), String.join(" ", c) + ": " + run.err());
      assertTrue(run.err().startsWith("emb4j: Invalid value for option '" + c[0] + "'"), run.err());
      assertTrue(run.err().contains("'" + c[1] + "'"), run.err());
      assertEquals(2, run.err().lines().count(), "the reason and where to read more: " + run.err());
    }
    assertFalse(Files.exists(model));
    Path vec = dir.resolve("v.txt");
    Files.writeString(vec, "2 2\nx 1 2\ny 2 1\n");
    for (String k : List.of("0", "-5")) {
      CliRun run = CliRun.run("vectors", "similar", vec.toString(), "x", "-k", k);
      assertEquals(Emb4jCommand.EXIT_USAGE, run.exitCode(), run.err());
      assertTrue(run.err().startsWith("emb4j: Invalid value for option '-k'"), run.err());
      assertEquals("", run.out());
    }
    String[][] more = {
      {"recommend", "train", "--train", "x", "--output", "y", "--reg", "-0.1"},
      {"recommend", "topk", "--model", "x", "--user", "1", "-k", "0"},
      {"classify", "predict", "--model", "x", "-k", "0"},
      {"vectors", "bench", "--rows", "0"},
      {"vectors", "convert", "a.txt", "b.npy", "--to", "csv"},
      {"bench", "--vocab", "-3"},
      {"bench", "--reps", "0"},
      {"bench", "--store", "disk"},
    };
    for (String[] args : more) {
      CliRun run = CliRun.run(args);
      assertEquals(Emb4jCommand.EXIT_USAGE, run.exitCode(), String.join(" ", args) + ": " + run.err());
    }
  }

  @Test
  void invalidUtf8IsReportedAtItsTrueLineBeforeAnyResult() throws Exception {
    Path train = texts("train.txt");
    Path model = dir.resolve("m.model");
    assertEquals(0, CliRun.run("classify", "train", "--input", train.toString(), "--output", model.toString(), "-q",
        "--epochs", "2").exitCode());
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i < 3000; i++) {
      sb.append("see you at lunch ").append(i).append('\n');
    }
    byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] messages = Arrays.copyOf(head, head.length + 6);
    System.arraycopy(new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n', 'x'}, 0, messages, head.length, 6);
    Path file = dir.resolve("messages.txt");
    Files.write(file, messages);
    CliRun predict = CliRun.run("classify", "predict", "--model", model.toString(), file.toString());
    assertOneLine(predict, 1, file + ":3000: is not valid UTF-8 (byte 4 of the line is 0xE9)");
    assertEquals("", predict.out(), "nothing printed before the error");

    Path r = dir.resolve("r.tsv");
    byte[] rows = "1\t2\t5\n2\t2\t3\n1\t3\t4\u00ff\n".getBytes(StandardCharsets.ISO_8859_1);
    Files.write(r, rows);
    assertOneLine(CliRun.run("recommend", "train", "--train", r.toString(), "--output", model.toString(), "-q"), 1,
        r + ":3: is not valid UTF-8 (byte 6 of the line is 0xFF)");
  }

  @Test
  void aByteOrderMarkMakesNoPhantomLabel() throws Exception {
    Path train = dir.resolve("bom.txt");
    Files.writeString(train, "\uFEFF" + Files.readString(texts("plain.txt")));
    Path model = dir.resolve("m.model");
    assertEquals(0, CliRun.run("classify", "train", "--input", train.toString(), "--output", model.toString(), "-q",
        "--epochs", "2").exitCode());
    Path test = dir.resolve("test.txt");
    Files.writeString(test, "\uFEFF__label__ham see you at lunch\n__label__spam win a prize\n");
    CliRun run = CliRun.run("classify", "test", "--model", model.toString(), "--input", test.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith("ham ")), run.out());
    assertFalse(run.out().contains("\uFEFF"), run.out());
  }

  @Test
  void leftoversOfAnInterruptedRunAreRemovedOrReported() throws Exception {
    Path train = texts("train.txt");
    Path model = dir.resolve("m.model");
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path own = Files.write(dir.resolve(".m.model.tmp-" + gone.pid() + "-1a2b"), new byte[2048]);
    Path other = Files.write(dir.resolve(".other.vec.rows-" + gone.pid() + "-3c4d"), new byte[10]);
    CliRun run =
        CliRun.run("classify", "train", "--input", train.toString(), "--output", model.toString(), "-q", "--epochs", "1");
    assertEquals(0, run.exitCode(), run.err());
    assertFalse(Files.exists(own));
    assertTrue(Files.exists(other));
    List<String> lines = run.err().lines().toList();
    assertEquals(2, lines.size(), run.err());
    assertEquals("emb4j: removed " + own + " (2.0 kB), left by an interrupted write of " + model, lines.get(0));
    assertEquals(
        "emb4j: warning: 1 temporary file (10 bytes) left by interrupted runs in " + dir + "; to delete it: rm -- '"
            + other + "'",
        lines.get(1));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(".other.vec.rows-" + gone.pid() + "-3c4d", "m.model", "train.txt"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }
}
