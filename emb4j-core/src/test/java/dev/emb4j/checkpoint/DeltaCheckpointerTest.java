package dev.emb4j.checkpoint;

import static dev.emb4j.checkpoint.TrainingRun.assertSameState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.GradMode;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Initializer;
import dev.emb4j.nn.Parameter;
import dev.emb4j.optim.OptimizerState;
import dev.emb4j.optim.Sgd;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Delta checkpoints: round trips, what a record holds, torn and corrupt logs, compaction. */
class DeltaCheckpointerTest {
  private static final long ROWS = 3000;
  private static final int DIM = 8;

  @TempDir Path dir;

  private static TrainingRun run(Storage storage) {
    return new TrainingRun(ROWS, DIM, storage, 7, 7, true);
  }

  /** No compaction but {@link DeltaCheckpointer#compact()}: the tests know which checkpoint is in which file. */
  private DeltaCheckpointer open(TrainingRun run) throws IOException {
    return open(run, new DeltaCheckpointer.Config(Double.POSITIVE_INFINITY));
  }

  private DeltaCheckpointer open(TrainingRun run, DeltaCheckpointer.Config config) throws IOException {
    return DeltaCheckpointer.open(dir, run.model.parameters(), run.optimizer, config);
  }

  /** Trains to {@code steps}, checkpointing every {@code every} steps with the step as metadata. */
  private static void trainAndCheckpoint(TrainingRun run, DeltaCheckpointer ckpt, long steps, int every)
      throws IOException {
    while (run.step < steps) {
      run.step(++run.step);
      if (run.step % every == 0) {
        ckpt.checkpoint(Map.of("step", Long.toString(run.step)));
      }
    }
  }

