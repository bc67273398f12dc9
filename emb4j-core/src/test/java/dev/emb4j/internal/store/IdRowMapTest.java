package dev.emb4j.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The id map: no collisions below capacity, and the same answers as a {@link HashMap}-based model. */
class IdRowMapTest {

  @Test
  void millionAdversarialIdsWithEqualLowBitsGetDistinctRows() {
    int n = 1_000_000;
    IdRowMap map = new IdRowMap(n, 1, IdRowMap.Policy.NONE, 0);
    BitSet rows = new BitSet(n);
    for (int i = 0; i < n; i++) {
      long id = (long) i << 32; // the low 32 bits of every id are equal
      long row = map.admit(id, 1);
      assertTrue(row >= 0 && row < n, "id " + id + " got row " + row);
      assertTrue(!rows.get((int) row), "row " + row + " given twice");
      rows.set((int) row);
    }
    assertEquals(n, rows.cardinality());
    assertEquals(n, map.size());
    for (int i = 0; i < n; i++) {
      long id = (long) i << 32;
      assertEquals(i, map.find(id), "id " + id);
    }
    assertEquals(IdRowMap.NO_ROW, map.find(7));
    IllegalStateException full = assertThrows(IllegalStateException.class, () -> map.admit(-5, 2));
    assertEquals(
        "the table is full: all 1000000 rows hold ids, so id -5 cannot be admitted (eviction is off; raise the"
            + " capacity or choose an eviction policy)",
        full.getMessage());
  }

  @Test
  void slotArrayIsAPowerOfTwoAtMostThreeQuartersFull() {
    for (long capacity : new long[] {1, 2, 3, 4, 5, 767, 768, 769, 1_000_000, IdRowMap.MAX_CAPACITY}) {
      long slots = IdRowMap.slotsFor(capacity);
      assertEquals(1, Long.bitCount(slots), "slots " + slots);
      assertTrue(capacity * 4 <= slots * 3, capacity + " rows in " + slots + " slots");
    }
  }

  @Test
  void validationNamesTheValues() {
    assertEquals(
        "capacity must be in 1..402653184 rows, got 0",
        assertThrows(IllegalArgumentException.class, () -> new IdRowMap(0, 1, IdRowMap.Policy.NONE, 0))
            .getMessage());
    assertEquals(
        "minCount must be in 1..127, got 128",
        assertThrows(IllegalArgumentException.class, () -> new IdRowMap(5, 128, IdRowMap.Policy.NONE, 0))
            .getMessage());
  }

  @Test
  void minCountAdmitsAtTheNthSighting() {
    IdRowMap map = new IdRowMap(100, 3, IdRowMap.Policy.NONE, 0);
    assertEquals(IdRowMap.NO_ROW, map.admit(42, 1));
    assertEquals(IdRowMap.NO_ROW, map.admit(42, 2));
    assertEquals(0, map.admit(42, 3));
    assertEquals(0, map.admit(42, 4));
    assertEquals(IdRowMap.NO_ROW, map.admit(43, 4));
  }

  @Test
  void olderThanEvictsOnlyRowsUnusedForLongEnough() {
    IdRowMap map = new IdRowMap(2, 1, IdRowMap.Policy.OLDER_THAN, 3);
    assertEquals(0, map.admit(10, 1));
    assertEquals(1, map.admit(11, 2));
    assertEquals(IdRowMap.NO_ROW, map.admit(12, 4)); // row 0 is 3 steps old: not more than 3
    assertEquals(0, map.admit(12, 5)); // 4 steps: evicted
    assertEquals(IdRowMap.NO_ROW, map.find(10));
    assertEquals(1, map.evictions());
  }

  @Test
  void rebuildRestoresSlotsRecencyAndFreeRows() {
    IdRowMap map = new IdRowMap(4, 1, IdRowMap.Policy.LEAST_RECENTLY_USED, 0);
    map.setRecord(0, -1, -1, 0);
    map.setRecord(1, 77, 5, 9);
    map.setRecord(2, 78, 5, 8); // used in the same step as 77, before it
    map.setRecord(3, 0, -1, 0);
    map.rebuild();
    assertEquals(1, map.find(77));
    assertEquals(2, map.find(78));
    assertEquals(2, map.size());
    assertEquals(9, map.touches());
    assertEquals(0, map.admit(79, 6)); // the lowest free row first
    assertEquals(3, map.admit(80, 7));
    assertEquals(2, map.admit(81, 8)); // full: 78 was least recently used
    map.setRecord(0, 77, 1, 1);
    assertThrows(IllegalStateException.class, map::rebuild);
    map.setRecord(0, 76, 1, 10);
    map.setRecord(3, 75, 1, 10);
    assertEquals(
        "rows 0 and 3 have the same recency 10; an id map orders its rows by distinct recencies",
        assertThrows(IllegalStateException.class, map::rebuild).getMessage());
  }

