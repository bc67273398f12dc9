package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.store.IdRowMap;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class IdLookupsTest {
  /**
   * Batches that span several groups of home-slot reads and a partial last one, on one thread and two, over a map
   * whose ids share their low bits (so many sit beyond their home slot) with absent ids mixed in: every id gets
   * exactly what {@link IdRowMap#find} says.
   */
  @Property(tries = 30)
  void everyIdGetsTheRowFindGives(
      @ForAll @IntRange(min = 1, max = 3000) int capacity,
      @ForAll @IntRange(min = 1, max = 9000) int batch,
      @ForAll @IntRange(min = 1, max = 2) int threads,
      @ForAll long seed) {
    IdRowMap map = new IdRowMap(capacity, 1, IdRowMap.Policy.NONE, 0);
    SplittableRandom random = new SplittableRandom(seed);
    long[] held = new long[capacity];
    long step = map.tick();
    for (int r = 0; r < capacity; r++) {
      held[r] = random.nextLong() << 20; // equal low bits: SplitMix64's mixing alone spreads them
      map.admit(held[r], step);
    }
    long[] ids = new long[batch];
    for (int i = 0; i < batch; i++) {
      ids[i] = random.nextInt(4) == 0 ? random.nextLong() | 1 : held[random.nextInt(capacity)];
    }
    long[] out = new long[batch];
    int before = Kernels.threads();
    Kernels.setThreads(threads);
    try {
      IdLookups.findRows(map, ids, out, batch, -7);
    } finally {
      Kernels.setThreads(before);
    }
    for (int i = 0; i < batch; i++) {
      long expected = map.find(ids[i]);
      assertEquals(expected < 0 ? -7 : expected, out[i], "id " + ids[i] + " at " + i);
    }
  }

  /**
   * Touches made together, on one thread or split over two by row, leave the map as the same touches made one after
   * another: the same last uses, recencies and touch count (repeats, consecutive repeats and a first touch of the
   * most recently used row included), and so the same evictions afterwards.
   */
  @Property(tries = 25)
  void touchesMadeTogetherOrderTheRowsAsOneAfterAnother(
      @ForAll @IntRange(min = 1, max = 20000) int capacity,
      @ForAll @IntRange(min = 1, max = 20000) int wanted,
      @ForAll @IntRange(min = 1, max = 2) int threads,
      @ForAll long seed) {
    int batch = Math.min(wanted, capacity);
    IdRowMap alone = new IdRowMap(capacity, 1, IdRowMap.Policy.LEAST_RECENTLY_USED, 0);
    IdRowMap together = new IdRowMap(capacity, 1, IdRowMap.Policy.LEAST_RECENTLY_USED, 0);
    for (IdRowMap m : new IdRowMap[] {alone, together}) {
      long step = m.tick();
      for (int r = 0; r < capacity; r++) {
        m.admit(10_000_000L + r, step);
      }
      for (int k = 0; k < 3; k++) { // compact the queue a few times first
        step = m.tick();
        for (int r = 0; r < capacity; r++) {
          m.touch((r * 7L + k) % capacity, step);
        }
      }
    }
    SplittableRandom random = new SplittableRandom(seed);
    long[] rows = new long[batch];
    for (int i = 0; i < batch; i++) {
      rows[i] = i > 0 && random.nextInt(5) == 0 ? rows[i - 1] : random.nextInt(Math.min(capacity, 50 + i));
    }
    if (random.nextBoolean()) {
      rows[0] = alone.lastQueued(); // already the most recently used
    }
    long step = alone.tick();
    assertEquals(step, together.tick());
    for (long r : rows) {
      alone.touch(r, step);
    }
    int before = Kernels.threads();
    Kernels.setThreads(threads);
    try {
      assertTrue(IdLookups.touchAll(together, rows, batch, step));
    } finally {
      Kernels.setThreads(before);
    }
    assertEquals(alone.touches(), together.touches());
    for (int r = 0; r < capacity; r++) {
      assertEquals(alone.lastUse(r), together.lastUse(r), "row " + r);
      assertEquals(alone.recency(r), together.recency(r), "row " + r);
    }
    long next = alone.tick();
    together.tick();
    for (int k = 0; k < Math.min(capacity, 500); k++) {
      assertEquals(alone.admit(-1L - k, next), together.admit(-1L - k, next), "the victim of new id " + k);
    }
  }

  @Test
  void aMapThatRecordsItsChangesOrABatchBeyondItsCapacityIsTouchedOneByOne() {
    IdRowMap map = new IdRowMap(4, 1, IdRowMap.Policy.LEAST_RECENTLY_USED, 0);
    long step = map.tick();
    for (long id = 0; id < 4; id++) {
      map.admit(id, step);
    }
    long touches = map.touches();
    assertFalse(IdLookups.touchAll(map, new long[] {0, 1, 2, 3, 0}, 5, map.tick()), "5 touches, 4 rows");
    map.trackChanges();
    assertFalse(IdLookups.touchAll(map, new long[] {3}, 1, map.tick()), "changes recorded");
    assertEquals(touches, map.touches(), "nothing changed");
    assertEquals(step, map.lastUse(3));
  }
}
