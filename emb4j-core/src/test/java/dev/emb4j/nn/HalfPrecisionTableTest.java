package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.optim.Adagrad;
import dev.emb4j.store.DType;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Tables of 16-bit rows through the public API: lookups and every bag mode read exactly the decoded rows (the same
 * floats as a float32 table holding those values), the memory halves, the builder checks the option, and a small
 * model trains to the float32 model's loss.
 */
class HalfPrecisionTableTest {
  private static final int V = 40;
  private static final int D = 37;

  private static Embedding half(DType dtype, Storage storage) {
    return Embedding.builder(V, D).dtype(dtype).storage(storage).initializer(Initializer.normal(3)).build();
  }

  /** A float32 table holding the decoded values of {@code t}. */
  private static FloatTensor decoded(EmbeddingTable t) {
    return t.weightTensor();
  }

  private static long[] ids(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = rnd.nextInt(V);
    }
    return ids;
  }

  @Test
  void lookupsAndBagsReadTheDecodedRowsExactly() {
    for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
      for (Storage storage : List.of(Storage.HEAP, Storage.OFF_HEAP)) {
        String what = dtype + ", " + storage;
        try (Embedding h = half(dtype, storage)) {
          FloatTensor w = decoded(h);
          assertEquals(dtype, h.weight().dtype());
          assertTrue(h.toString().contains("dtype=" + dtype.label()), h.toString());
          try (Embedding f = Embedding.fromPretrained(w).build()) {
            IndexTensor idx = IndexTensor.of(ids(5000, 1)); // large enough for the kernel threads
            assertArrayEquals(f.lookup(idx).data(), h.lookup(idx).data(), what + ": lookup");
          }
          for (BagMode mode : BagMode.values()) {
            try (EmbeddingBag hb =
                    EmbeddingBag.builder(V, D).dtype(dtype).storage(storage).mode(mode).paddingIdx(2)
                        .initializer(Initializer.normal(3)).build();
                EmbeddingBag fb = EmbeddingBag.fromPretrained(hb.weightTensor()).mode(mode).paddingIdx(2).build()) {
              long[] in = ids(3000, 2);
              long[] offsets = new long[300];
              for (int b = 0; b < offsets.length; b++) {
                offsets[b] = b * 10L - (b % 3 == 0 && b > 0 ? 4 : 0);
              }
              FloatTensor psw = null;
              if (mode == BagMode.SUM) {
                float[] weights = new float[in.length];
                SplittableRandom rnd = new SplittableRandom(4);
                for (int i = 0; i < weights.length; i++) {
                  weights[i] = (float) rnd.nextGaussian();
                }
                psw = FloatTensor.wrap(Shape.of(in.length), weights);
              }
              BagResult a = hb.lookup(IndexTensor.of(in), IndexTensor.of(offsets), psw);
              BagResult b = fb.lookup(IndexTensor.of(in), IndexTensor.of(offsets), psw);
              assertArrayEquals(b.output().data(), a.output().data(), what + ", " + mode);
              assertArrayEquals(b.bagSizes(), a.bagSizes(), what + ", " + mode + ": bag sizes");
              if (mode == BagMode.MAX) {
                assertArrayEquals(b.maxIndices(), a.maxIndices(), what + ": max indices");
              }
            }
          }
        }
      }
    }
  }

  @Test
  void aSixteenBitTableHoldsHalfTheBytes() {
    try (Embedding f = Embedding.builder(1000, 64).build();
        Embedding h = Embedding.builder(1000, 64).dtype(DType.BF16).build()) {
      assertEquals(f.weight().sizeInBytes() / 2, h.weight().sizeInBytes());
      assertEquals(1000 * 64 * 2, h.weight().sizeInBytes());
    }
  }

  @Test
  void theBuilderChecksTheDtype() {
    assertThrows(
        IllegalStateException.class, () -> Embedding.wrap(HeapRowStore.allocate(3, 2)).dtype(DType.BF16));
    assertThrows(NullPointerException.class, () -> Embedding.builder(3, 2).dtype(null));
    float[][] big = {{1f, 2f}, {3f, 70000f}};
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Embedding.fromPretrained(big).dtype(DType.F16).build());
    assertTrue(e.getMessage().contains("70000") && e.getMessage().contains("[1, 1]"), e.getMessage());
    try (Embedding ok = Embedding.fromPretrained(big).dtype(DType.BF16).build()) {
      assertEquals(70144f, ok.weight().get(1, 1), "bfloat16 has float32's range: 70000 rounds to nearest");
    }
  }

  /** Mean squared error of a table fitted to fixed targets with sparse Adagrad, after 400 steps. */
  private static double fit(DType dtype) {
    int rows = 200;
    int dim = 16;
    SplittableRandom rnd = new SplittableRandom(9);
    float[] target = new float[rows * dim];
    for (int i = 0; i < target.length; i++) {
      target[i] = (float) rnd.nextGaussian();
    }
    try (Embedding e =
        Embedding.builder(rows, dim).dtype(dtype).sparse(true).initializer(Initializer.normal(0, 0.1, 1)).build()) {
      Adagrad opt = new Adagrad(List.of(e.weightParameter()), Adagrad.Config.builder().lr(0.5).build());
      double mse = 0;
      for (int step = 0; step < 400; step++) {
        long[] batch = new long[64];
        for (int i = 0; i < batch.length; i++) {
          batch[i] = rnd.nextInt(rows);
        }
        IndexTensor idx = IndexTensor.of(batch);
        FloatTensor out = e.lookup(idx);
        float[] grad = new float[out.numel()];
        mse = 0;
        for (int i = 0; i < batch.length; i++) {
          for (int j = 0; j < dim; j++) {
            float diff = out.data()[i * dim + j] - target[(int) batch[i] * dim + j];
            grad[i * dim + j] = 2 * diff / grad.length;
            mse += (double) diff * diff / grad.length;
          }
        }
        e.backward(idx, FloatTensor.wrap(out.shape(), grad));
        opt.step();
        opt.zeroGrad();
      }
      return mse;
    }
  }

  @Test
  void aSmallModelTrainsAsInFloat32() {
    double f32 = fit(DType.F32);
    assertTrue(f32 < 0.02, "float32 reference fit: " + f32);
    for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
      double h = fit(dtype);
      // the 16-bit fit stops near its rounding floor: bfloat16 keeps 8 bits, about 0.4 % of each value
      assertTrue(h < f32 + 0.01, dtype + " fit " + h + " against float32 " + f32);
    }
  }
}