  /** A fresh run restored from the directory, with its step set from the checkpoint's metadata. */
  private TrainingRun restored(Storage storage, boolean rowWise) throws IOException {
    TrainingRun r = new TrainingRun(ROWS, DIM, storage, 7, 99, rowWise);
    try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, r.model.parameters(), r.optimizer, DeltaCheckpointer.Config.defaults())) {
      assertTrue(ckpt.restore().isPresent(), "a checkpoint to restore");
      r.step = Long.parseLong(ckpt.metadata().get("step"));
    }
    return r;
  }

  static Stream<Storage> inMemoryStorages() {
    return Stream.of(Storage.HEAP, Storage.OFF_HEAP);
  }

  private static TrainingRun reference(long steps, boolean rowWise) {
    TrainingRun r = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 7, rowWise);
    r.trainTo(steps);
    return r;
  }

  @ParameterizedTest
  @MethodSource("inMemoryStorages")
  void restoreGivesTheLastCheckpointBitForBit(Storage storage) throws IOException {
    TrainingRun run = run(storage);
    try (DeltaCheckpointer ckpt = open(run)) {
      trainAndCheckpoint(run, ckpt, 30, 5);
      assertEquals(OptionalLong.of(6), ckpt.lastCheckpoint());
      run.trainTo(33); // not checkpointed
    }
    TrainingRun back = restored(Storage.HEAP, true);
    assertEquals(30, back.step);
    assertSameState(reference(30, true).state(), back.state(), "restored");
  }

  @Test
  void restoreEqualsAFullCheckpointsRestore() throws IOException {
    TrainingRun run = run(Storage.HEAP);
    try (DeltaCheckpointer ckpt = open(run)) {
      trainAndCheckpoint(run, ckpt, 20, 4);
    }
    Path full = dir.resolve("full.ckpt");
    Checkpoint.save(full, run.model.parameters(), run.optimizer.exportState(), Map.of());
    TrainingRun viaFull = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, true);
    viaFull.optimizer.importState(Checkpoint.load(full, viaFull.model.parameters()));
    assertSameState(viaFull.state(), restored(Storage.OFF_HEAP, true).state(), "delta restore vs full restore");
  }

  @Test
  void trainingContinuesAfterARestoreAsIfNeverInterrupted() throws IOException {
    for (boolean rowWise : new boolean[] {true, false}) {
      TrainingRun run = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 7, rowWise);
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir.resolve("r" + rowWise), run.model, run.optimizer)) {
        trainAndCheckpoint(run, ckpt, 12, 3);
      }
      TrainingRun back = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, rowWise);
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir.resolve("r" + rowWise), back.model, back.optimizer)) {
        ckpt.restore();
        back.step = Long.parseLong(ckpt.metadata().get("step"));
        trainAndCheckpoint(back, ckpt, 25, 3); // appends to the same log
      }
      assertSameState(reference(25, rowWise).state(), back.state(), "continued, rowWise=" + rowWise);
      TrainingRun again = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, rowWise);
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir.resolve("r" + rowWise), again.model, again.optimizer)) {
        assertEquals(OptionalLong.of(8), ckpt.restore());
      }
      assertSameState(reference(24, rowWise).state(), again.state(), "restored after the resumed run");
      if (!rowWise) {
        assertTrue(again.state().containsKey("scalar fc.weight/step"), "step counts are part of the state");
      }
    }
  }

  @Test
  void aRecordHoldsOnlyTheChangedRows() throws IOException {
    TrainingRun run = run(Storage.HEAP);
    try (DeltaCheckpointer ckpt = open(run)) {
      trainAndCheckpoint(run, ckpt, 2, 1); // base, then one delta
      Parameter bag = run.optimizer.parameters().getFirst();
      run.step(++run.step);
      long changed = run.optimizer.changedRows(bag).count();
      assertTrue(changed > 0 && changed < ROWS / 2, changed + " rows changed");
      ckpt.checkpoint(Map.of("step", "3"));
      assertTrue(run.optimizer.changedRows(bag).isEmpty(), "a checkpoint clears the changed rows");
      try (DeltaLog log = DeltaLog.open(dir.resolve(DeltaCheckpointer.LOG_FILE))) {
        assertEquals(1, log.baseSequence());
        List<DeltaRecord> records = log.readAll();
        assertEquals(List.of(2L, 3L), records.stream().map(DeltaRecord::sequence).toList());
        DeltaRecord last = records.getLast();
        Map<String, Long> counts = new HashMap<>();
        last.tensors().forEach(t -> counts.put(t.name(), t.changed()));
        assertEquals(changed, counts.get("bag.weight"));
        assertEquals(changed, counts.get("bag.weight/sum"));
        assertEquals((long) TrainingRun.CLASSES, counts.get("fc.weight"), "a dense parameter: every row");
        assertEquals(Map.of("step", "3"), last.metadata());
        assertEquals(List.of("bag.weight/sum", "fc.bias/sum", "fc.weight/sum"), last.stateSlots());
        assertTrue(last.length() < changed * (DIM * 4 + 16) + 4096, last.length() + " bytes");
      }
    }
  }

  @Test
  void aReaderTailingTheLogFollowsTheModel() throws IOException {
    TrainingRun run = run(Storage.HEAP);
    try (DeltaCheckpointer ckpt = open(run)) {
      trainAndCheckpoint(run, ckpt, 1, 1);
      // the serving copy: the base, then records as they come
      TrainingRun serving = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, true);
      Checkpoint.load(dir.resolve(DeltaCheckpointer.BASE_FILE), serving.model.parameters());
      Map<String, RowStore> byName = new HashMap<>();
      serving.model.parameters().forEach(p -> byName.put(p.name(), p.value()));
      try (DeltaLog log = DeltaLog.open(dir.resolve(DeltaCheckpointer.LOG_FILE))) {
        assertTrue(log.next().isEmpty());
        for (int k = 0; k < 3; k++) {
          run.trainTo(run.step + 2);
          ckpt.checkpoint();
          DeltaRecord r = log.next().orElseThrow();
          log.readRows(r, (t, row, values) -> {
            if (t.parameter()) {
              byName.get(t.name()).writeRow(row, values, 0);
            }
          });
          assertTrue(log.next().isEmpty());
          for (Parameter p : run.model.parameters()) {
            assertEquals(
                p.value().toTensor(), byName.get(p.name()).toTensor(), "after record " + r.sequence() + ": " + p.name());
          }
        }
        assertFalse(log.replaced());
        ckpt.compact(Map.of("step", Long.toString(run.step)));
        assertTrue(log.replaced(), "a compaction starts a new log");
      }
    }
  }

  @Test
  void aTornLastRecordIsIgnoredAndCutBeforeTheNextAppend() throws IOException {
    TrainingRun run = run(Storage.HEAP);
    Path logFile = dir.resolve(DeltaCheckpointer.LOG_FILE);
    long fourth;
    try (DeltaCheckpointer ckpt = open(run)) {
      trainAndCheckpoint(run, ckpt, 9, 3); // base at 3, records at 6 and 9
      fourth = Files.size(logFile);
      trainAndCheckpoint(run, ckpt, 12, 3);
    }
    long full = Files.size(logFile);
    for (long cut : new long[] {fourth + 5, fourth + 30, (fourth + full) / 2, full - 1}) {
      Path copy = dir.resolve("cut" + cut);
      Files.createDirectories(copy);
      Files.copy(dir.resolve(DeltaCheckpointer.BASE_FILE), copy.resolve(DeltaCheckpointer.BASE_FILE));
      Files.copy(logFile, copy.resolve(DeltaCheckpointer.LOG_FILE));
      try (FileChannel ch = FileChannel.open(copy.resolve(DeltaCheckpointer.LOG_FILE), StandardOpenOption.WRITE)) {
        ch.truncate(cut);
      }
      TrainingRun back = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, true);
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(copy, back.model, back.optimizer)) {
        assertEquals(OptionalLong.of(3), ckpt.restore(), "cut at " + cut);
        back.step = 9;
        assertSameState(reference(9, true).state(), back.state(), "cut at " + cut);
        trainAndCheckpoint(back, ckpt, 12, 3); // cuts the torn record off, then appends
      }
      TrainingRun again = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, true);
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(copy, again.model, again.optimizer)) {
        assertEquals(OptionalLong.of(4), ckpt.restore());
      }
      assertSameState(reference(12, true).state(), again.state(), "appended after the cut at " + cut);
    }
  }

  @Test
  void aLastRecordWithABadChecksumIsTornButInTheMiddleItIsAnError() throws IOException {
    TrainingRun run = run(Storage.HEAP);
    Path logFile = dir.resolve(DeltaCheckpointer.LOG_FILE);
    long second;
    try (DeltaCheckpointer ckpt = open(run)) {
      trainAndCheckpoint(run, ckpt, 6, 3);
      second = Files.size(logFile);
      trainAndCheckpoint(run, ckpt, 9, 3);
    }
    byte[] original = Files.readAllBytes(logFile);
    // the last record's last data byte: a torn tail
    byte[] bad = original.clone();
    bad[bad.length - 10] ^= 1;
    Files.write(logFile, bad);
    TrainingRun back = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, true);
    try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, back.model, back.optimizer)) {
      assertEquals(OptionalLong.of(2), ckpt.restore());
    }
    // the first record's data: corruption in the middle
    bad = original.clone();
    bad[(int) second - 10] ^= 1;
    Files.write(logFile, bad);
    TrainingRun fresh = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, true);
    Map<String, int[]> before = fresh.state();
    try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, fresh.model, fresh.optimizer)) {
      CheckpointFormatException e = assertThrows(CheckpointFormatException.class, ckpt::restore);
      long recordStart = DeltaLog.readHeader(logFile).end();
      assertTrue(e.getMessage().contains(logFile.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("record at offset " + recordStart), e.getMessage());
      assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
      assertEquals(logFile, e.file());
    }
    assertSameState(before, fresh.state(), "a failed restore changes nothing");
    // the first record's header: an intact header after it shows it is not the tail
    bad = original.clone();
    int first = (int) DeltaLog.readHeader(logFile).end();
    bad[first + 3] ^= 1;
    Files.write(logFile, bad);
    try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, fresh.model, fresh.optimizer)) {
      CheckpointFormatException e = assertThrows(CheckpointFormatException.class, ckpt::restore);
      assertTrue(e.getMessage().contains("record at offset " + first + " has a corrupt header, and a record header"
          + " follows at offset " + second), e.getMessage());
    }
    // the last record's header: a torn tail
    bad = original.clone();
    bad[(int) second + 20] ^= 1;
    Files.write(logFile, bad);
    try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, fresh.model, fresh.optimizer)) {
      assertEquals(OptionalLong.of(2), ckpt.restore());
    }
  }

  @Test
  void compactionGivesTheSameStateAndACompactionCutShortIsHarmless() throws IOException {
    TrainingRun run = run(Storage.HEAP);
    Path logFile = dir.resolve(DeltaCheckpointer.LOG_FILE);
    Path oldLog = dir.resolve("old.log");
    try (DeltaCheckpointer ckpt = open(run)) {
      trainAndCheckpoint(run, ckpt, 15, 3);
      Files.copy(logFile, oldLog);
      assertEquals(6, ckpt.compact(Map.of("step", "15")));
      assertEquals(DeltaLog.readHeader(logFile).end(), Files.size(logFile), "the log starts afresh");
    }
    Map<String, int[]> expected = reference(15, true).state();
    assertSameState(expected, restored(Storage.HEAP, true).state(), "after compaction");
    // killed between the new base's rename and the log's: the old log's records all precede the base
    Files.copy(oldLog, logFile, StandardCopyOption.REPLACE_EXISTING);
    TrainingRun back = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, true);
    try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, back.model, back.optimizer)) {
      assertEquals(OptionalLong.of(6), ckpt.restore());
      back.step = 15;
      assertSameState(expected, back.state(), "new base beside the old log");
      trainAndCheckpoint(back, ckpt, 18, 3); // replaces the stale log, then appends
    }
    try (DeltaLog log = DeltaLog.open(logFile)) {
      assertEquals(6, log.baseSequence());
      assertEquals(List.of(7L), log.readAll().stream().map(DeltaRecord::sequence).toList());
    }
    assertSameState(reference(18, true).state(), restored(Storage.HEAP, true).state(), "after the stale log");
  }

  @Test
  void theLogIsFoldedIntoANewBaseOnceItOutgrowsThePolicy() throws IOException {
    TrainingRun run = run(Storage.HEAP);
    Path base = dir.resolve(DeltaCheckpointer.BASE_FILE);
    try (DeltaCheckpointer ckpt = open(run, new DeltaCheckpointer.Config(0.3))) {
      java.util.Set<String> bases = new java.util.HashSet<>();
      for (int k = 0; k < 20; k++) {
        trainAndCheckpoint(run, ckpt, run.step + 3, 3);
        bases.add(Checkpoint.summary(base, false).metadata().get(DeltaCheckpointer.SEQUENCE_KEY));
        assertTrue(
            Files.size(dir.resolve(DeltaCheckpointer.LOG_FILE)) <= 0.3 * Files.size(base) + 200_000,
            "the log stays near its bound");
      }
      assertTrue(bases.size() > 1 && bases.size() < 20, bases + " bases in 20 checkpoints");
    }
    assertSameState(reference(60, true).state(), restored(Storage.HEAP, true).state(), "after policy compactions");
  }

  @Test
  void aFreshStartOverAnOldDirectoryNumbersOnAndRestoreFindsIt() throws IOException {
    TrainingRun old = run(Storage.HEAP);
    try (DeltaCheckpointer ckpt = open(old)) {
      trainAndCheckpoint(old, ckpt, 9, 3);
    }
    TrainingRun fresh = run(Storage.HEAP);
    try (DeltaCheckpointer ckpt = open(fresh)) {
      trainAndCheckpoint(fresh, ckpt, 4, 4);
      assertEquals(OptionalLong.of(4), ckpt.lastCheckpoint(), "after checkpoints 1..3 of the old run");
    }
    assertSameState(reference(4, true).state(), restored(Storage.HEAP, true).state(), "the fresh run's base");
  }

  @Test
  void rowsChangedOutsideTheOptimizerAreWrittenOnceDeclared() throws IOException {
    TrainingRun run = run(Storage.HEAP);
    try (DeltaCheckpointer ckpt = open(run)) {
      trainAndCheckpoint(run, ckpt, 2, 2);
      Parameter bag = run.model.parameters().getFirst();
      bag.value().set(ROWS - 1, 0, 42f);
      ckpt.markChanged(bag, ROWS - 1);
      ckpt.checkpoint(Map.of("step", "2"));
    }
    assertEquals(42f, restored(Storage.HEAP, true).model.parameters().getFirst().value().get(ROWS - 1, 0));
  }

  /** An embedding with maxNorm, its rows renormalised by lookups between steps (in eval mode), and its optimizer. */
  private static Embedding maxNormTable() {
    return Embedding.builder(ROWS, DIM).maxNorm(1.0).sparse(true)
        .initializer(Initializer.normal(0, 1, 5)).build();
  }

  /**
   * Lookups of a table with maxNorm renormalise the rows they read, in place, outside the optimizer's steps and in
   * eval mode too: the optimizer hears of those writes, so the next delta record holds the rows.
   */
  @Test
  void rowsRenormalisedByLookupsBetweenStepsAreInTheNextRecord() throws IOException {
    IndexTensor trained = IndexTensor.of(new long[] {1, 2, 3});
    IndexTensor looked = IndexTensor.of(new long[] {100, 101, 2900});
    float[] expected;
    try (Embedding table = maxNormTable()) {
      Sgd sgd = new Sgd(table.parameters(), Sgd.Config.of(0.1));
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, table.parameters(), sgd, DeltaCheckpointer.Config.defaults())) {
        float[] ones = new float[3 * DIM];
        Arrays.fill(ones, 1f);
        table.lookup(trained);
        table.backward(trained, FloatTensor.wrap(Shape.of(3, DIM), ones));
        sgd.step();
        ckpt.checkpoint();
        try (var _ = GradMode.disable()) {
          table.lookup(looked); // renormalises rows 100, 101 and 2900 in place
        }
        ckpt.checkpoint();
      }
      expected = table.weight().toTensor().data();
    }
    try (Embedding fresh = maxNormTable()) {
      Sgd sgd = new Sgd(fresh.parameters(), Sgd.Config.of(0.1));
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, fresh.parameters(), sgd, DeltaCheckpointer.Config.defaults())) {
        assertEquals(OptionalLong.of(2), ckpt.restore());
      }
      float[] restored = fresh.weight().toTensor().data();
      for (long r : new long[] {1, 100, 101, 2900}) {
        for (int j = 0; j < DIM; j++) {
          assertEquals(expected[(int) r * DIM + j], restored[(int) r * DIM + j], "row " + r + ", column " + j);
        }
      }
    }
  }

  @Test
  void misuseIsRefusedWithAReason() throws IOException {
    TrainingRun run = run(Storage.HEAP);
    TrainingRun other = run(Storage.HEAP);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DeltaCheckpointer.open(dir, List.of(run.model.parameters().getFirst()), run.optimizer,
                DeltaCheckpointer.Config.defaults()));
    assertTrue(e.getMessage().contains("'fc.weight' is not among"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> DeltaCheckpointer.open(dir, other.model.parameters(), run.optimizer, DeltaCheckpointer.Config.defaults()));
    assertThrows(IllegalArgumentException.class, () -> new DeltaCheckpointer.Config(0));
    try (DeltaCheckpointer ckpt = open(run)) {
      assertEquals(OptionalLong.empty(), ckpt.restore(), "an empty directory");
      assertThrows(IllegalArgumentException.class, () -> ckpt.checkpoint(Map.of("emb4j.delta.sequence", "1")));
      ckpt.checkpoint();
    }
    // a log from another run beside the base
    Path otherDir = dir.resolve("other");
    try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(otherDir, other.model, other.optimizer)) {
      ckpt.checkpoint();
      ckpt.checkpoint();
    }
    Files.copy(otherDir.resolve(DeltaCheckpointer.LOG_FILE), dir.resolve(DeltaCheckpointer.LOG_FILE),
        StandardCopyOption.REPLACE_EXISTING);
    try (DeltaCheckpointer ckpt = open(run(Storage.HEAP))) {
      CheckpointFormatException x = assertThrows(CheckpointFormatException.class, ckpt::restore);
      assertTrue(x.getMessage().contains("belongs to run"), x.getMessage());
    }
    // an optimizer of another kind
    TrainingRun adagrad = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 7, false);
    try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(otherDir, adagrad.model, adagrad.optimizer)) {
      IllegalArgumentException k = assertThrows(IllegalArgumentException.class, ckpt::restore);
      assertTrue(k.getMessage().contains("RowWiseAdagrad"), k.getMessage());
    }
    DeltaCheckpointer closed = open(run(Storage.HEAP));
    closed.close();
    assertThrows(IllegalStateException.class, closed::checkpoint);
  }

  @Test
  void aParameterOutsideTheOptimizerIsSavedInTheBase() throws IOException {
    TrainingRun run = run(Storage.HEAP);
    HeapRowStore frozenValues = HeapRowStore.allocate(2, 3);
    frozenValues.set(1, 2, 5f);
    Parameter frozen = new CheckpointTest.StoreParam("frozen", frozenValues);
    List<Parameter> all = new java.util.ArrayList<>(run.model.parameters());
    all.add(frozen);
    try (DeltaCheckpointer ckpt =
        DeltaCheckpointer.open(dir, all, run.optimizer, DeltaCheckpointer.Config.defaults())) {
      trainAndCheckpoint(run, ckpt, 4, 2);
    }
    TrainingRun back = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, true);
    HeapRowStore frozenBack = HeapRowStore.allocate(2, 3);
    List<Parameter> allBack = new java.util.ArrayList<>(back.model.parameters());
    allBack.add(new CheckpointTest.StoreParam("frozen", frozenBack));
    try (DeltaCheckpointer ckpt =
        DeltaCheckpointer.open(dir, allBack, back.optimizer, DeltaCheckpointer.Config.defaults())) {
      assertEquals(OptionalLong.of(2), ckpt.restore());
    }
    assertEquals(5f, frozenBack.get(1, 2));
    assertSameState(reference(4, true).state(), back.state(), "trained parameters");
    OptimizerState s = back.optimizer.exportState();
    assertNotEquals(0, s.slots().size());
  }
}
