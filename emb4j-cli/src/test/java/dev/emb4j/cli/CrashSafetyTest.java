package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills {@code emb4j classify train} in a child JVM, many times, at random points of training and of saving the
 * model over an existing one, and checks what a user relies on: the old model is intact after every kill (the save
 * is a rename of a complete file), a SIGTERM or Ctrl-C leaves no temporary file (a shutdown hook deletes it), and
 * after a SIGKILL, which no hook survives, the next run removes what it left. Tagged {@code crash}: it takes about
 * half a minute, so it runs with {@code ./mvnw -Pcrash test} (as {@code .ci/run} does), not in the default suite.
 */
@Tag("crash")
class CrashSafetyTest {
  private static final int KILLS = 12;

  @TempDir Path dir;
  private Path input;
  private Path model;
  private byte[] original;

  /** A model of about 13 MB, so that saving it takes long enough to be interrupted. */
  private List<String> trainCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Emb4jCommand.class.getName());
    cmd.addAll(List.of("classify", "train", "--input", input.toString(), "--output", model.toString(), "-q",
        "--deterministic", "--seed", "3", "--dim", "16", "--ngrams", "2", "--buckets", "200000", "--epochs", "3"));
    return cmd;
  }

  private Process start() throws IOException {
    return new ProcessBuilder(trainCommand())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile())
        .start();
  }

  private List<Path> tempFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".m.model.")).toList();
    }
  }

  private String log() throws IOException {
    return Files.readString(dir.resolve("child.log"));
  }

  @BeforeEach
  void trainOnce() throws Exception {
    SplittableRandom rng = new SplittableRandom(1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      boolean spam = rng.nextBoolean();
      sb.append(spam ? "__label__spam win a prize " : "__label__ham see you at ");
      for (int j = 0; j < 8; j++) {
        sb.append('w').append(rng.nextInt(500)).append(' ');
      }
      sb.append('\n');
    }
    input = dir.resolve("train.txt");
    Files.writeString(input, sb.toString());
    model = dir.resolve("m.model");
    Process p = start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the first run finishes");
    assertEquals(0, p.exitValue(), log());
    original = Files.readAllBytes(model);
    assertTrue(original.length > 10_000_000, "model of " + original.length + " bytes");
  }

  /** Waits until the child is saving (its own temporary file exists), or has ended; true if it is saving. */
  private boolean awaitSaving(Process p) throws Exception {
    String own = ".m.model.tmp-" + p.pid() + "-";
    while (p.isAlive()) {
      if (tempFiles().stream().anyMatch(f -> f.getFileName().toString().startsWith(own))) {
        return true;
      }
      Thread.sleep(1);
    }
    return false;
  }

  @Test
  void aKilledRunLeavesTheOldModelAndTheNextRunCleansUp() throws Exception {
    SplittableRandom rng = new SplittableRandom(42);
    long fullRunMillis = 0;
    int killedWhileSaving = 0;
    for (int i = 0; i < KILLS; i++) {
      long start = System.nanoTime();
      Process p = start();
      if (i % 2 == 0) {
        // a random point of the whole run: JVM start, reading, training or saving
        Thread.sleep(rng.nextLong(Math.max(1, fullRunMillis > 0 ? fullRunMillis : 1500)));
      } else if (awaitSaving(p)) {
        // a random point of the save itself
        Thread.sleep(rng.nextLong(20));
        killedWhileSaving += p.isAlive() ? 1 : 0;
      }
      p.destroyForcibly(); // SIGKILL: no shutdown hook runs
      p.waitFor();
      fullRunMillis = Math.max(fullRunMillis, (System.nanoTime() - start) / 1_000_000);
      assertArrayEquals(original, Files.readAllBytes(model), "kill " + i + ": the model is the old one, complete");
    }
    assertTrue(killedWhileSaving > 0, "no kill landed inside a save");

    Process next = start();
    assertTrue(next.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, next.exitValue(), log());
    assertEquals(List.of(), tempFiles(), "the next run removed every leftover");
    assertArrayEquals(original, Files.readAllBytes(model));
  }

  @Test
  void aTerminatedSaveLeavesNoTemporaryFile() throws Exception {
    int terminatedWhileSaving = 0;
    for (int i = 0; i < 3; i++) {
      Process p = start();
      if (awaitSaving(p) && p.isAlive()) {
        p.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown hook runs
        p.waitFor();
        if (p.exitValue() == 143) {
          terminatedWhileSaving++;
          assertEquals(List.of(), tempFiles(), "the shutdown hook deleted the temporary file; " + log());
        }
      }
      p.waitFor();
      assertArrayEquals(original, Files.readAllBytes(model));
    }
    assertTrue(terminatedWhileSaving > 0, "no SIGTERM landed inside a save");
  }
}
