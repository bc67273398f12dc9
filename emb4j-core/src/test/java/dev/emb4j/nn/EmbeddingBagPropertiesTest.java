package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.OffHeapRowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Properties of {@link EmbeddingBag}: every pooled bag equals the reduction of the {@link Embedding} lookups of its
 * ids, for random offsets (empty bags included), padding, per-sample weights and both offset conventions.
 */
class EmbeddingBagPropertiesTest {

  static final int TRIES = 200;

  /** A random split of n ids into B bags. {@code starts} has B + 1 entries from 0 to n (just [0] when B = 0). */
  record Bags(long[] ids, int[] starts, long[] offsets, boolean includeLastOffset) {
    int bags() {
      return starts.length - 1;
    }

    int n() {
      return ids.length;
    }

    IndexTensor input() {
      return IndexTensor.of(ids);
    }

    IndexTensor offsetTensor() {
      return IndexTensor.of(offsets);
    }
  }

  static Bags randomBags(SplittableRandom rng, int v, long pad) {
    int n = rng.nextInt(0, 17);
    int b = rng.nextInt(0, 7);
    boolean includeLast = rng.nextBoolean();
    if (b == 0) {
      n = includeLast ? 0 : n; // no bags: with CSR offsets [0] the input must be empty
    }
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = pad >= 0 && rng.nextInt(4) == 0 ? pad : rng.nextLong(v);
    }
    int[] starts;
    if (b == 0) {
      starts = new int[] {0};
    } else {
      starts = new int[b + 1];
      for (int i = 1; i < b; i++) {
        starts[i] = rng.nextInt(n + 1);
      }
      starts[b] = n;
      Arrays.sort(starts, 1, b);
    }
    long[] offsets = new long[includeLast ? starts.length : starts.length - 1];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = starts[i];
    }
    return new Bags(ids, starts, offsets, includeLast);
  }

  static float[][] weights(SplittableRandom rng, int v, int d) {
    return EmbeddingPropertiesTest.randomWeights(rng, v, d);
  }

  static EmbeddingBag.Builder builder(float[][] w, BagMode mode, long pad, boolean includeLast) {
    EmbeddingBag.Builder b = EmbeddingBag.fromPretrained(w).mode(mode).includeLastOffset(includeLast).freeze(false);
    if (pad >= 0) {
      b.paddingIdx(pad);
    }
    return b;
  }

  static BagMode randomMode(SplittableRandom rng) {
    return BagMode.values()[rng.nextInt(3)];
  }

  static FloatTensor randomGrad(SplittableRandom rng, int bags, int d) {
    return EmbeddingPropertiesTest.randomTensor(rng, Shape.of(bags, d));
  }

  /** The expected pooled output from the rows of an {@link Embedding} lookup of all ids (n x D). */
  static float[] expectedPool(Bags bags, float[] rows, int d, BagMode mode, long pad, float[] psw, long[] winners) {
    float[] out = new float[bags.bags() * d];
    for (int b = 0; b < bags.bags(); b++) {
      int count = 0;
      for (int i = bags.starts()[b]; i < bags.starts()[b + 1]; i++) {
        if (bags.ids()[i] == pad) {
          continue;
        }
        for (int j = 0; j < d; j++) {
          float x = rows[i * d + j];
          int o = b * d + j;
          switch (mode) {
            case SUM -> out[o] += (psw == null ? 1f : psw[i]) * x;
            case MEAN -> out[o] += x;
            case MAX -> {
              if (count == 0 || x > out[o]) {
                out[o] = x;
                if (winners != null) {
                  winners[o] = bags.ids()[i];
                }
              }
            }
          }
        }
        count++;
      }
      if (count == 0 && winners != null) {
        Arrays.fill(winners, b * d, (b + 1) * d, -1);
      }
      if (mode == BagMode.MEAN && count > 0) {
        for (int j = 0; j < d; j++) {
          out[b * d + j] /= count;
        }
      }
    }
    return out;
  }

  static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])), what + " at flat " + i);
    }
  }

  // ---------------------------------------------------------------- forward

  @Property(tries = TRIES)
  void eachBagIsTheReductionOfTheEmbeddingLookupsOfItsIds(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 10);
    int d = rng.nextInt(1, 8);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    float[][] w = weights(rng, v, d);
    Bags bags = randomBags(rng, v, pad);
    float[] rows;
    try (Embedding emb = Embedding.fromPretrained(w).build()) {
      rows = emb.lookup(bags.input()).data();
    }
    for (BagMode mode : BagMode.values()) {
      try (EmbeddingBag bag = builder(w, mode, pad, bags.includeLastOffset()).build()) {
        BagResult r = bag.lookup(bags.input(), bags.offsetTensor());
        String what = mode + " of " + bags + " pad " + pad;
        assertEquals(Shape.of(bags.bags(), d), r.output().shape(), what);
        FloatTensor into = FloatTensor.zeros(Shape.of(bags.bags(), d));
        Arrays.fill(into.data(), Float.NaN); // every value is overwritten, empty bags included
        BagResult intoResult = bag.lookupInto(bags.input(), bags.offsetTensor(), null, into);
        assertTrue(intoResult.output() == into, what + ": forward into out returns out");
        assertArrayEquals(r.output().data(), into.data(), 0f, what + ": forward into out");
        assertArrayEquals(r.maxIndices(), intoResult.maxIndices(), what + ": maxIndices into out");
        long[] winners = new long[bags.bags() * d];
        float[] expected = expectedPool(bags, rows, d, mode, pad, null, winners);
        if (mode == BagMode.MAX) {
          assertArrayEquals(expected, r.output().data(), 0f, what);
          assertArrayEquals(winners, r.maxIndices(), what + ": maxIndices");
        } else {
          assertClose(expected, r.output().data(), what);
          assertNull(r.maxIndices(), "maxIndices outside MAX mode");
        }
        // bookkeeping
        int[] sizes = r.bagSizes();
        int[] o2b = r.offset2bag();
        for (int b = 0; b < bags.bags(); b++) {
          int nonPad = 0;
          for (int i = bags.starts()[b]; i < bags.starts()[b + 1]; i++) {
            assertEquals(b, o2b[i], "offset2bag[" + i + "] of " + what);
            if (bags.ids()[i] != pad) {
              nonPad++;
            }
          }
          assertEquals(nonPad, sizes[b], "bagSizes[" + b + "] of " + what);
          if (nonPad == 0) {
            for (int j = 0; j < d; j++) {
              assertEquals(0f, r.output().at(b, j), "empty or all-padding bag " + b + " must be zero");
            }
          }
        }
      }
    }
  }

  @Property(tries = TRIES)
  void perSampleWeightedSumIsTheWeightedSumOfLookups(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 10);
    int d = rng.nextInt(1, 8);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    float[][] w = weights(rng, v, d);
    Bags bags = randomBags(rng, v, pad);
    float[] psw = new float[bags.n()];
    for (int i = 0; i < psw.length; i++) {
      psw[i] = (float) rng.nextDouble(-2, 2);
    }
    float[] rows;
    try (Embedding emb = Embedding.fromPretrained(w).build()) {
      rows = emb.lookup(bags.input()).data();
    }
    try (EmbeddingBag bag = builder(w, BagMode.SUM, pad, bags.includeLastOffset()).build()) {
      BagResult r = bag.lookup(bags.input(), bags.offsetTensor(), FloatTensor.vector(psw));
      assertClose(expectedPool(bags, rows, d, BagMode.SUM, pad, psw, null), r.output().data(), "weighted sum");
    }
  }

  @Property(tries = TRIES)
  void twoDimensionalInputEqualsOffsetsAtEveryRowStart(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 10);
    int d = rng.nextInt(1, 8);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    BagMode mode = randomMode(rng);
    float[][] w = weights(rng, v, d);
    int b = rng.nextInt(0, 5);
    int len = rng.nextInt(1, 5);
    long[] ids = new long[b * len];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rng.nextLong(v);
    }
    long[] offsets = new long[b];
    for (int i = 0; i < b; i++) {
      offsets[i] = (long) i * len;
    }
    try (EmbeddingBag bag2d = builder(w, mode, pad, rng.nextBoolean()).build();
        EmbeddingBag bag1d = builder(w, mode, pad, false).build()) {
      BagResult r2 = bag2d.lookup(IndexTensor.of(Shape.of(b, len), ids));
      BagResult r1 = bag1d.lookup(IndexTensor.of(ids), IndexTensor.of(offsets));
      assertEquals(r1.output(), r2.output(), mode + " (" + b + ", " + len + ")");
      assertArrayEquals(r1.bagSizes(), r2.bagSizes());
      assertArrayEquals(r1.offset2bag(), r2.offset2bag());
    }
  }

  // ---------------------------------------------------------------- backward

  @Property(tries = TRIES)
  void denseGradientOfTheSumOfOutputs(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 10);
    int d = rng.nextInt(1, 8);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    float[][] w = weights(rng, v, d);
    Bags bags = randomBags(rng, v, pad);
    for (BagMode mode : BagMode.values()) {
      try (EmbeddingBag bag = builder(w, mode, pad, bags.includeLastOffset()).build()) {
        BagResult r = bag.lookup(bags.input(), bags.offsetTensor());
        bag.backward(r, EmbeddingPropertiesTest.ones(Shape.of(bags.bags(), d)));
        double[][] expected = new double[v][d];
        long[] winners = new long[bags.bags() * d];
        if (mode == BagMode.MAX) {
          float[] rows = new float[bags.n() * d];
          for (int i = 0; i < bags.n(); i++) {
            System.arraycopy(w[(int) bags.ids()[i]], 0, rows, i * d, d);
          }
          expectedPool(bags, rows, d, BagMode.MAX, pad, null, winners);
          // one unit of gradient per column of each non-empty bag, to the row that won it
          for (int b = 0; b < bags.bags(); b++) {
            for (int j = 0; j < d; j++) {
              long k = winners[b * d + j];
              if (k >= 0) {
                expected[(int) k][j] += 1;
              }
            }
          }
        } else {
          for (int b = 0; b < bags.bags(); b++) {
            int size = 0;
            for (int i = bags.starts()[b]; i < bags.starts()[b + 1]; i++) {
              size += bags.ids()[i] == pad ? 0 : 1;
            }
            for (int i = bags.starts()[b]; i < bags.starts()[b + 1]; i++) {
              long k = bags.ids()[i];
              if (k != pad) {
                for (int j = 0; j < d; j++) {
                  expected[(int) k][j] += mode == BagMode.MEAN ? 1.0 / size : 1.0;
                }
              }
            }
          }
        }
        FloatTensor g = bag.hasGrad() ? bag.grad().toDense() : FloatTensor.zeros(Shape.of(v, d));
        for (int k = 0; k < v; k++) {
          for (int j = 0; j < d; j++) {
            assertEquals(expected[k][j], g.at(k, j), 1e-5, mode + " row " + k + " col " + j + " of " + bags);
          }
        }
        if (pad >= 0) {
          for (int j = 0; j < d; j++) {
            assertEquals(0f, g.at((int) pad, j), "padding row gradient");
          }
        }
      }
    }
  }

  /** Per-sample weights in [-2, 2). */
  private static FloatTensor randomWeights(SplittableRandom rng, int n) {
    float[] p = new float[n];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) rng.nextDouble(-2, 2);
    }
    return FloatTensor.vector(p);
  }

  /** The bags' offsets without the closing one (for a bag built without includeLastOffset). */
  private static IndexTensor offsetsWithoutLast(Bags bags) {
    return bags.includeLastOffset()
        ? IndexTensor.of(Arrays.copyOf(bags.offsets(), bags.offsets().length - 1))
        : bags.offsetTensor();
  }

  @Property(tries = TRIES)
  void coalescedSparseGradientEqualsTheDenseGradient(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 10);
    int d = rng.nextInt(1, 8);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    BagMode mode = rng.nextBoolean() ? BagMode.SUM : BagMode.MEAN;
    float[][] w = weights(rng, v, d);
    try (EmbeddingBag dense = builder(w, mode, pad, false).build();
        EmbeddingBag sparse = builder(w, mode, pad, false).sparse(true).build()) {
      for (int pass = 0; pass < 2; pass++) {
        Bags bags = randomBags(rng, v, pad);
        FloatTensor psw = mode == BagMode.SUM && rng.nextBoolean() ? randomWeights(rng, bags.n()) : null;
        IndexTensor offsets = offsetsWithoutLast(bags);
        FloatTensor go = randomGrad(rng, offsets.numel(), d);
        BagResult rd = dense.lookup(bags.input(), offsets, psw);
        BagResult rs = sparse.lookup(bags.input(), offsets, psw);
        Optional<FloatTensor> pd = dense.backward(rd, go);
        Optional<FloatTensor> ps = sparse.backward(rs, go);
        assertEquals(pd, ps, "per-sample weight gradients");
      }
      FloatTensor fromDense = dense.hasGrad() ? dense.grad().toDense() : FloatTensor.zeros(Shape.of(v, d));
      FloatTensor fromSparse =
          sparse.hasGrad() ? ((SparseGradient) sparse.grad()).coalesce().toDense() : FloatTensor.zeros(Shape.of(v, d));
      assertClose(fromDense.data(), fromSparse.data(), mode + " sparse vs dense");
      if (sparse.hasGrad()) {
        for (long k : ((SparseGradient) sparse.grad()).indices()) {
          assertTrue(k != pad, "a padding row in the sparse gradient");
        }
      }
    }
  }

  @Property(tries = TRIES)
  void sparseStepReadsTheGradientInPlaceAndEqualsTheStepFromItsCopiedEntries(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 40);
    int d = rng.nextInt(1, 40);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    BagMode mode = rng.nextBoolean() ? BagMode.SUM : BagMode.MEAN;
    float[][] w = weights(rng, v, d);
    try (EmbeddingBag bag = builder(w, mode, pad, false).sparse(true).build()) {
      Bags bags = randomBags(rng, v, pad);
      FloatTensor psw = mode == BagMode.SUM && rng.nextBoolean() ? randomWeights(rng, bags.n()) : null;
      IndexTensor offsets = offsetsWithoutLast(bags);
      BagResult r = bag.lookup(bags.input(), offsets, psw);
      bag.backward(r, randomGrad(rng, offsets.numel(), d));
      float lr = 0.1f;
      float[] expected = bag.weight().toTensor().data().clone();
      if (bag.hasGrad()) {
        SparseGradient c = ((SparseGradient) bag.grad()).coalesce(); // sums the copied entries in input order
        for (int u = 0; u < c.nnz(); u++) {
          int row = (int) c.indices()[u];
          for (int j = 0; j < d; j++) {
            expected[row * d + j] += -lr * c.values().data()[u * d + j];
          }
        }
      }
      new dev.emb4j.optim.Sgd(bag.parameters(), dev.emb4j.optim.Sgd.Config.of(lr)).step();
      assertArrayEquals(expected, bag.weight().toTensor().data(), mode + ", padding " + pad);
    }
  }

  // ---------------------------------------------------------------- max norm

  @Property(tries = TRIES)
  void renormNeverIncreasesANormAndLeavesOtherRowsAlone(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 10);
    int d = rng.nextInt(1, 8);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    double maxNorm = rng.nextDouble(0.25, 3);
    float[][] w = EmbeddingPropertiesTest.randomScaledWeights(rng, v, d, 2.5);
    Bags bags = randomBags(rng, v, pad);
    BagMode mode = randomMode(rng);
    try (EmbeddingBag bag = builder(w, mode, pad, bags.includeLastOffset()).maxNorm(maxNorm).build()) {
      BagResult r = bag.lookup(bags.input(), bags.offsetTensor());
      boolean[] touched = new boolean[v];
      for (long k : bags.ids()) {
        touched[(int) k] = true; // padding occurrences are renormalised too (PyTorch)
      }
      FloatTensor after = bag.weightTensor();
      for (int k = 0; k < v; k++) {
        double before = EmbeddingPropertiesTest.norm(w[k], 2);
        double now = EmbeddingPropertiesTest.norm(after.row(k), 2);
        if (!touched[k] || before <= maxNorm * (1 - 1e-6)) {
          assertArrayEquals(w[k], after.row(k), 0f, "row " + k + " must be unchanged");
        } else {
          assertTrue(now <= before * (1 + 1e-6) && now <= maxNorm * (1 + 1e-5), "row " + k + ": " + now);
        }
      }
      if (mode != BagMode.SUM) {
        // a mean or max of rows of norm <= maxNorm ... for MEAN the triangle inequality bounds the 2-norm
        for (int b = 0; b < r.bags() && mode == BagMode.MEAN; b++) {
          assertTrue(EmbeddingPropertiesTest.norm(r.output().row(b), 2) <= maxNorm * (1 + 1e-5), "bag " + b);
        }
      }
    }
  }

  // ---------------------------------------------------------------- storage independence

  @Property(tries = TRIES)
  void heapAndOffHeapStoresGiveBitIdenticalResults(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 10);
    int d = rng.nextInt(1, 40);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    BagMode mode = randomMode(rng);
    boolean useMaxNorm = rng.nextBoolean();
    boolean sgbf = mode != BagMode.MAX && rng.nextBoolean();
    boolean includeLast = rng.nextBoolean();
    float[][] w = EmbeddingPropertiesTest.randomScaledWeights(rng, v, d, 3);
    float[] flat = new float[v * d];
    for (int k = 0; k < v; k++) {
      System.arraycopy(w[k], 0, flat, k * d, d);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate((long) flat.length * Float.BYTES + 4, 4);
      MemorySegment.copy(flat, 0, seg, ValueLayout.JAVA_FLOAT, 0, flat.length);
      List<Supplier<EmbeddingBag.Builder>> sources =
          List.of(
              () -> EmbeddingBag.fromPretrained(w).storage(Storage.HEAP),
              () -> EmbeddingBag.fromPretrained(w).storage(Storage.OFF_HEAP),
              () -> EmbeddingBag.wrap(HeapRowStore.wrap(flat.clone(), d)),
              () -> EmbeddingBag.wrap(OffHeapRowStore.wrap(seg, v, d)));
      List<EmbeddingBag> tables = new ArrayList<>();
      for (Supplier<EmbeddingBag.Builder> s : sources) {
        EmbeddingBag.Builder b = s.get().mode(mode).includeLastOffset(includeLast).freeze(false).scaleGradByFreq(sgbf);
        if (useMaxNorm) {
          b.maxNorm(1.5);
        }
        if (pad >= 0) {
          b.paddingIdx(pad);
        }
        tables.add(b.build());
      }
      try {
        for (int step = 0; step < 2; step++) {
          Bags bags = randomBags(rng, v, pad);
          while (bags.includeLastOffset() != includeLast) {
            bags = randomBags(rng, v, pad);
          }
          long[] offsets = bags.offsets();
          FloatTensor psw = null;
          if (mode == BagMode.SUM && rng.nextBoolean()) {
            psw = EmbeddingPropertiesTest.randomTensor(rng, Shape.of(bags.n()));
          }
          int nBags = includeLast ? offsets.length - 1 : offsets.length;
          FloatTensor go = randomGrad(rng, nBags, d);
          BagResult ref = null;
          Optional<FloatTensor> refPsw = null;
          for (EmbeddingBag e : tables) {
            BagResult r = e.lookup(bags.input(), IndexTensor.of(offsets), psw);
            Optional<FloatTensor> p = e.backward(r, go);
            if (ref == null) {
              ref = r;
              refPsw = p;
            } else {
              assertEquals(ref.output(), r.output(), "forward over " + e.weight());
              assertArrayEquals(ref.maxIndices(), r.maxIndices());
              assertEquals(refPsw, p, "per-sample weight gradient over " + e.weight());
            }
          }
        }
        EmbeddingBag first = tables.get(0);
        for (EmbeddingBag e : tables) {
          assertEquals(first.weightTensor(), e.weightTensor(), "weights of " + e.weight());
          assertEquals(
              first.hasGrad() ? first.grad().toDense() : null, e.hasGrad() ? e.grad().toDense() : null, "gradient over " + e.weight());
        }
      } finally {
        for (EmbeddingBag e : tables) {
          e.close();
        }
      }
    }
  }

  // ---------------------------------------------------------------- atomicity

  @Property(tries = TRIES)
  void aRejectedCallChangesNeitherWeightsNorGradient(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(2, 10);
    int d = rng.nextInt(1, 8);
    BagMode mode = randomMode(rng);
    boolean sparse = mode != BagMode.MAX && rng.nextBoolean();
    float[][] w = EmbeddingPropertiesTest.randomScaledWeights(rng, v, d, 1);
    for (float[] r : w) {
      for (int j = 0; j < d; j++) {
        r[j] = r[j] * 10 + 5; // every norm well above maxNorm 1
      }
    }
    try (EmbeddingBag bag =
        builder(w, mode, -1, false)
            .sparse(sparse)
            .maxNorm(1.0)
            .storage(rng.nextBoolean() ? Storage.HEAP : Storage.OFF_HEAP)
            .build()) {
      BagResult r0 = bag.lookup(IndexTensor.of(0L), IndexTensor.of(0L));
      bag.backward(r0, randomGrad(rng, 1, d));
      FloatTensor weightsBefore = bag.weightTensor();
      FloatTensor gradBefore = bag.grad().toDense();

      // ids 1..V-1 (all above maxNorm) in two bags
      int n = v - 1;
      long[] ids = new long[n];
      for (int i = 0; i < n; i++) {
        ids[i] = i + 1;
      }
      long[] goodOffsets = {0, n / 2};
      List<Runnable> rejected = new ArrayList<>();
      long[] badIds = ids.clone();
      long bad = rng.nextBoolean() ? v + rng.nextInt(3) : -1 - rng.nextInt(v + 2);
      badIds[rng.nextInt(n)] = bad;
      rejected.add(() -> assertThrows(
          IndexOutOfBoundsException.class, () -> bag.lookup(IndexTensor.of(badIds), IndexTensor.of(goodOffsets))));
      rejected.add(() -> assertThrows(
          IndexOutOfBoundsException.class,
          () -> bag.lookup(IndexTensor.of(Shape.of(1, n), badIds))));
      rejected.add(() -> assertThrows(
          IllegalArgumentException.class, () -> bag.lookup(IndexTensor.of(ids), IndexTensor.of(1L, (long) n))));
      rejected.add(() -> assertThrows(
          IllegalArgumentException.class, () -> bag.lookup(IndexTensor.of(ids), IndexTensor.of(0L, (long) n + 1))));
      if (n >= 2) {
        rejected.add(() -> assertThrows(
            IllegalArgumentException.class, () -> bag.lookup(IndexTensor.of(ids), IndexTensor.of(0L, 2L, 1L))));
      }
      rejected.add(() -> assertThrows(
          IllegalArgumentException.class,
          () -> bag.lookup(IndexTensor.of(ids), IndexTensor.of(goodOffsets), FloatTensor.zeros(Shape.of(n + 1)))));
      if (mode != BagMode.SUM) {
        rejected.add(() -> assertThrows(
            IllegalArgumentException.class,
            () -> bag.lookup(IndexTensor.of(ids), IndexTensor.of(goodOffsets), FloatTensor.zeros(Shape.of(n)))));
      }
      rejected.add(() -> assertThrows(
          IllegalArgumentException.class, () -> bag.lookup(IndexTensor.of(Shape.of(1, 1, n), ids))));
      rejected.add(() -> assertThrows(
          IllegalArgumentException.class, () -> bag.lookup(IndexTensor.of(Shape.of(1, n), ids), IndexTensor.of(0L))));
      for (int c = 0; c < rejected.size(); c++) {
        rejected.get(c).run();
        assertEquals(weightsBefore, bag.weightTensor(), "weights after rejected call " + c);
        assertEquals(gradBefore, bag.grad().toDense(), "gradient after rejected call " + c);
      }
      // a gradient of the wrong shape is rejected without effect
      BagResult ok = bag.lookup(IndexTensor.of(0L), IndexTensor.of(0L));
      FloatTensor weightsNow = bag.weightTensor();
      assertThrows(IllegalArgumentException.class, () -> bag.backward(ok, FloatTensor.zeros(Shape.of(2, d))));
      assertEquals(weightsNow, bag.weightTensor());
      assertEquals(gradBefore, bag.grad().toDense());
    }
  }
}
