package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.checkpoint.Checkpoint;
import dev.emb4j.checkpoint.DeltaCheckpointer;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowInit;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import dev.emb4j.internal.store.IdRowMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Raw-id tables: admission, padding reads, eviction resets, saving the id map, concurrent lookups. */
class DynamicEmbeddingBagTest {
  static final int D = 4;
  static final long SEED = 11;

  @TempDir Path dir;

  static DynamicEmbeddingBag.Builder sumBag(long capacity) {
    return DynamicEmbeddingBag.builder(capacity, D).mode(BagMode.SUM).initializer(Initializer.normal(0, 0.1, SEED));
  }

  static IndexTensor column(long... ids) {
    return IndexTensor.of(Shape.of(ids.length, 1), ids);
  }

  static float[] initialRow(long id) {
    float[] row = new float[D];
    RowInit.normal(0, 0.1, SEED).fill(id, row, 0, D);
    return row;
  }

  static float[] row(DynamicEmbeddingBag bag, long id) {
    float[] out = new float[D];
    bag.table().weight().readRow(bag.rowOf(id).orElseThrow(), out, 0);
    return out;
  }

  /** One training step: the loss is the sum of the pooled rows times {@code weight}. */
  static void step(DynamicEmbeddingBag bag, Optimizer opt, long... ids) {
    Variable pooled = bag.forward(column(ids));
    Ops.sum(pooled).backward();
    opt.step();
    opt.zeroGrad();
  }

  @Test
  void trainingAdmitsIdsAndTheirRowsStartFromTheIdsInitialValues() {
    try (DynamicEmbeddingBag bag = sumBag(10).build()) {
      long big = 0x7FFF_FFFF_FFFF_FFF1L;
      FloatTensor out = bag.forward(column(big, -3, big)).value();
      assertEquals(2, bag.size());
      assertArrayEquals(initialRow(big), row(bag, big));
      assertArrayEquals(initialRow(-3), row(bag, -3));
      assertArrayEquals(initialRow(big), java.util.Arrays.copyOfRange(out.data(), 2 * D, 3 * D));
      assertEquals(OptionalLong.empty(), bag.rowOf(5));
    }
  }

  @Test
  void unknownIdsReadAsPaddingAndEvaluationAdmitsNothing() {
    try (DynamicEmbeddingBag bag = sumBag(10).build()) {
      bag.forward(column(1));
      bag.eval();
      FloatTensor pooled = bag.forward(IndexTensor.of(Shape.of(1, 2), new long[] {1, 99})).value();
      assertArrayEquals(initialRow(1), pooled.data());
      assertEquals(1, bag.size());
      assertArrayEquals(new float[D], bag.lookup(column(99)).output().data());
      assertEquals(1, bag.size());
    }
  }

  @Test
  void rowsIntoArraysMapAsRowsOfTensors() {
    try (DynamicEmbeddingBag bag = sumBag(10_000).build()) {
      long[] known = new java.util.SplittableRandom(3).longs(5000).toArray();
      bag.forward(column(known));
      long[] ids = new long[known.length + 2];
      System.arraycopy(known, 0, ids, 0, known.length);
      ids[known.length] = 42; // never seen
      ids[known.length + 1] = known[7];
      long[] expected = bag.rowsOf(IndexTensor.of(ids)).toLongArray();
      assertEquals(bag.paddingRow(), expected[known.length]);
      long[] rows = new long[ids.length + 1];
      rows[ids.length] = -5;
      bag.rowsOf(ids, rows, ids.length);
      assertArrayEquals(expected, java.util.Arrays.copyOf(rows, ids.length));
      assertEquals(-5, rows[ids.length], "past n: untouched");
      long[] inPlace = ids.clone();
      bag.rowsOf(inPlace, inPlace, 3);
      assertArrayEquals(java.util.Arrays.copyOf(expected, 3), java.util.Arrays.copyOf(inPlace, 3));
      assertEquals(ids[3], inPlace[3]);
      assertThrows(IndexOutOfBoundsException.class, () -> bag.rowsOf(ids, new long[2], 3));
    }
  }

