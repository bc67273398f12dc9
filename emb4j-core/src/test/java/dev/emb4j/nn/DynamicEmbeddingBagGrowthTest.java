package dev.emb4j.nn;

import static dev.emb4j.nn.DynamicEmbeddingBagTest.assertSameBits;
import static dev.emb4j.nn.DynamicEmbeddingBagTest.column;
import static dev.emb4j.nn.DynamicEmbeddingBagTest.step;
import static dev.emb4j.nn.DynamicEmbeddingBagTest.sumBag;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.checkpoint.Checkpoint;
import dev.emb4j.checkpoint.DeltaCheckpointer;
import dev.emb4j.internal.store.IdRowMap;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.Sgd;
import dev.emb4j.optim.Adam;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic tables that grow: rows, values and state kept, eviction at the maximum, runs and restores bit for bit. */
class DynamicEmbeddingBagGrowthTest {
  static final int D = DynamicEmbeddingBagTest.D;

  @TempDir Path dir;

  static float[] rowValues(RowStore store, long row) {
    float[] out = new float[store.dim()];
    store.readRow(row, out, 0);
    return out;
  }

  @Test
  void growingKeepsEveryIdsRowValuesAndOptimizerState() {
    for (Storage storage : new Storage[] {Storage.HEAP, Storage.OFF_HEAP}) {
      try (DynamicEmbeddingBag bag = sumBag(2).growth(16).sparse(true).storage(storage).build()) {
        Adagrad opt =
            new Adagrad(bag.parameters(), Adagrad.Config.builder().lr(0.1).initialAccumulatorValue(0.5).build());
        step(bag, opt, 10, 20);
        step(bag, opt, 10);
        long[] rows = {bag.rowOf(10).orElseThrow(), bag.rowOf(20).orElseThrow()};
        float[][] values = {rowValues(bag.table().weight(), rows[0]), rowValues(bag.table().weight(), rows[1])};
        RowStore sum = opt.stateView().slots().get("table.weight/sum");
        float[][] state = {rowValues(sum, rows[0]), rowValues(sum, rows[1])};

        step(bag, opt, 30); // full: the table doubles
        assertEquals(4, bag.capacity(), storage.toString());
        assertEquals(4, bag.paddingRow());
        assertEquals(5, bag.table().weight().rows());
        assertEquals(0, bag.evictions());
        for (int k = 0; k < 2; k++) {
          assertEquals(rows[k], bag.rowOf(k == 0 ? 10 : 20).orElseThrow());
          assertArrayEquals(values[k], rowValues(bag.table().weight(), rows[k]));
          assertArrayEquals(state[k], rowValues(opt.stateView().slots().get("table.weight/sum"), rows[k]));
        }
        assertEquals(2, bag.rowOf(30).orElseThrow(), "the first new row");
        assertArrayEquals(new float[D], rowValues(bag.table().weight(), bag.paddingRow()), "padding stays zero");
        RowStore grownSum = opt.stateView().slots().get("table.weight/sum");
        assertEquals(5, grownSum.rows());
        float[] initial = {0.5f, 0.5f, 0.5f, 0.5f};
        assertArrayEquals(initial, rowValues(grownSum, 3), "a new row starts at the initial accumulator");
        assertArrayEquals(initial, rowValues(grownSum, 4), "so does the new padding row");
        assertTrue(rowValues(grownSum, 2)[0] > 0.5f, "the new id's row was trained from the initial value");
        // the padding row still takes no gradient, and an unknown id reads as padding
        step(bag, opt, 40, 50, 60); // grows to 8
        assertEquals(8, bag.capacity());
        bag.eval();
        assertArrayEquals(new float[D], bag.lookup(column(999)).output().data());
        assertArrayEquals(new float[D], rowValues(bag.table().weight(), 8));
        assertTrue(bag.toString().contains("growth=2..16"), bag.toString());
      }
    }
  }

