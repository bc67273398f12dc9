package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Lookups from many threads at once: same results as one thread, and max-norm renormalisation stays consistent. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentLookupTest {

  static final int THREADS = 8;
  static final int LOOKUPS = 2_000;
  static final int V = 500;
  static final int D = 24;

  /** One lookup: ids, bag offsets, and what a single thread got for them. */
  record Call(IndexTensor ids, IndexTensor offsets, FloatTensor lookup, FloatTensor pooled) {}

  static long[] randomIds(SplittableRandom rng, int n) {
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = rng.nextLong(V);
    }
    return ids;
  }

  static IndexTensor randomOffsets(SplittableRandom rng, int n) {
    int bags = rng.nextInt(1, 5);
    long[] off = new long[bags];
    for (int b = 1; b < bags; b++) {
      off[b] = rng.nextInt(n + 1);
    }
    java.util.Arrays.sort(off);
    return IndexTensor.of(off);
  }

  /** Runs {@code work(thread)} on {@link #THREADS} threads released together, and rethrows any failure. */
  static <T> List<T> runTogether(java.util.function.IntFunction<Callable<T>> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        Callable<T> c = work.apply(t);
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return c.call();
                }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(50, TimeUnit.SECONDS)); // an ExecutionException carries any assertion failure
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  static java.util.List<Storage> memoryStorages() {
    return java.util.List.of(Storage.HEAP, Storage.OFF_HEAP);
  }

  @ParameterizedTest
  @MethodSource("memoryStorages")
  void frozenTableFromEightThreadsGivesTheSingleThreadedResults(Storage storage) throws Exception {
    SplittableRandom init = new SplittableRandom(5);
    float[][] w = EmbeddingPropertiesTest.randomWeights(init, V, D);
    try (Embedding emb = Embedding.fromPretrained(w).storage(storage).build();
        EmbeddingBag bag = EmbeddingBag.fromPretrained(w).storage(storage).mode(BagMode.MEAN).build()) {
      // references, computed on this thread before any concurrency
      List<List<Call>> plans = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom rng = new SplittableRandom(100 + t);
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < LOOKUPS; i++) {
          int n = rng.nextInt(0, 20);
          IndexTensor ids = IndexTensor.of(randomIds(rng, n));
          IndexTensor offsets = randomOffsets(rng, n);
          calls.add(new Call(ids, offsets, emb.lookup(ids), bag.lookup(ids, offsets).output()));
        }
        plans.add(calls);
      }
      FloatTensor weightsBefore = emb.weightTensor();

      List<Integer> checked =
          runTogether(
              t ->
                  () -> {
                    int ok = 0;
                    for (Call c : plans.get(t)) {
                      assertEquals(c.lookup(), emb.lookup(c.ids()), "thread " + t + " lookup " + c.ids());
                      assertEquals(c.pooled(), bag.lookup(c.ids(), c.offsets()).output(), "thread " + t + " bag");
                      ok++;
                    }
                    return ok;
                  });
      for (int n : checked) {
        assertEquals(LOOKUPS, n);
      }
      assertEquals(weightsBefore, emb.weightTensor(), "lookups must not change a table without maxNorm");
    }
  }

  @ParameterizedTest
  @MethodSource("memoryStorages")
  void maxNormTableFromManyThreadsKeepsEveryLookedUpRowWithinTheNorm(Storage storage) throws Exception {
    SplittableRandom init = new SplittableRandom(6);
    float[][] w = EmbeddingPropertiesTest.randomScaledWeights(init, V, D, 1);
    for (float[] row : w) {
      for (int j = 0; j < D; j++) {
        row[j] *= 20; // norms up to about 20 * sqrt(D) * 3
      }
    }
    double maxNorm = 1.0;
    double tol = maxNorm * (1 + 1e-6);
    try (Embedding emb = Embedding.fromPretrained(w).storage(storage).maxNorm(maxNorm).build();
        EmbeddingBag bag = EmbeddingBag.fromPretrained(w).storage(storage).mode(BagMode.MEAN).maxNorm(maxNorm).build()) {
      List<boolean[][]> touchedPerThread =
          runTogether(
              t ->
                  () -> {
                    SplittableRandom rng = new SplittableRandom(200 + t);
                    boolean[][] touched = new boolean[2][V];
                    for (int i = 0; i < LOOKUPS / 4; i++) {
                      int n = rng.nextInt(1, 16);
                      long[] ids = randomIds(rng, n);
                      FloatTensor out = emb.lookup(IndexTensor.of(ids));
                      for (int p = 0; p < n; p++) {
                        touched[0][(int) ids[p]] = true;
                        double norm = EmbeddingPropertiesTest.norm(out.row(p), 2);
                        assertTrue(norm <= tol, "thread " + t + ": output row of id " + ids[p] + " has norm " + norm);
                      }
                      long[] bagIds = randomIds(rng, n);
                      for (long k : bagIds) {
                        touched[1][(int) k] = true;
                      }
                      IndexTensor offsets = randomOffsets(rng, n);
                      FloatTensor pooled = bag.lookup(IndexTensor.of(bagIds), offsets).output();
                      for (int b = 0; b < offsets.numel(); b++) {
                        double norm = EmbeddingPropertiesTest.norm(pooled.row(b), 2);
                        assertTrue(norm <= tol * (1 + 1e-5), "thread " + t + ": bag " + b + " has norm " + norm);
                      }
                    }
                    return touched;
                  });
      checkRenormed(w, emb.weightTensor(), touchedPerThread, 0, tol);
      checkRenormed(w, bag.weightTensor(), touchedPerThread, 1, tol);
    }
  }

  private static void checkRenormed(float[][] w, FloatTensor after, List<boolean[][]> touchedPerThread, int table, double tol) {
    int touchedRows = 0;
    for (int k = 0; k < V; k++) {
      boolean touched = false;
      for (boolean[][] tt : touchedPerThread) {
        touched |= tt[table][k];
      }
      double norm = EmbeddingPropertiesTest.norm(after.row(k), 2);
      double before = EmbeddingPropertiesTest.norm(w[k], 2);
      if (touched) {
        touchedRows++;
        assertTrue(norm <= tol, "table " + table + ": looked-up row " + k + " ended with norm " + norm);
        // a renorm only scales: the direction is kept (a row scaled twice by racing threads would still pass this,
        // but a row mixing elements of two scalings would not)
        for (int j = 0; j < D; j++) {
          assertEquals(before == 0 ? 0 : w[k][j] * (norm / before), after.at(k, j), 1e-4, "table " + table + " row " + k + " col " + j);
        }
      } else {
        org.junit.jupiter.api.Assertions.assertArrayEquals(
            w[k], after.row(k), "table " + table + ": row " + k + " was never looked up and must be unchanged");
      }
    }
    assertTrue(touchedRows > V / 2, "the test should touch most rows, touched " + touchedRows);
  }
}
