package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.HeapRowStore;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.RowStore;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The facade: which implementation the provider picked, thread counts that do not change results, and the id sort.
 * Runs in both test executions (with and without the Vector API module).
 */
class KernelsTest {

  @Test
  void providerPicksTheVectorApiExactlyWhenTheModuleIsPresent() {
    boolean module = ModuleLayer.boot().findModule(KernelProvider.VECTOR_MODULE).isPresent();
    String forced = System.getProperty(KernelProvider.PROPERTY, "auto");
    String expected =
        forced.equals("scalar") || !module || PanamaKernels.preferredBits() < 128
            ? "ScalarKernels"
            : "PanamaKernels";
    assertEquals(expected, Kernels.implementationName(), "module present: " + module + ", forced: " + forced);
  }

  @Test
  void forwardResultsDoNotDependOnTheNumberOfThreads() {
    int before = Kernels.threads();
    try (RowStore w = HeapRowStore.allocate(1000, 128)) {
      SplittableRandom rnd = new SplittableRandom(1);
      float[] row = new float[128];
      for (long r = 0; r < w.rows(); r++) {
        for (int j = 0; j < row.length; j++) {
          row[j] = (float) rnd.nextGaussian();
        }
        w.writeRow(r, row, 0);
      }
      long[] ids = new long[20_000];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = rnd.nextLong(1000);
      }
      int[] starts = new int[ids.length / 10 + 1];
      for (int b = 0; b < starts.length; b++) {
        starts[b] = b * 10;
      }
      float[][] gathered = new float[2][ids.length * 128];
      float[][] pooled = new float[2][(starts.length - 1) * 128];
      int[] sizes = new int[starts.length - 1];
      for (int t = 0; t < 2; t++) {
        Kernels.setThreads(t == 0 ? 1 : 3);
        Kernels.gatherRows(w, ids, gathered[t]);
        Kernels.poolMean(w, ids, starts, 5, pooled[t], sizes);
      }
      assertArrayEquals(gathered[0], gathered[1]);
      assertArrayEquals(pooled[0], pooled[1]);
    } finally {
      Kernels.setThreads(before);
    }
  }

  @Test
  void bagSumsOverwriteWhateverTheOutputHeld() {
    try (RowStore w = HeapRowStore.allocate(50, 131)) {
      SplittableRandom rnd = new SplittableRandom(4);
      float[] row = new float[131];
      for (long r = 0; r < 50; r++) {
        for (int j = 0; j < row.length; j++) {
          row[j] = (float) rnd.nextGaussian();
        }
        w.writeRow(r, row, 0);
      }
      long[] ids = {3, 7, 7, 1, 49, 0, 3};
      int[] bagStarts = {0, 2, 2, 5, 7}; // the second bag is empty
      for (float[] psw : new float[][] {null, {0.5f, 2, -1, 3, 0.25f, 1, -2}}) {
        float[] fresh = new float[4 * 131];
        float[] dirty = new float[4 * 131];
        java.util.Arrays.fill(dirty, Float.NaN);
        int[] sizes = new int[4];
        Kernels.poolSum(w, ids, bagStarts, psw, 1, fresh, sizes);
        Kernels.poolSum(w, ids, bagStarts, psw, 1, dirty, sizes);
        assertArrayEquals(fresh, dirty);
        assertArrayEquals(new int[] {2, 0, 2, 2}, sizes);
      }
    }
  }

  @Test
  void threadCountIsChecked() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.setThreads(0));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
  }

  @Test
  void chunkBoundariesAreAlignedAndCoverTheRange() {
    for (int n : new int[] {0, 1, 15, 16, 17, 1000, 65536}) {
      for (int chunks = 1; chunks <= 5; chunks++) {
        assertEquals(0, Parallel.boundary(n, 0, chunks));
        assertEquals(n, Parallel.boundary(n, chunks, chunks));
        for (int c = 1; c < chunks; c++) {
          int b = Parallel.boundary(n, c, chunks);
          assertEquals(0, b % Parallel.ALIGN, "n " + n + ", chunk " + c + " of " + chunks);
          assertTrue(b >= Parallel.boundary(n, c - 1, chunks) && b <= n);
        }
      }
    }
  }

  @Test
  void radixOrderEqualsAStableComparisonSort() {
    SplittableRandom rnd = new SplittableRandom(2);
    for (int n : new int[] {0, 1, 5, 255, 256, 4097, 70_000}) {
      for (long v : new long[] {1, 3, 1000, 40_000, 65_536, 1 << 20, 10_000_000, Integer.MAX_VALUE, 1L << 40}) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
          ids[i] = rnd.nextLong(v);
        }
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
          boxed[i] = i;
        }
        java.util.Arrays.sort(boxed, (a, b) -> Long.compare(ids[a], ids[b]));
        int[] expected = new int[n];
        for (int i = 0; i < n; i++) {
          expected[i] = boxed[i];
        }
        assertArrayEquals(expected, IdSort.stableOrder(ids), "n " + n + ", V " + v);
        // the groups read off the counts or sorted keys equal those of a pass over the ids in sorted order
        IdSort.Groups groups = IdSort.group(ids);
        IdSort.Groups scanned = IdSort.groupsOf(ids, expected);
        String what = "groups of n " + n + ", V " + v;
        assertArrayEquals(expected, groups.order(), what);
        assertEquals(scanned.count(), groups.count(), what);
        assertArrayEquals(
            java.util.Arrays.copyOf(scanned.rows(), scanned.count()),
            java.util.Arrays.copyOf(groups.rows(), groups.count()),
            what);
        assertArrayEquals(
            java.util.Arrays.copyOf(scanned.start(), scanned.count() + 1),
            java.util.Arrays.copyOf(groups.start(), groups.count() + 1),
            what);
      }
    }
  }

  @Test
  void negativeIdsAreRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IdSort.stableOrder(new long[] {3, -2}));
    assertTrue(e.getMessage().contains("-2"), e.getMessage());
  }

  @Test
  void copyRowsWithoutScalesIsACopyAndWithScalesScales() {
    float[] src = {1, 2, 3, 4, 5, 6};
    assertArrayEquals(src, Kernels.copyRows(src, 2, new int[] {0, 1, 2}, null, null, 3));
    assertArrayEquals(
        new float[] {15, 18, 2, 4},
        Kernels.copyRows(src, 2, new int[] {0, 2, 0}, new float[] {2, 3, 2}, new int[] {1, 2}, 2));
  }

  @Test
  void fusedSparseStepEqualsRowByRowReferenceWithFewAndManyDuplicates() {
    int before = Kernels.threads();
    try {
      for (int threads : new int[] {1, 2}) {
        Kernels.setThreads(threads);
        // many duplicates per row / nearly none (most rows updated straight from their one entry, in several blocks
        // of rows); a gradient source that stays in cache / one of more than 4 MiB, whose rows are summed in one pass
        // in input order when they repeat
        for (long v : new long[] {50, 150_000}) {
          for (boolean bigSource : new boolean[] {false, true}) {
            checkFusedStep(v, bigSource, "V " + v + ", threads " + threads + (bigSource ? ", big source" : ""));
          }
        }
      }
    } finally {
      Kernels.setThreads(before);
    }
  }

  /**
   * Fused SGD, Adagrad and SparseAdam steps over 3000 entries of ids below v against the scalar row-by-row reference,
   * bit for bit.
   */
  private static void checkFusedStep(long v, boolean bigSource, String what) {
    int d = 19;
    int n = 3000;
    SplittableRandom rnd = new SplittableRandom(v);
    long[] ids = new long[n];
    float[] values = new float[bigSource ? (1 << 20) + n * d : n * d];
    for (int i = 0; i < n; i++) {
      ids[i] = rnd.nextLong(v);
    }
    for (int i = 0; i < n * d; i++) {
      values[i] = (float) rnd.nextGaussian();
    }
    int[] order = IdSort.stableOrder(ids);
    long[] rows = new long[n];
    int[] start = new int[n + 1];
    int count = 0;
    for (int k = 0; k < n; k++) {
      if (count == 0 || rows[count - 1] != ids[order[k]]) {
        rows[count] = ids[order[k]];
        start[count++] = k;
      }
    }
    start[count] = n;
    // entries read in place (source row = entry) and through source rows with scales (a bag's backward)
    int[] srcRows = new int[n];
    float[] scales = new float[n];
    for (int i = 0; i < n; i++) {
      srcRows[i] = rnd.nextInt(n);
      scales[i] = (float) rnd.nextGaussian();
    }
    for (boolean mapped : new boolean[] {false, true}) {
      int[] sr = mapped ? srcRows : null;
      float[] sc = mapped ? scales : null;
      RowRule[] rules = {
        new RowRule.Sgd(-0.1f, 0f),
        new RowRule.Adagrad(-0.1f, 0f, 1e-10f),
        new RowRule.SparseAdam(0.1f, 0.001f, 1e-8f, -0.01f)
      };
      for (RowRule rule : rules) {
        HeapRowStore w1 = HeapRowStore.allocate(v, d);
        HeapRowStore w2 = HeapRowStore.allocate(v, d);
        HeapRowStore[] s1 = stateOf(rule, v, d);
        HeapRowStore[] s2 = stateOf(rule, v, d);
        GradientEntries entries = new GradientEntries(values, sr, sc);
        Kernels.updateSparseRows(new SparseStep(rule, mem(w1), mems(s1), rows, start, order, entries, count));
        ScalarKernels reference = new ScalarKernels();
        StepScratch scratch = StepScratch.of(d, mems(s2), new float[0], 0);
        float[] g = new float[d];
        for (int u = 0; u < count; u++) {
          reference.sumRows(entries, d, order, start[u], start[u + 1], g, 0);
          reference.updateRow(rule, mem(w2), mems(s2), rows[u], g, 0, null, 0, scratch);
        }
        String where = what + ", " + rule + (mapped ? ", mapped" : "");
        assertArrayEquals(w2.toTensor().data(), w1.toTensor().data(), where);
        for (int k = 0; k < s1.length; k++) {
          assertArrayEquals(s2[k].toTensor().data(), s1[k].toTensor().data(), where + ", slot " + k);
        }
      }
    }
  }

  /** Zeroed heap state slots of a {@code v x d} parameter for {@code rule}. */
  private static HeapRowStore[] stateOf(RowRule rule, long v, int d) {
    HeapRowStore[] s = new HeapRowStore[rule instanceof RowRule.SparseAdam ? 2 : rule instanceof RowRule.Sgd ? 0 : 1];
    for (int k = 0; k < s.length; k++) {
      s[k] = HeapRowStore.allocate(v, d);
    }
    return s;
  }

  private static RowMemory[] mems(RowStore[] s) {
    RowMemory[] m = new RowMemory[s.length];
    for (int k = 0; k < s.length; k++) {
      m[k] = mem(s[k]);
    }
    return m;
  }

  private static RowMemory mem(RowStore s) {
    return StoreMemory.of(s).orElseThrow();
  }
}
