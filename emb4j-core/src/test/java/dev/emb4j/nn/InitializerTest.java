package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.Emb4j;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.OffHeapRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The {@link Initializer} factories: determinism, statistics on a 2000 x 64 table, bounds and argument checks. */
class InitializerTest {

  static final int V = 2000;
  static final int D = 64;

  static FloatTensor fill(Initializer init) {
    HeapRowStore s = HeapRowStore.allocate(V, D);
    init.initialize(s);
    return s.toTensor();
  }

  /** mean, standard deviation, min, max. */
  static double[] stats(FloatTensor t) {
    double sum = 0;
    double sq = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float x : t.data()) {
      assertTrue(Float.isFinite(x), "non-finite initial value " + x);
      sum += x;
      sq += (double) x * x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    int n = t.numel();
    double mean = sum / n;
    double var = sq / n - mean * mean;
    return new double[] {mean, Math.sqrt(var), min, max};
  }

  /** Every seeded random factory, by name. */
  static Map<String, LongFunction<Initializer>> randomFactories() {
    Map<String, LongFunction<Initializer>> m = new LinkedHashMap<>();
    m.put("normal", Initializer::normal);
    m.put("normal(3, 0.5)", seed -> Initializer.normal(3, 0.5, seed));
    m.put("uniform(-2, 5)", seed -> Initializer.uniform(-2, 5, seed));
    m.put("kerasUniform", Initializer::kerasUniform);
    m.put("xavierUniform(1)", seed -> Initializer.xavierUniform(1, seed));
    m.put("xavierNormal(2)", seed -> Initializer.xavierNormal(2, seed));
    m.put("kaimingUniform", Initializer::kaimingUniform);
    m.put("kaimingNormal", Initializer::kaimingNormal);
    return m;
  }

  @Test
  void sameSeedGivesTheSameTableAndAnotherSeedAnotherTable() {
    randomFactories()
        .forEach(
            (name, f) -> {
              FloatTensor a = fill(f.apply(42));
              assertEquals(a, fill(f.apply(42)), name + ": same seed");
              assertEquals(a, fill(f.apply(42)), name + ": the initializer must not keep state between tables");
              Initializer reused = f.apply(7);
              assertEquals(fill(reused), fill(reused), name + ": one initializer applied twice");
              FloatTensor b = fill(f.apply(43));
              assertNotEquals(a, b, name + ": different seeds");
              int same = 0;
              for (int i = 0; i < a.numel(); i++) {
                same += a.get(i) == b.get(i) ? 1 : 0;
              }
              assertTrue(same < a.numel() / 100, name + ": " + same + " equal values for different seeds");
            });
  }

  @Test
  void heapAndOffHeapStoresGetTheSameValues() {
    randomFactories()
        .forEach(
            (name, f) -> {
              try (OffHeapRowStore off = OffHeapRowStore.allocate(300, 17)) {
                HeapRowStore heap = HeapRowStore.allocate(300, 17);
                f.apply(9).initialize(off);
                f.apply(9).initialize(heap);
                assertEquals(heap.toTensor(), off.toTensor(), name);
              }
            });
  }

  static void assertStats(String name, FloatTensor t, double mean, double std, double lo, double hi) {
    double[] s = stats(t);
    double meanTol = Math.max(5 * std / Math.sqrt(t.numel()), 1e-6);
    assertEquals(mean, s[0], meanTol, name + ": mean");
    assertEquals(std, s[1], 0.02 * std + 1e-9, name + ": std");
    assertTrue(s[2] >= lo, name + ": min " + s[2] + " below " + lo);
    assertTrue(s[3] <= hi, name + ": max " + s[3] + " above " + hi);
  }

  static void assertUniformStats(String name, FloatTensor t, double lo, double hi) {
    // bounds widened by one float ulp: a draw just inside a bound may round onto the float just outside it
    assertStats(
        name, t, (lo + hi) / 2, (hi - lo) / Math.sqrt(12), Math.nextDown((float) lo), Math.nextUp((float) hi));
    double[] s = stats(t);
    // 128,000 draws come within 0.1% of both ends
    assertTrue(s[2] < lo + 0.001 * (hi - lo), name + ": min " + s[2] + " not near " + lo);
    assertTrue(s[3] > hi - 0.001 * (hi - lo), name + ": max " + s[3] + " not near " + hi);
  }

  @Test
  void normalHasMeanZeroAndStdOne() {
    assertStats("normal", fill(Initializer.normal(1)), 0, 1, -7, 7);
    assertStats("normal(3, 0.5)", fill(Initializer.normal(3, 0.5, 1)), 3, 0.5, 3 - 3.5, 3 + 3.5);
    assertStats("normal(0, 0)", fill(Initializer.normal(-1, 0, 1)), -1, 0, -1, -1);
  }

  @Test
  void uniformStaysInItsBounds() {
    assertUniformStats("uniform(-2, 5)", fill(Initializer.uniform(-2, 5, 3)), -2, 5);
    assertUniformStats("uniform(0.25, 0.5)", fill(Initializer.uniform(0.25, 0.5, 3)), 0.25, 0.5);
    FloatTensor point = fill(Initializer.uniform(1.5, 1.5, 3));
    for (float x : point.data()) {
      assertEquals(1.5f, x);
    }
  }

  @Test
  void kerasUniformIsUniformOnPlusMinusFiveHundredths() {
    assertUniformStats("kerasUniform", fill(Initializer.kerasUniform(4)), -0.05, 0.05);
  }

