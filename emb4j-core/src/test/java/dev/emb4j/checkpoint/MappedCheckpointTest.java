package dev.emb4j.checkpoint;

import static dev.emb4j.checkpoint.TrainingRun.assertSameState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.optim.OptimizerState;
import dev.emb4j.store.LazyRowStore;
import dev.emb4j.store.MappedRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of tables on mapped files and of lazy tables: loads write into the mapped rows and the optimizer's
 * mapped state in place, saves leave lazy rows untouched, and a restore overwrites whatever a killed run left.
 */
class MappedCheckpointTest {
  private static final long ROWS = 4000;
  private static final int DIM = 8;
  private static final String SUM = "bag.weight/sum";

  @TempDir Path dir;

  private TrainingRun mapped(String name, long initSeed) {
    return new TrainingRun(ROWS, DIM, Storage.mapped(dir.resolve(name)), 7, initSeed, true, true);
  }

  private static TrainingRun lazyReference(long steps) {
    TrainingRun r = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 7, true, true);
    r.trainTo(steps);
    return r;
  }

  @Test
  void loadingIntoAnOptimizerWritesItsStateIntoMappedFilesBesideTheTable() throws IOException {
    Path file = dir.resolve("full.ckpt");
    TrainingRun trained = lazyReference(9);
    Checkpoint.save(file, trained.model.parameters(), trained.optimizer.stateView(), Map.of());
    TrainingRun into = mapped("into.emb4j", 99);
    Checkpoint.load(file, into.model.parameters(), into.optimizer);
    RowStore sum = into.optimizer.stateView().slots().get(SUM);
    assertInstanceOf(MappedRowStore.class, sum, "the state is a mapped file, not a copy on the heap");
    assertTrue(Files.exists(dir.resolve("into.emb4j.rowwiseadagrad-sum")));
    assertSameState(trained.state(), into.state(), "loaded");
    into.step = 9;
    into.trainTo(14);
    assertSameState(lazyReference(14).state(), into.state(), "trained on after the load");
    into.model.close();
  }

  @Test
  void aLoadRefusedForTheOptimizerChangesNothing() throws IOException {
    Path file = dir.resolve("adagrad.ckpt");
    TrainingRun adagrad = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 7, false, true);
    adagrad.trainTo(2);
    Checkpoint.save(file, adagrad.model.parameters(), adagrad.optimizer.stateView(), Map.of());
    TrainingRun rowWise = mapped("refused.emb4j", 5);
    Map<String, int[]> before = rowWise.state();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Checkpoint.load(file, rowWise.model.parameters(), rowWise.optimizer));
    assertTrue(e.getMessage().contains("Adagrad"), e.getMessage());
    assertSameState(before, rowWise.state(), "unchanged");
    rowWise.model.close();
  }

  @Test
  void aCheckpointOfALazyTableHoldsOnlyItsInitialisedRowsAndRestoresTheOthersUntouched() throws IOException {
    TrainingRun run = mapped("sparse.emb4j", 7);
    run.trainTo(3);
    LazyRowStore lazy = (LazyRowStore) run.model.bag.weight();
    long initialised = lazy.initializedRows();
    assertTrue(initialised > 0 && initialised < ROWS, initialised + " rows initialised");
    Path file = dir.resolve("sparse.ckpt");
    Checkpoint.save(file, run.model.parameters(), run.optimizer.stateView(), Map.of());
    assertEquals(initialised, lazy.initializedRows(), "a save initialises no row");
    assertEquals(
        Arrays.toString(TrainingRun.bits(lazyReference(3).model.bag.weight())),
        Arrays.toString(TrainingRun.bits(Checkpoint.read(file).parameters().get("bag.weight"))),
        "read back whole: the untouched rows as their initial values");
    long fullTable = ROWS * DIM * Float.BYTES;
    long bitmap = (ROWS + 63) / 64 * Long.BYTES;
    long rest = Files.size(file) - bitmap - initialised * DIM * Float.BYTES;
    assertTrue(rest > 0 && rest < fullTable / 2, "the table's part is its bitmap and its " + initialised + " rows");
    run.model.close();

    TrainingRun same = mapped("same.emb4j", 7); // the same initializer: untouched rows stay untouched
    same.model.bag.weight().readRow(ROWS - 1, new float[DIM], 0); // initialised here, not in the checkpoint
    Checkpoint.load(file, same.model.parameters(), same.optimizer);
    assertEquals(initialised, ((LazyRowStore) same.model.bag.weight()).initializedRows());
    TrainingRun other = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 99, true, false); // eager, other values
    Checkpoint.load(file, other.model.parameters(), other.optimizer);
    Map<String, int[]> expected = lazyReference(3).state();
    assertSameState(expected, other.state(), "into an eager table: the untouched rows' initial values");
    assertSameState(expected, same.state(), "into a lazy table with the same initializer");
    same.model.close();
  }

  @Test
  void aDeltaRestoreOverwritesTheRowsAndStateAKilledRunLeftInTheFiles() throws IOException {
    Path ckptDir = dir.resolve("ckpt");
    TrainingRun run = mapped("table.emb4j", 7);
    try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(ckptDir, run.model, run.optimizer)) {
      for (long s = 1; s <= 12; s++) {
        run.step(s);
        if (s % 3 == 0) {
          ckpt.checkpoint(Map.of("step", Long.toString(s)));
        }
      }
    }
    run.trainTo(14); // past the last checkpoint, then scribbled over, as pages a crash left half written
    RowStore w = run.model.bag.weight();
    RowStore sum = run.optimizer.stateView().slots().get(SUM);
    float[] junk = new float[DIM];
    Arrays.fill(junk, Float.NaN);
    for (long r = 0; r < ROWS; r += 7) {
      w.writeRow(r, junk, 0);
      sum.writeRow(r, junk, 0);
    }
    run.model.close();

    TrainingRun back = mapped("table.emb4j", 99); // the same files, reopened
    try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(ckptDir, back.model, back.optimizer)) {
      assertEquals(OptionalLong.of(4), ckpt.restore());
      assertEquals("12", ckpt.metadata().get("step"));
    }
    assertInstanceOf(MappedRowStore.class, back.optimizer.stateView().slots().get(SUM));
    assertSameState(lazyReference(12).state(), back.state(), "restored in place");
    back.model.close();
  }

  @Test
  void anImportThatDropsAMappedTablesStateKeepsItsFilesForTheNextStep() {
    TrainingRun run = mapped("drop.emb4j", 7);
    run.trainTo(2);
    run.optimizer.importState(new OptimizerState(run.optimizer.kind(), Map.of("lr", 0.2), Map.of()));
    assertTrue(run.optimizer.stateView().slots().isEmpty());
    TrainingRun fresh = new TrainingRun(ROWS, DIM, Storage.HEAP, 7, 7, true, true);
    fresh.trainTo(2);
    fresh.optimizer.importState(new OptimizerState(fresh.optimizer.kind(), Map.of("lr", 0.2), Map.of()));
    run.step(3);
    fresh.step(3);
    assertSameState(fresh.state(), run.state(), "state started anew in the same files");
    run.model.close(); // seals the table and its state file: they were never replaced underneath
  }
}