  /**
   * Touches of found rows (the trainer's path) and admissions, many times the capacity, so that the recency queue
   * compacts often; a map rebuilt from the records halfway through goes on evicting exactly as the model does.
   */
  @Property(tries = 100)
  void touchesKeepTheLeastRecentlyUsedOrderAcrossCompactionsAndRebuilds(
      @ForAll @Size(min = 1, max = 400) List<@IntRange(min = 0, max = 15) Integer> keys,
      @ForAll @IntRange(min = 1, max = 6) int capacity) {
    IdRowMap map = new IdRowMap(capacity, 1, IdRowMap.Policy.LEAST_RECENTLY_USED, 0);
    LinkedHashMap<Long, Long> model = new LinkedHashMap<>(16, 0.75f, true);
    long step = 0;
    for (int k = 0; k < keys.size(); k++) {
      long id = 1000L + keys.get(k);
      step += k % 3 == 0 ? 1 : 0; // several ids per step, as in a batch
      long found = map.find(id);
      if (found >= 0) {
        assertEquals(model.get(id), found, "id " + id);
        map.touch(found, step);
      } else {
        long row = map.admit(id, step);
        if (model.size() == capacity) {
          long eldest = model.keySet().iterator().next();
          assertEquals(model.remove(eldest), row, "the least recently used id " + eldest + " gives its row");
        }
        model.put(id, row);
      }
      if (k == keys.size() / 2) {
        IdRowMap copy = new IdRowMap(capacity, 1, IdRowMap.Policy.LEAST_RECENTLY_USED, 0);
        for (int r = 0; r < capacity; r++) {
          copy.setRecord(r, map.idOf(r), map.lastUse(r), map.recency(r));
        }
        copy.setCounters(map.clock(), map.evictions(), map.touches());
        copy.rebuild();
        map = copy;
      }
    }
    assertEquals(model.size(), map.size());
    for (Map.Entry<Long, Long> e : model.entrySet()) {
      assertEquals((long) e.getValue(), map.find(e.getKey()));
    }
  }

  /** One call of the model run: admit {@code id} at the next step. */
  @Property(tries = 300)
  void behavesLikeAHashMapModel(
      @ForAll @Size(min = 1, max = 300) List<@LongRange(min = -20, max = 20) Long> idKeys,
      @ForAll @IntRange(min = 1, max = 12) int capacity,
      @ForAll @IntRange(min = 0, max = 2) int policyIndex,
      @ForAll @IntRange(min = 0, max = 6) int maxAge,
      @ForAll long salt) {
    IdRowMap.Policy policy = IdRowMap.Policy.values()[policyIndex];
    IdRowMap map = new IdRowMap(capacity, 1, policy, maxAge);
    LinkedHashMap<Long, Integer> model = new LinkedHashMap<>(16, 0.75f, true);
    Map<Long, Long> modelUse = new HashMap<>();
    int nextFresh = 0;
    long step = 0;
    List<Long> ids = new ArrayList<>();
    for (long k : idKeys) {
      ids.add(k * 0x1_0000_0000L ^ salt); // ids that differ only in their high bits
    }
    for (long id : ids) {
      step++;
      Integer expected = model.get(id);
      if (expected == null) {
        if (nextFresh < capacity) {
          expected = nextFresh++;
        } else {
          long eldest = model.keySet().iterator().next();
          boolean evict =
              switch (policy) {
                case NONE -> false;
                case LEAST_RECENTLY_USED -> true;
                case OLDER_THAN -> step - modelUse.get(eldest) > maxAge;
              };
          if (policy == IdRowMap.Policy.NONE) {
            long s = step;
            assertThrows(IllegalStateException.class, () -> map.admit(id, s));
            continue;
          }
          if (!evict) {
            assertEquals(IdRowMap.NO_ROW, map.admit(id, step));
            continue;
          }
          expected = model.remove(eldest);
          modelUse.remove(eldest);
        }
        model.put(id, expected);
      }
      modelUse.put(id, step);
      assertEquals((long) expected, map.admit(id, step), "id " + id + " at step " + step);
      assertEquals(model.size(), map.size());
    }
    BitSet rows = new BitSet();
    for (Map.Entry<Long, Integer> e : model.entrySet()) {
      assertEquals((long) e.getValue(), map.find(e.getKey()));
      assertEquals(e.getKey(), map.idOf(e.getValue()));
      assertTrue(!rows.get(e.getValue()));
      rows.set(e.getValue());
    }
    for (long id : ids) {
      if (!model.containsKey(id)) {
        assertEquals(IdRowMap.NO_ROW, map.find(id));
      }
    }
  }