  @Test
  void minCountLeavesAnIdOutUntilItsNthSighting() {
    try (DynamicEmbeddingBag bag = sumBag(10).minCount(3).build()) {
      assertArrayEquals(new float[2 * D], bag.forward(column(7, 7)).value().data());
      assertFalse(bag.rowOf(7).isPresent());
      FloatTensor third = bag.forward(column(7)).value();
      assertArrayEquals(initialRow(7), third.data());
    }
  }

  @Test
  void notAdmittedIdsTakeNoGradient() {
    try (DynamicEmbeddingBag bag = sumBag(10).minCount(2).sparse(true).build()) {
      Adagrad opt = new Adagrad(bag.parameters(), Adagrad.Config.of(0.5));
      step(bag, opt, 5, 6, 5);
      assertEquals(1, bag.size());
      float[] padding = new float[D];
      bag.table().weight().readRow(bag.paddingRow(), padding, 0);
      assertArrayEquals(new float[D], padding);
    }
  }

  @Test
  void anEvictedRowTrainsItsNewIdAsAFreshTableWould() {
    // id 1 trains in row 0 for a few steps, then id 2 takes that row; id 2 must see fresh values and fresh state
    try (DynamicEmbeddingBag bag = sumBag(1).eviction(Eviction.leastRecentlyUsed()).sparse(true).build();
        DynamicEmbeddingBag fresh = sumBag(1).sparse(true).build()) {
      Adagrad opt = new Adagrad(bag.parameters(), Adagrad.Config.of(0.5));
      for (int i = 0; i < 3; i++) {
        step(bag, opt, 1);
      }
      step(bag, opt, 2);
      step(bag, opt, 2);
      Adagrad freshOpt = new Adagrad(fresh.parameters(), Adagrad.Config.of(0.5));
      step(fresh, freshOpt, 2);
      step(fresh, freshOpt, 2);
      assertEquals(1, bag.evictions());
      assertFalse(bag.rowOf(1).isPresent());
      assertArrayEquals(row(fresh, 2), row(bag, 2));
      RowStore sum = opt.stateView().slots().get("table.weight/sum");
      RowStore freshSum = freshOpt.stateView().slots().get("table.weight/sum");
      float[] a = new float[D];
      float[] b = new float[D];
      sum.readRow(0, a, 0);
      freshSum.readRow(0, b, 0);
      assertArrayEquals(b, a);
    }
  }

  /** A batch maps its ids as the map does one id at a time, evictions within the batch included. */
  @Property(tries = 200)
  void batchesMapAsOneIdAtATime(
      @ForAll @Size(min = 1, max = 12) List<@Size(min = 1, max = 20) List<@IntRange(min = 0, max = 15) Integer>> batches,
      @ForAll @IntRange(min = 1, max = 8) int capacity) {
    IdRowMap model = new IdRowMap(capacity, 1, IdRowMap.Policy.LEAST_RECENTLY_USED, 0);
    try (DynamicEmbeddingBag bag = sumBag(capacity).eviction(Eviction.leastRecentlyUsed()).build()) {
      long step = 0;
      for (List<Integer> batch : batches) {
        step++;
        long[] ids = batch.stream().mapToLong(k -> (long) k << 48).toArray();
        long[] rows = bag.remap(IndexTensor.of(ids)).toLongArray();
        for (int i = 0; i < ids.length; i++) {
          assertEquals(model.admit(ids[i], step), rows[i], "id " + ids[i] + " of batch " + step);
        }
      }
    }
  }

