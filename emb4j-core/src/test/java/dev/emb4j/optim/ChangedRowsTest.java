package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.HeapRowStore;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** {@link ChangedRows} against a sorted set, and what an optimizer records in it. */
class ChangedRowsTest {

  private static List<Long> visit(ChangedRows s) {
    List<Long> out = new ArrayList<>();
    for (long r = s.next(0); r >= 0; r = s.next(r + 1)) {
      out.add(r);
    }
    return out;
  }

  @Property(tries = 200)
  void behavesAsASortedSetAcrossPages(
      @ForAll @Size(max = 60) List<@LongRange(min = 0, max = 3 * ChangedRows.PAGE_ROWS + 5) Long> rows,
      @ForAll @LongRange(min = 0, max = 3 * ChangedRows.PAGE_ROWS + 5) long probe) {
    ChangedRows s = new ChangedRows(3L * ChangedRows.PAGE_ROWS + 6);
    TreeSet<Long> expected = new TreeSet<>(rows);
    rows.forEach(s::add);
    assertEquals(List.copyOf(expected), visit(s));
    assertEquals(expected.size(), s.count());
    assertEquals(expected.contains(probe), s.contains(probe));
    Long ceiling = expected.ceiling(probe);
    assertEquals(ceiling == null ? -1 : ceiling, s.next(probe));
    s.clear();
    assertTrue(s.isEmpty());
    assertEquals(0, s.count());
  }

  @Test
  void allIsAFlagAndBoundsAreChecked() {
    ChangedRows s = new ChangedRows(5);
    s.add(4);
    s.addAll();
    assertTrue(s.isAll());
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), visit(s));
    assertEquals(5, s.count());
    s.clear();
    assertFalse(s.isAll());
    assertEquals(-1, s.next(0));
    assertThrows(IndexOutOfBoundsException.class, () -> s.add(5));
    assertThrows(IndexOutOfBoundsException.class, () -> s.add(-1));
    assertFalse(s.contains(7));
    assertTrue(new ChangedRows(0).isEmpty());
  }

  @Test
  void concurrentAddsAreAllKept() throws Exception {
    ChangedRows s = new ChangedRows(1L << 22);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        done.add(pool.submit(() -> {
          for (long r = offset; r < 1L << 22; r += 4 * 7) {
            s.add(r);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    long expected = 0;
    for (long r = 0; r < 1L << 22; r++) {
      if (r % 28 < 4) {
        expected++;
      }
    }
    assertEquals(expected, s.count());
  }

  @Test
  void anOptimizerRecordsTheRowsItsStepsChange() {
    TestParameter sparse = new TestParameter("emb", HeapRowStore.allocate(1000, 4));
    TestParameter dense = new TestParameter("fc", HeapRowStore.allocate(3, 4));
    RowWiseAdagrad opt = new RowWiseAdagrad(List.of(sparse, dense), RowWiseAdagrad.Config.of(0.1));
    assertThrows(IllegalStateException.class, () -> opt.changedRows(sparse));
    opt.trackChangedRows();
    sparse.sparseGrad(new long[] {7, 900, 7}, new float[3][4]);
    opt.step();
    assertEquals(List.of(7L, 900L), visit(opt.changedRows(sparse)));
    assertTrue(opt.changedRows(dense).isEmpty(), "no gradient, no change");
    dense.denseGrad(new long[] {1}, new float[1][4]);
    sparse.zeroGrad();
    opt.step();
    assertTrue(opt.changedRows(dense).isAll(), "a dense step may change every row");
    opt.changedRows(sparse).clear();
    opt.importState(opt.exportState());
    assertTrue(opt.changedRows(sparse).isAll(), "imported state replaces every row's state");
    TestParameter stranger = new TestParameter("x", HeapRowStore.allocate(1, 1));
    assertThrows(IllegalArgumentException.class, () -> opt.changedRows(stranger));
  }

  @Test
  void theStateViewSharesTheLiveSlots() {
    TestParameter p = new TestParameter("emb", HeapRowStore.allocate(10, 2));
    Adagrad opt = new Adagrad(List.of(p), Adagrad.Config.builder().lr(0.1).build());
    p.sparseGrad(new long[] {3}, new float[][] {{1, 1}});
    opt.step();
    OptimizerState view = opt.stateView();
    OptimizerState copy = opt.exportState();
    assertEquals(copy.scalars(), view.scalars());
    opt.step();
    assertEquals(2f, view.slots().get("emb/sum").get(3, 0), "the view sees the later step");
    assertEquals(1f, copy.slots().get("emb/sum").get(3, 0), "the snapshot does not");
  }

  /**
   * Rows that an embedding with maxNorm renormalises in an eval-mode lookup are recorded, for a table reached through
   * a model (its parameters renamed, {@code "0.weight"}) as for one used alone.
   */
  @Test
  void rowsALayerRenormalisesOutsideAStepAreRecorded() {
    dev.emb4j.nn.Embedding table =
        dev.emb4j.nn.Embedding.builder(50, 4).maxNorm(1.0).sparse(true)
            .initializer(dev.emb4j.nn.Initializer.normal(0, 1, 3)).build();
    try (dev.emb4j.nn.Sequential model = new dev.emb4j.nn.Sequential(table)) {
      Sgd sgd = new Sgd(model.parameters(), Sgd.Config.of(0.1));
      dev.emb4j.nn.Parameter weight = sgd.parameters().getFirst();
      assertEquals("0.weight", weight.name());
      sgd.trackChangedRows();
      try (var _ = dev.emb4j.autograd.GradMode.disable()) {
        table.lookup(dev.emb4j.tensor.IndexTensor.of(new long[] {7, 30, 7}));
      }
      ChangedRows changed = sgd.changedRows(weight);
      assertEquals(2, changed.count());
      assertTrue(changed.contains(7) && changed.contains(30));
    }
  }
}