  @Property(tries = 200)
  void minCountNeverAdmitsLate(
      @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 0, max = 30) Integer> idKeys,
      @ForAll @IntRange(min = 1, max = 5) int minCount) {
    IdRowMap map = new IdRowMap(64, minCount, IdRowMap.Policy.NONE, 0);
    Map<Long, Integer> seen = new HashMap<>();
    long step = 0;
    for (int k : idKeys) {
      long id = (long) k << 40;
      int count = seen.merge(id, 1, Integer::sum);
      long row = map.admit(id, ++step);
      if (count >= minCount) {
        assertTrue(row >= 0, "id " + id + " seen " + count + " times has no row");
      }
    }
  }

  /**
   * A map that grows from 1 row to at most {@code max} behaves, row for row, as one created with the capacity it ends
   * at: the same rows, records, counters and least recently used order (growing keeps the queue, rehashes the slots),
   * and it evicts only once at {@code max}.
   */
  @Property(tries = 100)
  void aGrowingMapEqualsOneCreatedAtItsFinalCapacity(
      @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 40) Integer> keys,
      @ForAll @IntRange(min = 1, max = 48) int max) {
    IdRowMap grown = new IdRowMap(1, max, 1, IdRowMap.Policy.LEAST_RECENTLY_USED, 0);
    List<Long> ids = new ArrayList<>();
    for (int k : keys) {
      ids.add(7L << 40 | k);
    }
    long step = 0;
    for (int k = 0; k < ids.size(); k++) {
      step += k % 3 == 0 ? 1 : 0;
      long before = grown.capacity();
      grown.admit(ids.get(k), step);
      assertTrue(grown.capacity() == before || grown.evictions() == 0, "grew after an eviction");
      assertTrue(grown.capacity() <= max);
    }
    IdRowMap fixed = new IdRowMap(grown.capacity(), 1, IdRowMap.Policy.LEAST_RECENTLY_USED, 0);
    step = 0;
    for (int k = 0; k < ids.size(); k++) {
      step += k % 3 == 0 ? 1 : 0;
      fixed.admit(ids.get(k), step);
    }
    assertEquals(fixed.evictions(), grown.evictions());
    assertEquals(fixed.touches(), grown.touches());
    assertEquals(fixed.size(), grown.size());
    for (int r = 0; r < fixed.capacity(); r++) {
      assertEquals(fixed.isUsed(r), grown.isUsed(r), "row " + r);
      if (fixed.isUsed(r)) {
        assertEquals(fixed.idOf(r), grown.idOf(r), "row " + r);
        assertEquals(fixed.recency(r), grown.recency(r), "row " + r);
        assertEquals(fixed.lastUse(r), grown.lastUse(r), "row " + r);
        assertEquals(r, grown.find(fixed.idOf(r)));
      }
    }
    // both evict alike from here on
    for (long id = 1; id <= 5; id++) {
      if (fixed.size() == fixed.capacity() && grown.capacity() == max) {
        assertEquals(fixed.admit(-id, step + id), grown.admit(-id, step + id), "new id " + -id);
      }
    }
  }

  @Test
  void changesAreRecordedOnlyOnceTracked() {
    IdRowMap map = new IdRowMap(4, 2, IdRowMap.Policy.LEAST_RECENTLY_USED, 0);
    long step = map.tick();
    map.admit(7, step);
    map.admit(7, step); // the second sighting: a row, and a changed sketch block
    map.touch(0, step);
    assertEquals(0, map.takeChanged().length, "nothing recorded before trackChanges");
    assertEquals(0, map.takeSketchChanged().length);
    map.trackChanges();
    step = map.tick();
    map.touch(0, step);
    map.admit(8, step);
    map.admit(8, step);
    assertEquals(List.of(4L, 0L, 1L), java.util.Arrays.stream(map.takeChanged()).boxed().toList());
    assertTrue(map.takeSketchChanged().length > 0, "the sketch blocks of id 8's counts");
    assertEquals(List.of(0L, 1L), java.util.Arrays.stream(map.takeReplaced()).boxed().toList(), "always recorded");
  }

  @Test
  void growToChecksItsArgumentAndMovesTheCountersRow() {
    IdRowMap map = new IdRowMap(4, 16, 1, IdRowMap.Policy.NONE, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.growTo(4));
    assertTrue(e.getMessage().contains("not 4"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> map.growTo(IdRowMap.MAX_CAPACITY + 1));
    IllegalArgumentException max =
        assertThrows(IllegalArgumentException.class, () -> new IdRowMap(4, 3, 1, IdRowMap.Policy.NONE, 0));
    assertTrue(max.getMessage().contains("got 3"), max.getMessage());
    map.trackChanges();
    map.tick(); // the counters' row: 4
    map.growTo(8);
    assertEquals(8, map.capacity());
    assertEquals(List.of(8L), java.util.Arrays.stream(map.takeChanged()).boxed().toList());
    for (long id = 0; id < 8; id++) {
      assertEquals(id, map.admit(100 + id, 1), "rows are given out in order");
    }
    assertEquals(8, map.admit(200, 1), "a full map grows to its maximum");
    assertEquals(16, map.capacity());
  }
}
