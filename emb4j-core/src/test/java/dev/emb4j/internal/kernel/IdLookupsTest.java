package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emb4j.internal.store.IdRowMap;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

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
}
