package dev.emb4j.checkpoint;

import static dev.emb4j.checkpoint.TrainingRun.assertSameState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when" of delta checkpoints: a child JVM trains an {@code EmbeddingBag} (off-heap, sparse gradients) and a
 * {@code Linear} with row-wise Adagrad, checkpointing every {@value #EVERY} steps and compacting every fourth time,
 * and is killed with SIGKILL at random points, {@value #KILLS} times; each next child resumes from what the one
 * before left. After every kill this JVM restores the directory into a fresh model and checks, bit for bit, that it
 * holds the state of an uninterrupted run at the restored checkpoint's step, and that this checkpoint is the last
 * one the child reported done, or the one it was writing. The same again, {@value #MAPPED_KILLS} times, with the
 * table lazy on a mapped file (its state in a mapped file beside it), which each child reopens dirty as the kill left
 * it; the restores of this JVM go into a copy of those files with random pages overwritten. If no random kill
 * landed while a compaction wrote its files, up to {@value #TARGETED_KILLS} more lives are killed as soon as the
 * compaction's temporary base file appears. The same again, {@value #DYNAMIC_KILLS} times, with a {@code
 * DynamicEmbeddingBag} of raw ids beside the table, admitting and evicting ids: its id map, admission counts and
 * recency order restore bit for bit too. Tagged {@code crash}
 * ({@code ./mvnw -Pcrash test}, as {@code .ci/run} runs it).
 */
@Tag("crash")
class DeltaCheckpointCrashTest {
  private static final int KILLS = Integer.getInteger("kills", 32);
  private static final int MAPPED_KILLS = Integer.getInteger("mappedKills", 16);
  private static final int DYNAMIC_KILLS = Integer.getInteger("dynamicKills", 16);
  private static final long ROWS = 30_000;
  private static final int DIM = 32;
  private static final int EVERY = 2;
  private static final long SEED = 18;
  private static final int TARGETED_KILLS = 8;
  private static final Pattern DONE = Pattern.compile("checkpoint (\\d+) done step (\\d+)");
  private static final Pattern COMPACTION = Pattern.compile("\\(compaction, (\\d+) ms\\)");

  @TempDir Path tmp;

  private Process start(Path dir, Path out, int life, String storage) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // the kernels this JVM's reference run uses: dense sums differ in the last bit between kernel sets and widths
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
    }
    for (String property : List.of("emb4j.kernels", "emb4j.vectorBits")) {
      if (System.getProperty(property) != null) {
        cmd.add("-D" + property + "=" + System.getProperty(property));
      }
    }
    cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx512m"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TrainingRun.class.getName()));
    cmd.addAll(
        List.of(dir.toString(), Long.toString(ROWS), Integer.toString(DIM), storage,
            Long.toString(SEED), Integer.toString(EVERY), "1000000000", Integer.toString(life)));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  /**
   * Waits until the child has reported {@code n} checkpoints done and printed {@code line}, or has ended; true if it
   * is running. Waiting for the child's progress rather than for a time puts the kills in the middle of training
   * and checkpointing however fast the machine is.
   */
  private static boolean awaitReported(Process p, Path out, int n, String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (p.isAlive() && System.nanoTime() < deadline) {
      String log = Files.readString(out);
      if (DONE.matcher(log).results().count() >= n && log.contains(line)) {
        return true;
      }
      Thread.sleep(2);
    }
    return p.isAlive();
  }

  /**
   * Waits until a compaction's base file is being written (its temporary file exists in {@code dir}), or the child
   * has ended: a kill right after lands in the window that random kills may all miss when it is short.
   */
  private static void awaitBaseWrite(Process p, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (p.isAlive() && System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.list(dir)) {
        if (files.anyMatch(f -> f.getFileName().toString().startsWith(".base.ckpt.tmp-"))) {
          return;
        }
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void aKilledRunAlwaysRestoresToItsLastCompleteCheckpoint() throws Exception {
    killAndRestore(Storage.OFF_HEAP.label(), KILLS);
  }

  /**
   * The same with a lazy table on a mapped file, which each child reopens as the kill left it (dirty, pages half
   * written, rows initialised since the checkpoint) and restores into in place; this JVM restores a copy of the files
   * each kill left, with the optimizer's state in mapped files beside the table.
   */
  @Test
  void aKilledRunOnAMappedTableAlwaysRestoresToItsLastCompleteCheckpoint() throws Exception {
    killAndRestore("mapped", MAPPED_KILLS);
  }

  /** The same with a dynamic table of raw ids beside the off-heap one (heap rows, admission and eviction on). */
  @Test
  void aKilledRunWithADynamicTableAlwaysRestoresToItsLastCompleteCheckpoint() throws Exception {
    killAndRestore("dynamic", DYNAMIC_KILLS);
  }

  /** The files of a mapped child's table: the rows, the bitmap of initialised rows, the optimizer's state. */
  private static final List<String> TABLE_SUFFIXES = List.of("", ".initialized", ".rowwiseadagrad-sum");

  /**
   * A run to restore into: on the heap, or for a mapped child on a copy of the table files it left (its rows, bitmap
   * and state as the kill left them).
   */
  private TrainingRun probe(Path dir, String storage, int life) throws IOException {
    if (!storage.equals("mapped")) {
      return new TrainingRun(ROWS, DIM, Storage.HEAP, SEED, 1000 + life, true, false, storage.equals("dynamic"));
    }
    Path copy = tmp.resolve("probe-" + life + ".emb4j");
    if (Files.exists(TrainingRun.tableFile(dir))) {
      SplittableRandom rng = new SplittableRandom(life);
      for (String suffix : TABLE_SUFFIXES) {
        Path from = Path.of(TrainingRun.tableFile(dir) + suffix);
        if (Files.exists(from)) {
          Files.copy(from, Path.of(copy + suffix));
          tearPages(Path.of(copy + suffix), suffix.equals(".initialized") ? 0 : 4096, rng);
        }
      }
    }
    return new TrainingRun(ROWS, DIM, Storage.mapped(copy), SEED, 1000 + life, true, true);
  }

  /**
   * Writes random bytes over a few random pages of {@code file} past {@code from} (its header) and before its last 4
   * bytes: pages the operating system had not written back, or had half written, when the machine went down.
   */
  private static void tearPages(Path file, long from, SplittableRandom rng) throws IOException {
    long size = Files.size(file);
    if (size - 4 <= from) {
      return;
    }
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      for (int i = 0; i < 4; i++) {
        long at = from + rng.nextLong(size - 4 - from);
        byte[] junk = new byte[(int) Math.min(4096, size - 4 - at)];
        rng.nextBytes(junk);
        ch.write(java.nio.ByteBuffer.wrap(junk), at);
      }
    }
  }

  private void killAndRestore(String storage, int kills) throws Exception {
    Path dir = tmp.resolve("ckpt-" + storage);
    SplittableRandom rng = new SplittableRandom(SEED);
    boolean lazy = storage.equals("mapped");
    TrainingRun reference =
        new TrainingRun(ROWS, DIM, Storage.HEAP, SEED, SEED, true, lazy, storage.equals("dynamic"));
    long restoredBefore = 0;
    int inBaseWrite = 0;
    int betweenBaseAndLog = 0;
    int tornRecord = 0;
    int aheadOfReport = 0;
    int inCompaction = 0;
    long compactionMillis = 100; // how long a child's first compaction takes, as the last one to finish one said
    // After the random kills, up to TARGETED_KILLS more if none of them landed while a compaction wrote its files.
    int life = 0;
    for (;
        life < kills || (life < kills + TARGETED_KILLS && inBaseWrite + betweenBaseAndLog == 0);
        life++) {
      Path out = tmp.resolve("child-" + storage + "-" + life + ".log");
      Process p = start(dir, out, life, storage);
      if (life >= kills) {
        if (awaitReported(p, out, 0, "compacting")) {
          awaitBaseWrite(p, dir);
        }
      } else if (life % 8 == 7) {
        Thread.sleep(rng.nextLong(800)); // a random point from JVM start: restoring included
      } else if (life % 3 == 1) {
        if (awaitReported(p, out, 0, "compacting")) {
          Thread.sleep(rng.nextLong(compactionMillis + 1)); // a random point of a compaction
        }
      } else if (awaitReported(p, out, rng.nextInt(4), "restored")) {
        Thread.sleep(rng.nextLong(150)); // a random point of training, checkpointing and compacting
      }
      p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      String log = Files.readString(out);
      assertTrue(!log.contains("Exception") && !log.contains("finished"), "life " + life + ":\n" + log);

      Matcher compaction = COMPACTION.matcher(log);
      if (compaction.find()) { // a life's first compaction, as slow as the one a compaction life is killed in
        compactionMillis = Long.parseLong(compaction.group(1));
      }
      inCompaction += log.strip().endsWith("compacting") ? 1 : 0;
      long reported = -1;
      long reportedStep = -1;
      for (Matcher m = DONE.matcher(log); m.find(); ) {
        reported = Long.parseLong(m.group(1));
        reportedStep = Long.parseLong(m.group(2));
      }
      try (Stream<Path> files = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
        inBaseWrite += (int) files.filter(f -> f.getFileName().toString().startsWith(".base.ckpt.tmp-")).count();
      }
      if (Files.exists(dir.resolve(DeltaCheckpointer.LOG_FILE))) {
        String baseSeq =
            Checkpoint.summary(dir.resolve(DeltaCheckpointer.BASE_FILE), false)
                .metadata()
                .get(DeltaCheckpointer.SEQUENCE_KEY);
        try (DeltaLog deltas = DeltaLog.open(dir.resolve(DeltaCheckpointer.LOG_FILE))) {
          betweenBaseAndLog += deltas.baseSequence() < Long.parseLong(baseSeq) ? 1 : 0;
          deltas.readAll();
          tornRecord += deltas.position() < Files.size(dir.resolve(DeltaCheckpointer.LOG_FILE)) ? 1 : 0;
        }
      }

      TrainingRun probe = probe(dir, storage, life);
      OptionalLong restored;
      long step = 0;
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, probe.model, probe.optimizer)) {
        restored = ckpt.restore();
        if (restored.isPresent()) {
          step = Long.parseLong(ckpt.metadata().get("step"));
        }
      }
      String what = "life " + life + " (reported checkpoint " + reported + " at step " + reportedStep + ")";
      if (reported >= 0) {
        long k = restored.orElseThrow();
        assertTrue(k == reported || k == reported + 1, what + ": restored checkpoint " + k);
        assertEquals(k == reported ? reportedStep : reportedStep + EVERY, step, what + ": the restored step");
        aheadOfReport += k == reported ? 0 : 1;
      }
      assertTrue(step >= restoredBefore, what + ": step " + step + " after " + restoredBefore);
      restoredBefore = step;
      if (restored.isPresent()) {
        reference.trainTo(step);
        assertSameState(reference.state(), probe.state(), what + ", restored step " + step);
      }
      probe.model.close();
    }
    System.out.printf(
        "DeltaCheckpointCrashTest (%s): %d kills up to step %d; %d inside a compaction: writing the base %d times,"
            + " between the base and the log %d; leaving a torn record %d; restored a checkpoint not yet reported"
            + " %d times%n",
        storage, life, restoredBefore, inCompaction, inBaseWrite, betweenBaseAndLog, tornRecord, aheadOfReport);
    assertTrue(restoredBefore > 0, "the children made progress");
    if (reference.model.dyn != null) {
      System.out.printf(
          "DeltaCheckpointCrashTest (dynamic): %d ids hold rows, %d evictions%n",
          reference.model.dyn.size(), reference.model.dyn.evictions());
      assertTrue(reference.model.dyn.evictions() > 0, "the dynamic table evicted");
    }
    assertTrue(inCompaction > 0, "no kill landed inside a compaction");
    assertTrue(inBaseWrite + betweenBaseAndLog > 0, "no kill landed while a compaction wrote its files");
  }
}