  @Test
  void aFullTableWithoutEvictionSaysSo() {
    try (DynamicEmbeddingBag bag = sumBag(2).build()) {
      bag.forward(column(10, 11));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> bag.forward(column(12)));
      assertEquals(
          "the table is full: all 2 rows hold ids, so id 12 cannot be admitted (eviction is off; raise the capacity"
              + " or choose an eviction policy)",
          e.getMessage());
    }
  }

  @Test
  void optionsAreCheckedWithTheirValues() {
    assertEquals(
        "capacity must be in 1..402653184 rows, got 0",
        assertThrows(IllegalArgumentException.class, () -> DynamicEmbeddingBag.builder(0, 3).build()).getMessage());
    assertEquals(
        "minCount must be in 1..127 sightings, got 0",
        assertThrows(IllegalArgumentException.class, () -> sumBag(3).minCount(0).build()).getMessage());
    assertEquals(
        "an eviction age must be >= 0 steps, got -1",
        assertThrows(IllegalArgumentException.class, () -> Eviction.olderThan(-1)).getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> sumBag(3).initializer(Initializer.fromFunction((r, c) -> 0f)).build());
    try (DynamicEmbeddingBag bag = sumBag(3).minCount(2).eviction(Eviction.olderThan(5)).dtype(DType.BF16).build()) {
      assertEquals(
          "DynamicEmbeddingBag(3, 4, mode=SUM, minCount=2, eviction=olderThan(5), dtype=bf16)", bag.toString());
      assertEquals(List.of("ids", "admission", "table.weight"), List.copyOf(bag.namedParameters().keySet()));
    }
  }

  @Test
  void checkpointsCarryTheIdMap() throws Exception {
    long[] ids = {Long.MIN_VALUE, -1, 0, 1L << 40, Long.MAX_VALUE};
    try (DynamicEmbeddingBag bag = sumBag(4).eviction(Eviction.leastRecentlyUsed()).sparse(true).build();
        DynamicEmbeddingBag copy = sumBag(4).eviction(Eviction.leastRecentlyUsed()).sparse(true).build()) {
      Adagrad opt = new Adagrad(bag.parameters(), Adagrad.Config.of(0.1));
      for (long id : ids) {
        step(bag, opt, id, ids[0]);
      }
      Path file = dir.resolve("dyn.ckpt");
      Checkpoint.save(file, bag.parameters(), opt.stateView(), Map.of());
      Adagrad copyOpt = new Adagrad(copy.parameters(), Adagrad.Config.of(0.1));
      Checkpoint.load(file, copy.parameters(), copyOpt);
      assertSame(bag, copy, ids);
      // both evict the same least recently used id next
      step(bag, opt, 99);
      step(copy, copyOpt, 99);
      assertSame(bag, copy, new long[] {ids[0], ids[1], ids[2], ids[3], ids[4], 99});
    }
  }

  @Test
  void deltaCheckpointsCarryEvictionsAndResets() throws Exception {
    try (DynamicEmbeddingBag bag = sumBag(3).eviction(Eviction.leastRecentlyUsed()).sparse(true).build();
        DynamicEmbeddingBag copy = sumBag(3).eviction(Eviction.leastRecentlyUsed()).sparse(true).build()) {
      Adagrad opt = new Adagrad(bag.parameters(), Adagrad.Config.of(0.1));
      step(bag, opt, 1, 2, 3);
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, bag, opt)) {
        ckpt.checkpoint(); // the base
        step(bag, opt, 4, 5); // evicts 1 and 2
        step(bag, opt, 3);
        ckpt.checkpoint(); // a delta
      }
      Adagrad copyOpt = new Adagrad(copy.parameters(), Adagrad.Config.of(0.1));
      try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, copy, copyOpt)) {
        assertEquals(OptionalLong.of(2), ckpt.restore());
      }
      assertSame(bag, copy, new long[] {1, 2, 3, 4, 5});
      assertEquals(
          opt.stateView().slots().get("table.weight/sum").toTensor(),
          copyOpt.stateView().slots().get("table.weight/sum").toTensor());
    }
  }

  /** The raw ids of {@link #resumeStep}: 60 random 64-bit ids, a few common and most rare. */
  private static final long[] POOL = new java.util.SplittableRandom(5).longs(60).toArray();

  /** The id seen once in the last step before the checkpoint and once in the first after it. */
  private static final long PENDING = 0x5EED_0000_0000_0001L;

  /** Step {@code i} of a resumed run: 12 ids drawn from (i) alone, skewed towards the start of {@link #POOL}. */
  private static void resumeStep(DynamicEmbeddingBag bag, Optimizer opt, long i, long k) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(1000 + i);
    long[] ids = new long[12];
    for (int j = 0; j < ids.length; j++) {
      double u = rng.nextDouble();
      ids[j] = POOL[(int) (POOL.length * u * u)];
    }
    if (i == k || i == k + 1) {
      ids[0] = PENDING;
    }
    Variable pooled = bag.forward(IndexTensor.of(ids), IndexTensor.of(new long[] {0, 5}));
    Ops.sum(Ops.mul(pooled, pooled)).backward();
    opt.step();
    opt.zeroGrad();
  }

  private static DynamicEmbeddingBag resumable(Eviction eviction) {
    return sumBag(16).minCount(2).eviction(eviction).sparse(true).build();
  }

  /** Every value of the table, its id map, admission counts and the optimizer's state, as raw bits by name. */
  static Map<String, int[]> bits(DynamicEmbeddingBag bag, Optimizer opt) {
    Map<String, int[]> out = new java.util.TreeMap<>();
    bag.namedParameters().forEach((name, p) -> out.put(name, bits(p.value())));
    opt.exportState().slots().forEach((name, store) -> out.put("state " + name, bits(store)));
    out.put("evictions", new int[] {(int) bag.evictions()});
    return out;
  }

  static int[] bits(RowStore store) {
    int[] out = new int[Math.toIntExact(store.rows() * store.dim())];
    float[] row = new float[store.dim()];
    for (long r = 0; r < store.rows(); r++) {
      store.readRow(r, row, 0);
      for (int j = 0; j < row.length; j++) {
        out[(int) r * row.length + j] = Float.floatToRawIntBits(row[j]);
      }
    }
    return out;
  }

  static void assertSameBits(Map<String, int[]> expected, Map<String, int[]> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what);
    expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), what + ": " + k));
  }

  /**
   * Trains k steps, checkpoints (a {@code Checkpoint} file, or a delta checkpointer's base and deltas), restores into
   * a fresh table and trains m more: bit for bit what the uninterrupted run holds after k + m steps, with admission
   * (an id seen once before the checkpoint is admitted at its second sighting after it) and eviction (both policies,
   * rows used in the same step evicted in the order they were used) at work.
   */
  @Property(tries = 24)
  void aRestoredRunGoesOnExactlyAsTheUninterruptedOne(
      @ForAll @IntRange(min = 1, max = 12) int k,
      @ForAll @IntRange(min = 1, max = 12) int m,
      @ForAll boolean delta,
      @ForAll boolean lru)
      throws Exception {
    Eviction eviction = lru ? Eviction.leastRecentlyUsed() : Eviction.olderThan(1);
    Path here = java.nio.file.Files.createTempDirectory("dyn-resume");
    try (DynamicEmbeddingBag run = resumable(eviction);
        DynamicEmbeddingBag resumed = resumable(eviction)) {
      Adagrad opt = new Adagrad(run.parameters(), Adagrad.Config.of(0.1));
      Adagrad resumedOpt = new Adagrad(resumed.parameters(), Adagrad.Config.of(0.1));
      if (delta) {
        try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(here, run, opt)) {
          for (long i = 1; i <= k; i++) {
            resumeStep(run, opt, i, k);
            if (i % 3 == 1 || i == k) {
              ckpt.checkpoint(); // the base, then deltas
            }
          }
        }
        try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(here, resumed, resumedOpt)) {
          ckpt.restore();
        }
      } else {
        for (long i = 1; i <= k; i++) {
          resumeStep(run, opt, i, k);
        }
        Checkpoint.save(here.resolve("dyn.ckpt"), run.parameters(), opt.stateView(), Map.of());
        Checkpoint.load(here.resolve("dyn.ckpt"), resumed.parameters(), resumedOpt);
      }
      assertSameBits(bits(run, opt), bits(resumed, resumedOpt), "restored after " + k + " steps");
      for (long i = k + 1; i <= k + m; i++) {
        resumeStep(run, opt, i, k);
        resumeStep(resumed, resumedOpt, i, k);
        if (i == k + 1) {
          assertTrue(resumed.rowOf(PENDING).isPresent(), "the sighting before the checkpoint counted");
        }
      }
      assertSameBits(bits(run, opt), bits(resumed, resumedOpt), k + " steps, restored, " + m + " more");
    } finally {
      try (var files = java.nio.file.Files.walk(here)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** The test above admits ids late (minCount 2) and evicts: a run long enough does both. */
  @Test
  void theResumedRunAdmitsLateAndEvicts() {
    for (Eviction eviction : List.of(Eviction.leastRecentlyUsed(), Eviction.olderThan(1))) {
      try (DynamicEmbeddingBag run = resumable(eviction)) {
        Adagrad opt = new Adagrad(run.parameters(), Adagrad.Config.of(0.1));
        resumeStep(run, opt, 1, 1);
        assertFalse(run.rowOf(PENDING).isPresent());
        resumeStep(run, opt, 2, 1);
        assertTrue(run.rowOf(PENDING).isPresent());
        for (long i = 3; i <= 12; i++) {
          resumeStep(run, opt, i, 1);
        }
        assertTrue(run.evictions() > 0, eviction + ": " + run.evictions() + " evictions");
      }
    }
  }

  private static void assertSame(DynamicEmbeddingBag a, DynamicEmbeddingBag b, long[] ids) {
    for (long id : ids) {
      assertEquals(a.rowOf(id), b.rowOf(id), "row of id " + id);
      if (a.rowOf(id).isPresent()) {
        assertArrayEquals(row(a, id), row(b, id), "values of id " + id);
      }
    }
    assertEquals(a.size(), b.size());
    assertEquals(a.table().weightTensor(), b.table().weightTensor());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void lookupsFromOtherThreadsNeverSeeAnotherIdsRow() throws Exception {
    int known = 500;
    try (DynamicEmbeddingBag bag = sumBag(20_000).build()) {
      long[] knownIds = new long[known];
      for (int i = 0; i < known; i++) {
        knownIds[i] = (long) i << 36;
      }
      bag.forward(column(knownIds));
      long[] rows = new long[known];
      for (int i = 0; i < known; i++) {
        rows[i] = bag.rowOf(knownIds[i]).orElseThrow();
      }
      AtomicBoolean done = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<Integer>> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          readers.add(
              pool.submit(
                  () -> {
                    int checks = 0;
                    while (!done.get() || checks == 0) {
                      IndexTensor got = bag.rowsOf(IndexTensor.of(knownIds));
                      for (int i = 0; i < known; i++) {
                        assertEquals(rows[i], got.get(i), "id " + knownIds[i]);
                      }
                      assertEquals(OptionalLong.empty(), bag.rowOf(-1));
                      checks++;
                    }
                    return checks;
                  }));
        }
        for (int batch = 0; batch < 190; batch++) {
          long[] fresh = new long[100];
          for (int i = 0; i < fresh.length; i++) {
            fresh[i] = ((long) (batch * 100 + i) << 36) + 1;
          }
          bag.forward(column(fresh));
        }
        done.set(true);
        for (Future<Integer> r : readers) {
          assertTrue(r.get() > 0);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(known + 19_000, bag.size());
    }
  }
}
