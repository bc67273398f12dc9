package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.OffHeapRowStore;
import dev.emb4j.store.RowStore;
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
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Algebraic properties of {@link Embedding} on random tables and random index tensors of rank 0 to 3. */
class EmbeddingPropertiesTest {

  static final int TRIES = 200;

  // ---------------------------------------------------------------- generators

  static float[][] randomWeights(SplittableRandom rng, int v, int d) {
    float[][] w = new float[v][d];
    for (float[] row : w) {
      for (int j = 0; j < d; j++) {
        row[j] = (float) rng.nextDouble(-3, 3);
      }
    }
    return w;
  }

  /** Rows of random directions and norms between 0 and {@code maxScale} (some rows all zero). */
  static float[][] randomScaledWeights(SplittableRandom rng, int v, int d, double maxScale) {
    float[][] w = randomWeights(rng, v, d);
    for (float[] row : w) {
      double s = rng.nextInt(8) == 0 ? 0 : rng.nextDouble(0, maxScale);
      for (int j = 0; j < d; j++) {
        row[j] = (float) (row[j] * s);
      }
    }
    return w;
  }

  static Shape randomShape(SplittableRandom rng, int maxRank) {
    int rank = rng.nextInt(maxRank + 1);
    int[] dims = new int[rank];
    for (int i = 0; i < rank; i++) {
      dims[i] = rng.nextInt(5); // 0 makes an empty tensor
    }
    return Shape.of(dims);
  }