  @Test
  void xavierUsesFanInPlusFanOut() {
    double a = Math.sqrt(6.0 / (V + D));
    assertUniformStats("xavierUniform(1)", fill(Initializer.xavierUniform(1, 5)), -a, a);
    assertUniformStats("xavierUniform(3)", fill(Initializer.xavierUniform(3, 5)), -3 * a, 3 * a);
    double std = 2 * Math.sqrt(2.0 / (V + D));
    assertStats("xavierNormal(2)", fill(Initializer.xavierNormal(2, 5)), 0, std, -7 * std, 7 * std);
  }

  @Test
  void kaimingUsesFanInWhichIsTheEmbeddingDim() {
    double bound = Math.sqrt(6.0 / D); // gain sqrt(2) * sqrt(3 / fanIn)
    assertUniformStats("kaimingUniform", fill(Initializer.kaimingUniform(6)), -bound, bound);
    double std = Math.sqrt(2.0 / D);
    assertStats("kaimingNormal", fill(Initializer.kaimingNormal(6)), 0, std, -7 * std, 7 * std);
  }

  @Test
  void constantAndFromFunction() {
    FloatTensor c = fill(Initializer.constant(-0.75));
    for (float x : c.data()) {
      assertEquals(-0.75f, x);
    }
    FloatTensor f = fill(Initializer.fromFunction((row, col) -> row * 0.5f - col));
    for (int r = 0; r < V; r += 37) {
      for (int j = 0; j < D; j++) {
        assertEquals(r * 0.5f - j, f.at(r, j), "(" + r + ", " + j + ")");
      }
    }
    // the function sees long row numbers
    try (OffHeapRowStore s = OffHeapRowStore.allocate(3, 2)) {
      Initializer.fromFunction((row, col) -> (float) (row * 10 + col)).initialize(s);
      assertEquals(21f, s.get(2, 1));
    }
  }

  @Test
  void badArgumentsAreRejectedWithTheValue() {
    Map<String, Executable> bad = new LinkedHashMap<>();
    bad.put("NaN", () -> Initializer.normal(Double.NaN, 1, 0));
    bad.put("Infinity", () -> Initializer.normal(Double.POSITIVE_INFINITY, 1, 0));
    bad.put("-1.0", () -> Initializer.normal(0, -1, 0));
    bad.put("NaN", () -> Initializer.normal(0, Double.NaN, 0));
    bad.put("lo=3.0", () -> Initializer.uniform(3, 2, 0));
    bad.put("-Infinity", () -> Initializer.uniform(Double.NEGATIVE_INFINITY, 0, 0));
    bad.put("NaN", () -> Initializer.uniform(0, Double.NaN, 0));
    bad.put("-0.5", () -> Initializer.xavierUniform(-0.5, 0));
    bad.put("-2.0", () -> Initializer.xavierNormal(-2, 0));
    bad.put("NaN", () -> Initializer.constant(Double.NaN));
    bad.put("Infinity", () -> Initializer.constant(Double.POSITIVE_INFINITY));
    bad.forEach(
        (text, call) -> {
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, text);
          assertTrue(e.getMessage().contains(text), e.getMessage() + " should name " + text);
        });
    // map keys collapse duplicates: check the remaining NaN cases explicitly
    assertThrows(IllegalArgumentException.class, () -> Initializer.normal(Double.NaN, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> Initializer.normal(0, Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> Initializer.uniform(Double.NaN, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> Initializer.uniform(0, Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> Initializer.normal(0, Double.POSITIVE_INFINITY, 0));
  }

  @Test
  void theBuilderZeroesThePaddingRowAfterInitialisation() {
    for (Storage storage : java.util.List.of(Storage.HEAP, Storage.OFF_HEAP)) {
      for (long p : new long[] {0, 4, 9, -1, -10}) {
        long row = p < 0 ? 10 + p : p;
        try (Embedding e =
                Embedding.builder(10, 6).paddingIdx(p).initializer(Initializer.constant(2.5)).storage(storage).build();
            EmbeddingBag b =
                EmbeddingBag.builder(10, 6).paddingIdx(p).initializer(Initializer.normal(3)).storage(storage).build()) {
          assertEquals(row, e.paddingIdx().orElseThrow());
          checkPadded(e.weight(), row, 2.5f);
          checkPadded(b.weight(), row, Float.NaN);
        }
      }
    }
  }

  private static void checkPadded(RowStore w, long pad, float other) {
    for (long r = 0; r < w.rows(); r++) {
      for (int j = 0; j < w.dim(); j++) {
        if (r == pad) {
          assertEquals(0f, w.get(r, j), "padding row " + r);
        } else if (!Float.isNaN(other)) {
          assertEquals(other, w.get(r, j), "row " + r);
        } else {
          assertNotEquals(0f, w.get(r, j), "row " + r + " should hold a random value");
        }
      }
    }
  }

  @Test
  void theDefaultInitializerIsNormalFromTheGlobalGenerator() {
    Emb4j.manualSeed(5);
    long drawn = Emb4j.nextSeed();
    Emb4j.manualSeed(5);
    try (Embedding a = Embedding.builder(50, 8).build();
        Embedding b = Embedding.builder(50, 8).initializer(Initializer.normal(drawn)).build();
        Embedding c = Embedding.builder(50, 8).build()) {
      assertEquals(b.weightTensor(), a.weightTensor(), "N(0, 1) from the next global seed");
      assertNotEquals(a.weightTensor(), c.weightTensor(), "two default tables differ");
    }
  }

  @Test
  void pretrainedAndWrappedTablesDoNotTakeAnInitializer() {
    assertThrows(
        IllegalStateException.class,
        () -> Embedding.fromPretrained(new float[][] {{1f}}).initializer(Initializer.normal(0)));
    assertThrows(
        IllegalStateException.class,
        () -> EmbeddingBag.wrap(HeapRowStore.allocate(2, 2)).initializer(Initializer.normal(0)));
  }
}
