package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.DenseGradient;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.DType;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every optimizer on tables of 16-bit rows: each step is the float32 step of the decoded rows, written back with
 * stochastic rounding to one of the two 16-bit neighbours of the float32 result; small updates accumulate in
 * expectation; the result depends neither on threads nor on an export and import of the state in between.
 */
class HalfPrecisionOptimizerTest {
  private static final int V = 23;
  private static final int D = 19;

  /** An optimizer, and whether it takes sparse and dense gradients. */
  private record Kind(String name, Function<List<Parameter>, Optimizer> make, boolean sparse, boolean dense) {}

  private static List<Kind> kinds() {
    return List.of(
        new Kind("SGD", p -> new Sgd(p, Sgd.Config.of(0.1)), true, true),
        new Kind(
            "SGD, Nesterov momentum",
            p -> new Sgd(p, Sgd.Config.builder().lr(0.1).momentum(0.9).nesterov(true).build()), false, true),
        new Kind("Adagrad", p -> new Adagrad(p, Adagrad.Config.builder().lr(0.1).build()), true, true),
        new Kind(
            "row-wise Adagrad", p -> new RowWiseAdagrad(p, RowWiseAdagrad.Config.builder().lr(0.1).build()), true,
            true),
        new Kind("SparseAdam", p -> new SparseAdam(p, SparseAdam.Config.builder().lr(0.01).build()), true, false),
        new Kind("Adam", p -> new Adam(p, Adam.Config.builder().lr(0.01).amsgrad(true).build()), false, true),
        new Kind("AdamW", p -> new AdamW(p, AdamW.Config.builder().lr(0.01).build()), false, true));
  }

  private static float[][] random(int rows, int dim, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[][] out = new float[rows][dim];
    for (float[] r : out) {
      for (int j = 0; j < dim; j++) {
        r[j] = (float) rnd.nextGaussian();
      }
    }
    return out;
  }

  private static TestParameter half(DType dtype, Storage storage, float[][] rows) {
    RowStore s = storage.allocate(rows.length, rows[0].length, dtype);
    for (int r = 0; r < rows.length; r++) {
      s.writeRow(r, rows[r], 0);
    }
    return new TestParameter("w", s);
  }

  /** The gap between the 16-bit neighbours of {@code f}. */
  private static float gap(DType dtype, float f) {
    return dtype == DType.BF16 ? Math.ulp(f) * 0x1p16f : Math.max(Math.ulp(f) * 0x1p13f, 0x1p-24f);
  }

  @Test
  void everyOptimizerStepsSixteenBitRowsToANeighbourOfItsFloat32Step() {
    for (Kind kind : kinds()) {
      for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
        for (Storage storage : List.of(Storage.HEAP, Storage.OFF_HEAP)) {
          for (boolean sparse : new boolean[] {true, false}) {
            if (sparse ? !kind.sparse : !kind.dense) {
              continue;
            }
            String what = kind.name + ", " + dtype + ", " + storage + (sparse ? ", sparse" : ", dense");
            TestParameter h = half(dtype, storage, random(V, D, 1));
            TestParameter f = TestParameter.of("w", h.rows());
            Optimizer onHalf = kind.make.apply(List.of(h));
            Optimizer onFloat = kind.make.apply(List.of(f));
            for (int step = 0; step < 4; step++) {
              long[] ids = {3, 1, 3, 5, 8, 3, 1, (step % 4) + 12, 22, 5};
              float[][] g = random(ids.length, D, 100 + step);
              float[][] before = h.rows();
              for (int r = 0; r < V; r++) {
                f.value().writeRow(r, before[r], 0); // the same inputs: the float32 step is the reference
              }
              for (TestParameter p : List.of(h, f)) {
                if (sparse) {
                  p.sparseGrad(ids, g);
                } else {
                  p.denseGrad(ids, g);
                }
              }
              onHalf.step();
              onFloat.step();
              float[][] got = h.rows();
              float[][] want = f.rows();
              for (int r = 0; r < V; r++) {
                for (int j = 0; j < D; j++) {
                  float x = want[r][j];
                  assertTrue(
                      Math.abs(got[r][j] - x) < gap(dtype, x),
                      what + ", step " + step + ", [" + r + ", " + j + "]: " + got[r][j] + " is not a neighbour of "
                          + x);
                }
              }
            }
            h.value().close();
          }
        }
      }
    }
  }

  @Test
  void updatesSmallerThanTheGapAccumulateInExpectation() {
    // bfloat16 holds 1 and 1 + 2^-7; 500 steps of +1e-4 bring 1 to 1.05, which round-to-nearest would never leave
    int d = 512;
    RowStore s = HeapRowStore.allocate(1, d, DType.BF16);
    float[] ones = new float[d];
    java.util.Arrays.fill(ones, 1f);
    s.writeRow(0, ones, 0);
    TestParameter p = new TestParameter("w", s);
    Sgd sgd = new Sgd(List.of(p), Sgd.Config.of(1e-4));
    HeapRowStore grad = HeapRowStore.allocate(1, d);
    float[] minusOnes = new float[d];
    java.util.Arrays.fill(minusOnes, -1f);
    grad.writeRow(0, minusOnes, 0);
    for (int step = 0; step < 500; step++) {
      p.setGrad(new DenseGradient(grad));
      sgd.step();
    }
    double mean = 0;
    for (int j = 0; j < d; j++) {
      mean += s.get(0, j);
    }
    mean /= d;
    assertEquals(1.05, mean, 0.005, "mean of " + d + " columns after 500 steps of 1e-4");
  }

  @Test
  void theRoundingDependsNeitherOnThreadsNorOnAnExportAndImportOfTheState() {
    int rows = 5000;
    int dim = 64;
    long[] ids = new long[20000];
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rnd.nextInt(rows);
    }
    float[][] g = random(ids.length, dim, 4);
    float[][] w0 = random(rows, dim, 5);
    List<float[][]> results = new ArrayList<>();
    int before = Emb4j.getNumThreads();
    try {
      for (int threads : new int[] {1, 4}) {
        for (boolean resume : new boolean[] {false, true}) {
          Emb4j.setNumThreads(threads);
          TestParameter p = half(DType.BF16, Storage.HEAP, w0);
          Optimizer opt = new Sgd(List.of(p), Sgd.Config.of(0.05));
          for (int step = 0; step < 3; step++) {
            if (resume && step == 2) {
              OptimizerState state = opt.exportState();
              assertEquals(2.0, state.scalars().get("w/step"), "SGD counts the steps of a 16-bit parameter");
              opt = new Sgd(List.of(p), Sgd.Config.of(0.05));
              opt.importState(state);
            }
            p.sparseGrad(ids, g);
            opt.step();
          }
          results.add(p.rows());
        }
      }
    } finally {
      Emb4j.setNumThreads(before);
    }
    for (int k = 1; k < results.size(); k++) {
      for (int r = 0; r < rows; r++) {
        assertArrayEquals(results.get(0)[r], results.get(k)[r], "run " + k + ", row " + r);
      }
    }
  }
}