  static IndexTensor randomIndices(SplittableRandom rng, Shape shape, long v) {
    int n = Math.toIntExact(shape.numel());
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = rng.nextLong(v);
    }
    return asType(rng.nextBoolean(), shape, ids);
  }

  static IndexTensor asType(boolean int32, Shape shape, long[] ids) {
    if (!int32) {
      return IndexTensor.of(shape, ids);
    }
    int[] ints = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ints[i] = Math.toIntExact(ids[i]);
    }
    return IndexTensor.of(shape, ints);
  }

  static FloatTensor randomTensor(SplittableRandom rng, Shape shape) {
    float[] data = new float[Math.toIntExact(shape.numel())];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) rng.nextDouble(-2, 2);
    }
    return FloatTensor.wrap(shape, data);
  }

  static FloatTensor ones(Shape shape) {
    float[] data = new float[Math.toIntExact(shape.numel())];
    Arrays.fill(data, 1f);
    return FloatTensor.wrap(shape, data);
  }

  static double norm(float[] row, double p) {
    if (p == Double.POSITIVE_INFINITY) {
      double m = 0;
      for (float x : row) {
        m = Math.max(m, Math.abs(x));
      }
      return m;
    }
    double s = 0;
    for (float x : row) {
      s += Math.pow(Math.abs(x), p);
    }
    return Math.pow(s, 1 / p);
  }

  static float[] row(FloatTensor t2d, int r) {
    return t2d.row(r);
  }

  static FloatTensor denseGrad(Embedding e) {
    TableGradient g = e.grad();
    return g.toDense();
  }

  // ---------------------------------------------------------------- forward

  @Property(tries = TRIES)
  void outputShapeIsIndexShapePlusDim(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 12);
    int d = rng.nextInt(1, 8);
    try (Embedding e = Embedding.fromPretrained(randomWeights(rng, v, d)).build()) {
      Shape shape = randomShape(rng, 3);
      FloatTensor out = e.lookup(randomIndices(rng, shape, v));
      assertEquals(shape.append(d), out.shape(), "indices of shape " + shape);
      assertEquals(shape.rank() + 1, out.shape().rank());
      assertEquals(shape.numel() * d, out.numel());
    }
  }

  @Property(tries = TRIES)
  void lookupEqualsTheStoredRowsBitForBit(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 12);
    int d = rng.nextInt(1, 8);
    Storage storage = rng.nextBoolean() ? Storage.HEAP : Storage.OFF_HEAP;
    try (Embedding e = Embedding.fromPretrained(randomWeights(rng, v, d)).storage(storage).build()) {
      IndexTensor idx = randomIndices(rng, randomShape(rng, 3), v);
      FloatTensor out = e.lookup(idx);
      RowStore w = e.weight();
      for (int p = 0; p < idx.numel(); p++) {
        for (int j = 0; j < d; j++) {
          assertEquals(
              Float.floatToRawIntBits(w.get(idx.get(p), j)),
              Float.floatToRawIntBits(out.get(p * d + j)),
              "position " + p + " id " + idx.get(p) + " col " + j);
        }
      }
      // the output is a fresh tensor: writing it leaves the table alone
      if (out.numel() > 0) {
        float before = w.get(idx.get(0), 0);
        out.set(0, before + 1);
        assertEquals(before, w.get(idx.get(0), 0));
      }
    }
  }

  @Property(tries = TRIES)
  void lookupEqualsOneHotTimesWeight(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 12);
    int d = rng.nextInt(1, 8);
    float[][] w = randomWeights(rng, v, d);
    try (Embedding e = Embedding.fromPretrained(w).build()) {
      IndexTensor idx = randomIndices(rng, randomShape(rng, 3), v);
      FloatTensor out = e.lookup(idx);
      int n = idx.numel();
      for (int p = 0; p < n; p++) {
        double[] oneHot = new double[v];
        oneHot[(int) idx.get(p)] = 1;
        for (int j = 0; j < d; j++) {
          double dot = 0;
          for (int k = 0; k < v; k++) {
            dot += oneHot[k] * w[k][j];
          }
          assertEquals(dot, out.get(p * d + j), 0.0, "(oneHot @ W)[" + p + ", " + j + "]");
        }
      }
    }
  }

  @Property(tries = TRIES)
  void int32AndInt64IndicesGiveTheSameResult(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 12);
    int d = rng.nextInt(1, 8);
    try (Embedding e = Embedding.fromPretrained(randomWeights(rng, v, d)).build()) {
      IndexTensor idx = randomIndices(rng, randomShape(rng, 3), v);
      long[] ids = idx.toLongArray();
      assertEquals(e.lookup(asType(true, idx.shape(), ids)), e.lookup(asType(false, idx.shape(), ids)));
    }
  }

  // ---------------------------------------------------------------- backward

  @Property(tries = TRIES)
  void denseGradientOfTheSumOfOutputsCountsEachId(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 12);
    int d = rng.nextInt(1, 8);
    boolean padded = rng.nextBoolean();
    long pad = padded ? rng.nextLong(v) : -1;
    Embedding.Builder b = Embedding.builder(v, d).initializer(Initializer.normal(seed));
    if (padded) {
      b.paddingIdx(pad);
    }
    try (Embedding e = b.build()) {
      IndexTensor idx = randomIndices(rng, randomShape(rng, 3), v);
      e.backward(idx, ones(idx.shape().append(d)));
      FloatTensor g = denseGrad(e);
      assertEquals(Shape.of(v, d), g.shape());
      long[] count = new long[v];
      for (long k : idx.toLongArray()) {
        count[(int) k]++;
      }
      for (int k = 0; k < v; k++) {
        float expected = k == pad ? 0f : count[k];
        for (int j = 0; j < d; j++) {
          assertEquals(expected, g.at(k, j), "row " + k + " col " + j + " (padding " + pad + ")");
        }
      }
    }
  }

  @Property(tries = TRIES)
  void scaleGradByFreqGivesEachTouchedRowOnePerColumnForAllOnesGradient(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 12);
    int d = rng.nextInt(1, 8);
    try (Embedding e = Embedding.builder(v, d).scaleGradByFreq(true).build()) {
      IndexTensor idx = randomIndices(rng, randomShape(rng, 3), v);
      e.backward(idx, ones(idx.shape().append(d)));
      FloatTensor g = denseGrad(e);
      boolean[] touched = new boolean[v];
      for (long k : idx.toLongArray()) {
        touched[(int) k] = true;
      }
      for (int k = 0; k < v; k++) {
        for (int j = 0; j < d; j++) {
          assertEquals(touched[k] ? 1.0 : 0.0, g.at(k, j), 1e-6, "row " + k + " col " + j);
        }
      }
    }
  }

  @Property(tries = TRIES)
  void denseGradientIsTheSumOfOutputGradientRowsPerId(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 12);
    int d = rng.nextInt(1, 8);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    Embedding.Builder b = Embedding.fromPretrained(randomWeights(rng, v, d)).freeze(false);
    if (pad >= 0) {
      b.paddingIdx(pad);
    }
    try (Embedding e = b.build()) {
      double[][] expected = new double[v][d];
      int passes = rng.nextInt(1, 3);
      for (int pass = 0; pass < passes; pass++) {
        IndexTensor idx = randomIndices(rng, randomShape(rng, 3), v);
        FloatTensor go = randomTensor(rng, idx.shape().append(d));
        e.backward(idx, go);
        for (int p = 0; p < idx.numel(); p++) {
          int k = (int) idx.get(p);
          if (k != pad) {
            for (int j = 0; j < d; j++) {
              expected[k][j] += go.get(p * d + j);
            }
          }
        }
      }
      FloatTensor g = denseGrad(e);
      for (int k = 0; k < v; k++) {
        for (int j = 0; j < d; j++) {
          assertEquals(expected[k][j], g.at(k, j), 1e-5, "row " + k + " col " + j);
        }
      }
    }
  }

  @Property(tries = TRIES)
  void coalescedSparseGradientEqualsTheDenseGradient(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 12);
    int d = rng.nextInt(1, 8);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    float[][] w = randomWeights(rng, v, d);
    Embedding.Builder db = Embedding.fromPretrained(w).freeze(false);
    Embedding.Builder sb = Embedding.fromPretrained(w).freeze(false).sparse(true);
    if (pad >= 0) {
      db.paddingIdx(pad);
      sb.paddingIdx(pad);
    }
    try (Embedding dense = db.build();
        Embedding sparse = sb.build()) {
      int passes = rng.nextInt(1, 3);
      List<Long> kept = new ArrayList<>();
      for (int pass = 0; pass < passes; pass++) {
        IndexTensor idx = randomIndices(rng, randomShape(rng, 3), v);
        FloatTensor go = randomTensor(rng, idx.shape().append(d));
        dense.backward(idx, go);
        sparse.backward(idx, go);
        for (long k : idx.toLongArray()) {
          if (k != pad) {
            kept.add(k);
          }
        }
      }
      SparseGradient sg = (SparseGradient) sparse.grad();
      assertArrayEquals(kept.stream().mapToLong(Long::longValue).toArray(), sg.indices(), "uncoalesced indices");
      SparseGradient c = sg.coalesce();
      long[] ci = c.indices();
      for (int i = 1; i < ci.length; i++) {
        assertTrue(ci[i - 1] < ci[i], "coalesced indices must be strictly ascending: " + Arrays.toString(ci));
      }
      assertArrayEquals(kept.stream().mapToLong(Long::longValue).distinct().sorted().toArray(), ci);
      FloatTensor fromSparse = c.toDense();
      FloatTensor fromDense = denseGrad(dense);
      assertEquals(fromDense.shape(), fromSparse.shape());
      assertArrayEquals(fromDense.data(), fromSparse.data(), 1e-5f);
      assertArrayEquals(fromDense.data(), sg.toDense().data(), 1e-5f);
    }
  }

  // ---------------------------------------------------------------- max norm

  @Property(tries = TRIES)
  void renormNeverIncreasesANormAndOnlyTouchesLookedUpRowsAboveTheLimit(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 12);
    int d = rng.nextInt(1, 8);
    double[] normTypes = {1, 2, 3, Double.POSITIVE_INFINITY};
    double p = normTypes[rng.nextInt(normTypes.length)];
    double maxNorm = rng.nextDouble(0.25, 3);
    float[][] w = randomScaledWeights(rng, v, d, 2.5);
    try (Embedding e =
        Embedding.fromPretrained(w)
            .maxNorm(maxNorm)
            .normType(p)
            .storage(rng.nextBoolean() ? Storage.HEAP : Storage.OFF_HEAP)
            .build()) {
      IndexTensor idx = randomIndices(rng, randomShape(rng, 2), v);
      boolean[] touched = new boolean[v];
      for (long k : idx.toLongArray()) {
        touched[(int) k] = true;
      }
      FloatTensor out = e.lookup(idx);
      FloatTensor after = e.weightTensor();
      for (int k = 0; k < v; k++) {
        float[] now = after.row(k);
        double before = norm(w[k], p);
        String where = "row " + k + " (p=" + p + ", maxNorm=" + maxNorm + ", norm before " + before + ")";
        if (!touched[k] || before <= maxNorm * (1 - 1e-6)) {
          assertArrayEquals(w[k], now, 0f, where + " must be unchanged");
          continue;
        }
        double n = norm(now, p);
        assertTrue(n <= before * (1 + 1e-6), where + ": norm grew to " + n);
        assertTrue(n <= maxNorm * (1 + 1e-5), where + ": norm " + n + " above maxNorm");
        // a renorm is a scaling: same direction
        for (int j = 0; j < d; j++) {
          assertEquals(w[k][j] * (n / before), now[j], 1e-5 * (1 + Math.abs(w[k][j])), where + " col " + j);
        }
      }
      // the output holds the renormalised rows
      for (int q = 0; q < idx.numel(); q++) {
        for (int j = 0; j < d; j++) {
          assertEquals(after.at((int) idx.get(q), j), out.get(q * d + j), "position " + q);
        }
      }
    }
  }

  // ---------------------------------------------------------------- storage independence

  @Property(tries = TRIES)
  void heapAndOffHeapStoresGiveBitIdenticalResults(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(1, 12);
    int d = rng.nextInt(1, 40);
    float[][] w = randomScaledWeights(rng, v, d, 3);
    boolean useMaxNorm = rng.nextBoolean();
    double maxNorm = rng.nextDouble(0.5, 2);
    long pad = rng.nextBoolean() ? rng.nextLong(v) : -1;
    boolean sgbf = rng.nextBoolean();
    float[] flat = new float[v * d];
    for (int k = 0; k < v; k++) {
      System.arraycopy(w[k], 0, flat, k * d, d);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate((long) flat.length * Float.BYTES + 4, 4);
      MemorySegment.copy(flat, 0, seg, ValueLayout.JAVA_FLOAT, 0, flat.length);
      List<Embedding.Builder> builders =
          List.of(
              Embedding.fromPretrained(w).storage(Storage.HEAP),
              Embedding.fromPretrained(w).storage(Storage.OFF_HEAP),
              Embedding.wrap(HeapRowStore.wrap(flat.clone(), d)),
              Embedding.wrap(OffHeapRowStore.wrap(seg, v, d)));
      List<Embedding> tables = new ArrayList<>();
      for (Embedding.Builder b : builders) {
        b.freeze(false).scaleGradByFreq(sgbf);
        if (useMaxNorm) {
          b.maxNorm(maxNorm);
        }
        if (pad >= 0) {
          b.paddingIdx(pad);
        }
        tables.add(b.build());
      }
      try {
        for (int step = 0; step < 2; step++) {
          IndexTensor idx = randomIndices(rng, randomShape(rng, 3), v);
          FloatTensor go = randomTensor(rng, idx.shape().append(d));
          FloatTensor ref = null;
          for (Embedding e : tables) {
            FloatTensor out = e.lookup(idx);
            e.backward(idx, go);
            if (ref == null) {
              ref = out;
            } else {
              assertEquals(ref, out, "forward of " + e + " over " + e.weight());
            }
          }
        }
        Embedding first = tables.get(0);
        for (Embedding e : tables) {
          assertEquals(first.weightTensor(), e.weightTensor(), "weights of " + e.weight());
          assertEquals(first.hasGrad(), e.hasGrad());
          if (first.hasGrad()) {
            assertEquals(denseGrad(first), denseGrad(e), "gradient of " + e.weight());
          }
        }
      } finally {
        for (Embedding e : tables) {
          e.close();
        }
      }
    }
  }

  // ---------------------------------------------------------------- atomicity

  @Property(tries = TRIES)
  void aRejectedCallChangesNeitherWeightsNorGradient(@ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int v = rng.nextInt(2, 12);
    int d = rng.nextInt(1, 8);
    boolean sparse = rng.nextBoolean();
    float[][] w = randomScaledWeights(rng, v, d, 1);
    for (float[] r : w) {
      for (int j = 0; j < d; j++) {
        r[j] = r[j] * 10 + 5; // every norm well above maxNorm 1
      }
    }
    try (Embedding e =
        Embedding.fromPretrained(w)
            .freeze(false)
            .sparse(sparse)
            .maxNorm(1.0)
            .storage(rng.nextBoolean() ? Storage.HEAP : Storage.OFF_HEAP)
            .build()) {
      // a valid call first, so there is a gradient to protect (it renormalises row 0 only)
      IndexTensor first = IndexTensor.of(0L);
      FloatTensor out0 = e.lookup(first);
      e.backward(first, randomTensor(rng, out0.shape()));
      FloatTensor weightsBefore = e.weightTensor();
      FloatTensor gradBefore = e.grad().toDense();
      int nnzBefore = sparse ? ((SparseGradient) e.grad()).nnz() : -1;

      // every other row (all above maxNorm) plus one bad id at a random position
      int n = v;
      long[] ids = new long[n];
      for (int i = 0; i < v - 1; i++) {
        ids[i] = i + 1;
      }
      long bad = rng.nextBoolean() ? v + rng.nextInt(5) : -1 - rng.nextInt(v + 3);
      int at = rng.nextInt(n);
      ids[n - 1] = ids[at];
      ids[at] = bad;
      Shape shape = rng.nextBoolean() ? Shape.of(n) : Shape.of(1, n);
      IndexTensor idx = asType(rng.nextBoolean(), shape, ids);

      IndexOutOfBoundsException fe = assertThrows(IndexOutOfBoundsException.class, () -> e.lookup(idx));
      assertTrue(fe.getMessage().contains(Long.toString(bad)), fe.getMessage());
      assertEquals(weightsBefore, e.weightTensor(), "weights after a rejected forward");
      assertEquals(gradBefore, e.grad().toDense(), "gradient after a rejected forward");

      assertThrows(IndexOutOfBoundsException.class, () -> e.backward(idx, randomTensor(rng, shape.append(d))));
      assertEquals(weightsBefore, e.weightTensor(), "weights after a rejected backward");
      assertEquals(gradBefore, e.grad().toDense(), "gradient after a rejected backward");
      if (sparse) {
        assertEquals(nnzBefore, ((SparseGradient) e.grad()).nnz());
      }

      // a gradient of the wrong shape is rejected too, without effect
      IndexTensor good = IndexTensor.of(1L, 2L % v);
      assertThrows(IllegalArgumentException.class, () -> e.backward(good, FloatTensor.zeros(Shape.of(2, d + 1))));
      assertEquals(gradBefore, e.grad().toDense());
    }
  }
}