  /**
   * Lookups from other threads while the trainer grows an off-heap table (each growth frees the old store and moves
   * the padding row): an unknown id always reads as zeros, never as the row the growth gave to a new id, and a known
   * id always reads its own values.
   */
  @Test
  @org.junit.jupiter.api.Timeout(60)
  void lookupsFromOtherThreadsSeeOneTableAcrossGrowths() throws Exception {
    try (DynamicEmbeddingBag bag = sumBag(1).growth(1 << 13).storage(Storage.OFF_HEAP).build()) {
      bag.train();
      bag.remap(column(1));
      float[] first = bag.lookup(column(1)).output().data();
      java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        java.util.List<java.util.concurrent.Future<Integer>> reads = new java.util.ArrayList<>();
        for (int t = 0; t < 2; t++) {
          reads.add(
              readers.submit(
                  () -> {
                    int n = 0;
                    while (!done.get()) {
                      assertArrayEquals(new float[D], bag.lookup(column(-5)).output().data(), "unknown id");
                      assertArrayEquals(first, bag.lookup(column(1)).output().data(), "known id");
                      n++;
                    }
                    return n;
                  }));
        }
        for (long id = 2; id <= 1 << 13; id++) {
          bag.remap(column(id));
        }
        done.set(true);
        for (var f : reads) {
          assertTrue(f.get() > 0);
        }
      } finally {
        done.set(true);
        readers.shutdownNow();
      }
      assertEquals(1 << 13, bag.capacity());
    }
  }

  @Test
  void evictionActsOnlyAtTheMaximum() {
    try (DynamicEmbeddingBag lru = sumBag(1).growth(5).eviction(Eviction.leastRecentlyUsed()).build();
        DynamicEmbeddingBag none = sumBag(1).growth(5).build()) {
      lru.train();
      none.train();
      for (long id = 1; id <= 5; id++) {
        lru.remap(column(id));
        none.remap(column(id));
        assertEquals(0, lru.evictions());
      }
      assertEquals(5, lru.capacity(), "1, 2, 4, then capped at 5");
      lru.remap(column(6));
      assertEquals(1, lru.evictions());
      assertEquals(5, lru.capacity());
      assertTrue(lru.rowOf(1).isEmpty(), "the least recently used id went");
      IllegalStateException full = assertThrows(IllegalStateException.class, () -> none.remap(column(6)));
      assertTrue(full.getMessage().contains("all 5 rows"), full.getMessage());
    }
  }

  /** Two forward passes a step, the second of which may grow the table after the first recorded its rows. */
  static void twoLookupStep(DynamicEmbeddingBag bag, Optimizer opt, long[] a, long[] b) {
    Variable x = bag.forward(column(a));
    Variable y = bag.forward(column(b));
    Ops.add(Ops.sum(Ops.mul(x, x)), Ops.sum(y)).backward();
    opt.step();
    opt.zeroGrad();
  }

  /** {@code steps} steps of random ids from a pool larger than the table at first. */
  static void train(DynamicEmbeddingBag bag, Optimizer opt, int steps, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    long[] pool = new SplittableRandom(seed + 1).longs(40).toArray();
    for (int s = 0; s < steps; s++) {
      long[] a = new long[3];
      long[] b = new long[3];
      for (int j = 0; j < 3; j++) {
        a[j] = pool[rng.nextInt(1 + Math.min(pool.length - 1, 2 * s))];
        b[j] = pool[rng.nextInt(1 + Math.min(pool.length - 1, 3 * s))];
      }
      twoLookupStep(bag, opt, a, b);
    }
  }

  /** Every value of the table, its id map and the optimizer's state and scalars, as raw bits by name. */
  static Map<String, int[]> bits(DynamicEmbeddingBag bag, Optimizer opt) {
    Map<String, int[]> out = new TreeMap<>(DynamicEmbeddingBagTest.bits(bag, opt));
    opt.exportState().scalars().forEach((name, v) -> out.put("scalar " + name, new int[] {(int) (double) v}));
    return out;
  }

  static int[] bits(RowStore store) {
    return DynamicEmbeddingBagTest.bits(store);
  }

  /**
   * A run on a table that grows from 2 rows gives bit for bit the rows, id map and optimizer state of the same run on
   * a table built at the final capacity: sparse Adagrad and dense Adam, with and without reaching the maximum (and
   * evicting there).
   */
  @Property(tries = 12)
  void aGrowingRunEqualsTheRunAtTheFinalCapacity(
      @ForAll @IntRange(min = 1, max = 40) int steps, @ForAll boolean adam, @ForAll boolean capped) {
    long max = capped ? 12 : 64;
    Function<DynamicEmbeddingBag, Optimizer> optimizer =
        b -> adam ? new Adam(b.parameters(), Adam.Config.of(0.05)) : new Adagrad(b.parameters(), Adagrad.Config.of(0.1));
    try (DynamicEmbeddingBag grown = sumBag(2).growth(max).sparse(!adam).eviction(Eviction.leastRecentlyUsed()).build()) {
      Optimizer opt = optimizer.apply(grown);
      train(grown, opt, steps, steps);
      try (DynamicEmbeddingBag fixed =
          sumBag(grown.capacity()).sparse(!adam).eviction(Eviction.leastRecentlyUsed()).build()) {
        Optimizer fixedOpt = optimizer.apply(fixed);
        train(fixed, fixedOpt, steps, steps);
        assertEquals(fixed.evictions(), grown.evictions());
        assertSameBits(bits(fixed, fixedOpt), bits(grown, opt), steps + " steps");
      }
    }
  }

  /** Backward passes before a growth in the same step (gradient accumulation): the gradient moves to the grown table. */
  @Test
  void aGradientAccumulatedBeforeAGrowthIsKept() {
    for (boolean sparse : new boolean[] {true, false}) {
      Map<String, int[]> expected = null;
      for (long capacity : new long[] {8, 2}) {
        try (DynamicEmbeddingBag bag = sumBag(capacity).growth(8).sparse(sparse).build()) {
          Optimizer opt =
              sparse ? new Adagrad(bag.parameters(), Adagrad.Config.of(0.1)) : new Adam(bag.parameters(), Adam.Config.of(0.1));
          for (long[] batch : new long[][] {{1, 2}, {3, 4, 5}, {1, 6}}) {
            Variable x = bag.forward(column(batch));
            Ops.sum(Ops.mul(x, x)).backward(); // accumulates: the step comes after the last batch
          }
          opt.step();
          assertEquals(8, bag.capacity());
          Map<String, int[]> got = bits(bag, opt);
          if (expected == null) {
            expected = got;
          } else {
            assertSameBits(expected, got, sparse ? "sparse" : "dense");
          }
        }
      }
    }
  }

  @Test
  void aCheckpointOfAGrownTableRestoresIntoOneBuiltWithTheSameBuilder() throws Exception {
    try (DynamicEmbeddingBag bag = sumBag(2).growth(64).sparse(true).build();
        DynamicEmbeddingBag copy = sumBag(2).growth(64).sparse(true).build();
        DynamicEmbeddingBag viaStateDict = sumBag(2).growth(64).sparse(true).build()) {
      Adagrad opt = new Adagrad(bag.parameters(), Adagrad.Config.of(0.1));
      train(bag, opt, 6, 7);
      assertTrue(bag.capacity() > 2, "grew to " + bag.capacity());
      Path file = dir.resolve("grown.ckpt");
      Checkpoint.save(file, bag.parameters(), opt.stateView(), Map.of());
      Adagrad copyOpt = new Adagrad(copy.parameters(), Adagrad.Config.of(0.1));
      Checkpoint.load(file, copy.parameters(), copyOpt);
      assertEquals(bag.capacity(), copy.capacity());
      assertSameBits(bits(bag, opt), bits(copy, copyOpt), "restored");
      viaStateDict.loadStateDict(bag.stateDict());
      assertArrayEquals(bits(bag.table().weight()), bits(viaStateDict.table().weight()));
      // both go on alike (growing again)
      long before = bag.capacity();
      train(bag, opt, 20, 8);
      train(copy, copyOpt, 20, 8);
      assertTrue(bag.capacity() > before, before + " -> " + bag.capacity());
      assertSameBits(bits(bag, opt), bits(copy, copyOpt), "resumed");
    }
  }

  @Test
  void deltaCheckpointsAcrossAGrowthRestoreExactly() throws Exception {
    try (DynamicEmbeddingBag bag = sumBag(2).growth(64).sparse(true).build();
        DynamicEmbeddingBag copy = sumBag(2).growth(64).sparse(true).build()) {
      Adagrad opt = new Adagrad(bag.parameters(), Adagrad.Config.of(0.1));
      Path base = dir.resolve(DeltaCheckpointer.BASE_FILE);
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, bag, opt)) {
        step(bag, opt, 1, 2);
        ckpt.checkpoint(); // the base, at 2 rows
        long baseBytes = java.nio.file.Files.size(base);
        step(bag, opt, 3); // grows to 4
        ckpt.checkpoint(); // a new base: a growth forces one
        assertTrue(java.nio.file.Files.size(base) > baseBytes, "a new, larger base");
        step(bag, opt, 1, 4);
        ckpt.checkpoint(); // a delta at 4 rows
      }
      Adagrad copyOpt = new Adagrad(copy.parameters(), Adagrad.Config.of(0.1));
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, copy, copyOpt)) {
        assertEquals(OptionalLong.of(3), ckpt.restore());
      }
      assertEquals(4, copy.capacity());
      assertSameBits(bits(bag, opt), bits(copy, copyOpt), "restored");
    }
  }

  @Test
  void badGrowthIsRefusedWithItsValue() {
    IllegalArgumentException below = assertThrows(IllegalArgumentException.class, () -> sumBag(8).growth(4).build());
    assertTrue(below.getMessage().contains("8..") && below.getMessage().contains("got 4"), below.getMessage());
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> sumBag(8).growth(0).build());
    assertTrue(zero.getMessage().contains("got 0"), zero.getMessage());
    IllegalArgumentException above =
        assertThrows(IllegalArgumentException.class, () -> sumBag(8).growth(IdRowMap.MAX_CAPACITY + 1).build());
    assertTrue(above.getMessage().contains("got " + (IdRowMap.MAX_CAPACITY + 1)), above.getMessage());
    Path file = dir.resolve("rows.bin");
    IllegalArgumentException mapped =
        assertThrows(
            IllegalArgumentException.class, () -> sumBag(8).growth(16).storage(Storage.mapped(file)).build());
    assertTrue(mapped.getMessage().contains(file.toString()), mapped.getMessage());
    try (DynamicEmbeddingBag same = sumBag(8).growth(8).build()) {
      assertEquals(8, same.maxCapacity(), "growth to the capacity itself: no growth");
    }
  }

  @Test
  void aCheckpointBeyondTheMaximumIsRefusedAndChangesNothing() throws Exception {
    try (DynamicEmbeddingBag bag = sumBag(2).growth(16).sparse(true).build();
        DynamicEmbeddingBag small = sumBag(2).growth(4).sparse(true).build();
        DynamicEmbeddingBag fixed = sumBag(2).sparse(true).build()) {
      Adagrad opt = new Adagrad(bag.parameters(), Adagrad.Config.of(0.1));
      step(bag, opt, 1, 2, 3, 4, 5);
      assertEquals(8, bag.capacity());
      Path file = dir.resolve("eight.ckpt");
      Checkpoint.save(file, bag.parameters(), opt.stateView(), Map.of());
      for (DynamicEmbeddingBag target : new DynamicEmbeddingBag[] {small, fixed}) {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, target.parameters()));
        assertTrue(e.getMessage().contains("9 x 4 in the checkpoint but 3 x 4"), e.getMessage());
        assertEquals(2, target.capacity());
      }
    }
  }

  @Test
  void aRefusedOptimizerStateLeavesTheTableAsItWas() throws Exception {
    try (DynamicEmbeddingBag bag = sumBag(2).growth(16).sparse(true).build();
        DynamicEmbeddingBag target = sumBag(2).growth(16).sparse(true).build()) {
      Adagrad opt = new Adagrad(bag.parameters(), Adagrad.Config.of(0.1));
      step(bag, opt, 1, 2, 3, 4, 5);
      assertEquals(8, bag.capacity());
      Path file = dir.resolve("adagrad.ckpt");
      Checkpoint.save(file, bag.parameters(), opt.stateView(), Map.of());
      int[] before = bits(target.table().weight());
      Sgd sgd = new Sgd(target.parameters(), Sgd.Config.of(0.1));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, target.parameters(), sgd));
      assertTrue(e.getMessage().contains("Adagrad"), e.getMessage());
      assertEquals(2, target.capacity(), "a refused load grows nothing");
      assertArrayEquals(before, bits(target.table().weight()));
    }
  }
}
