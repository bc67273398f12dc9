package dev.emb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.store.MemoryBacked;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lazy rows: deterministic in (seed, row) whatever the touch order, on every kind of store, and persistent when mapped. */
class LazyRowStoreTest {
  @TempDir Path dir;

  /** The rows as the initializer gives them, row by row, with nothing touched in between. */
  private static float[] expected(RowInit init, int rows, int dim) {
    float[] out = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      init.fill(r, out, r * dim, dim);
    }
    return out;
  }

  @Property(tries = 60)
  void anyTouchOrderGivesTheRowsOfTouchingInOrder(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 200) int rows,
      @ForAll @IntRange(min = 1, max = 19) int dim,
      @ForAll long shuffle,
      @ForAll @IntRange(min = 0, max = 2) int kind) {
    RowInit init =
        switch (kind) {
          case 0 -> RowInit.normal(0.5, 2, seed);
          case 1 -> RowInit.uniform(-1, 3, seed);
          default -> RowInit.constant(seed % 7);
        };
    Storage storage = (shuffle & 1) == 0 ? Storage.HEAP : Storage.OFF_HEAP;
    try (LazyRowStore inOrder = (LazyRowStore) storage.allocateLazy(rows, dim, init);
        LazyRowStore shuffled = (LazyRowStore) Storage.HEAP.allocateLazy(rows, dim, init)) {
      for (long r = 0; r < rows; r++) {
        inOrder.get(r, 0);
      }
      List<Long> order = new ArrayList<>();
      for (long r = 0; r < rows; r++) {
        order.add(r);
      }
      Collections.shuffle(order, new Random(shuffle));
      // touch a random half through the kernels' entry, the rest when toTensor reads them
      long[] some = order.subList(0, rows / 2).stream().mapToLong(Long::longValue).toArray();
      shuffled.ensureRows(some);
      assertEquals(some.length, shuffled.initializedRows());
      assertArrayEquals(expected(init, rows, dim), inOrder.toTensor().data());
      assertArrayEquals(expected(init, rows, dim), shuffled.toTensor().data());
    }
  }

  @Test
  void normalRowsHaveTheirDistributionAndDifferByRowAndSeed() {
    RowInit init = RowInit.normal(1, 2, 42);
    int n = 20_000;
    float[] v = new float[n];
    init.fill(7, v, 0, n);
    double mean = 0;
    for (float x : v) {
      mean += x;
    }
    mean /= n;
    double var = 0;
    for (float x : v) {
      var += (x - mean) * (x - mean);
    }
    var /= n - 1;
    assertEquals(1, mean, 0.06);
    assertEquals(4, var, 0.2);
    float[] a = new float[8];
    float[] b = new float[8];
    float[] c = new float[8];
    init.fill(1, a, 0, 8);
    init.fill(2, b, 0, 8);
    RowInit.normal(1, 2, 43).fill(1, c, 0, 8);
    assertFalse(java.util.Arrays.equals(a, b), "rows differ");
    assertFalse(java.util.Arrays.equals(a, c), "seeds differ");
    float[] u = new float[1000];
    RowInit.uniform(-0.5, 0.25, 9).fill(3, u, 0, u.length);
    for (float x : u) {
      assertTrue(x >= -0.5f && x < 0.25f, "uniform value " + x);
    }
  }

  @Test
  void aRowWrittenWholeIsNeverDrawnAndPartialWritesSeeTheDrawnRest() {
    RowInit init = RowInit.normal(0, 1, 5);
    try (LazyRowStore s = LazyRowStore.over(HeapRowStore.allocate(4, 3), init)) {
      s.writeRow(0, new float[] {1, 2, 3}, 0);
      float[] row0 = new float[3];
      s.readRow(0, row0, 0);
      assertArrayEquals(new float[] {1, 2, 3}, row0);
      s.set(1, 1, 9f);
      float[] drawn = new float[3];
      init.fill(1, drawn, 0, 3);
      assertEquals(drawn[0], s.get(1, 0));
      assertEquals(9f, s.get(1, 1));
      assertEquals(drawn[2], s.get(1, 2));
      assertFalse(s.isInitialized(3));
      assertEquals(0f, ((HeapRowStore) s.rawStore()).get(3, 0), "untouched rows are not written");
      assertInstanceOf(MemoryBacked.class, s);
    }
  }

  @Test
  void peekingAtARowGivesItsValuesWithoutInitialisingIt() {
    RowInit init = RowInit.uniform(-1, 1, 8);
    try (LazyRowStore s = LazyRowStore.over(OffHeapRowStore.allocate(5, 4), init)) {
      float[] peeked = new float[6];
      s.peekRow(2, peeked, 1);
      assertFalse(s.isInitialized(2), "a peek writes nothing");
      assertEquals(0f, s.rawStore().get(2, 0));
      float[] read = new float[6];
      s.readRow(2, read, 1);
      assertArrayEquals(read, peeked, "the values a first touch draws");
      s.set(2, 3, 7f);
      s.peekRow(2, peeked, 0);
      assertEquals(7f, peeked[3], "an initialised row as it is");
    }
  }

  @Test
  void rowsInitialisedFromManyThreadsAtOnceAreInitialisedOnce() throws Exception {
    RowInit init = RowInit.uniform(0, 1, 11);
    int rows = 4096;
    try (LazyRowStore s = (LazyRowStore) Storage.OFF_HEAP.allocateLazy(rows, 8, init)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          long shift = t;
          done.add(
              pool.submit(
                  () -> {
                    long[] ids = new long[rows];
                    for (int i = 0; i < rows; i++) {
                      ids[i] = (i * 7L + shift * 512) % rows;
                    }
                    s.ensureRows(ids);
                    s.addToRow(ids[0], 0f, new float[8], 0);
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(rows, s.initializedRows());
      assertArrayEquals(expected(init, rows, 8), s.toTensor().data());
    }
  }

  @Test
  void aLazyMappedTablePersistsItsRowsAndItsBitmap() throws IOException {
    Path file = dir.resolve("lazy.emb4j");
    RowInit init = RowInit.normal(0, 0.1, -3);
    float[] five = new float[6];
    try (LazyRowStore s = (LazyRowStore) Storage.mapped(file).allocateLazy(1_000_000, 6, init)) {
      s.readRow(5, five, 0);
      s.writeRow(999_999, new float[] {1, 2, 3, 4, 5, 6}, 0);
      assertEquals(2, s.initializedRows());
    }
    assertTrue(Files.exists(dir.resolve("lazy.emb4j.initialized")));
    try (LazyRowStore s = (LazyRowStore) Storage.mapped(file).open(1_000_000, 6)) {
      assertEquals(init, s.init(), "the initializer is read back from the header");
      assertEquals(2, s.initializedRows());
      float[] got = new float[6];
      s.readRow(5, got, 0);
      assertArrayEquals(five, got);
      s.readRow(999_999, got, 0);
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, got);
      float[] fresh = new float[6];
      init.fill(123_456, fresh, 0, 6);
      s.readRow(123_456, got, 0);
      assertArrayEquals(fresh, got, "a row touched in the second run gets the same values as in the first");
    }
  }

  @Test
  void aLazyMappedTableWithoutItsBitmapIsRefused() throws IOException {
    Path file = dir.resolve("nobits.emb4j");
    Storage.mapped(file).allocateLazy(10, 2, RowInit.constant(1)).close();
    Files.delete(dir.resolve("nobits.emb4j.initialized"));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Storage.mapped(file).open(10, 2));
    assertTrue(e.getMessage().contains("bitmap of initialised rows") && e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void invalidParametersAreRejectedWithTheirValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RowInit.normal(0, -1, 0));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RowInit.uniform(2, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> RowInit.constant(Double.NaN));
    assertNotEquals(RowInit.normal(0, 1, 1), RowInit.normal(0, 1, 2));
  }
}
