package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.BagResult;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.nn.Initializer;
import dev.emb4j.store.DType;
import dev.emb4j.store.LazyRowStore;
import dev.emb4j.store.MappedRowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table on a mapped file trains as one in memory, bit for bit (one code path: the kernels work on the mapping), with
 * its optimizer's state in mapped files beside it; and it is still there in the next run.
 */
class MappedTableTrainingTest {
  private static final long V = 5000;
  private static final int D = 24;

  @TempDir Path dir;

  /** Trains a SUM bag with sparse gradients for a few steps and returns its weights. */
  private static float[] train(EmbeddingBag bag, Function<EmbeddingBag, Optimizer> optimizer, int steps) {
    Optimizer opt = optimizer.apply(bag);
    SplittableRandom rng = new SplittableRandom(7);
    int bags = 16;
    int bagSize = 5;
    for (int s = 0; s < steps; s++) {
      long[] ids = new long[bags * bagSize];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = rng.nextLong(V / 10); // a hot part of the table, with repeats
      }
      long[] offsets = new long[bags];
      for (int b = 0; b < bags; b++) {
        offsets[b] = (long) b * bagSize;
      }
      float[] g = new float[bags * D];
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) rng.nextGaussian();
      }
      opt.zeroGrad();
      BagResult r = bag.lookupInto(IndexTensor.of(ids), IndexTensor.of(offsets), null, FloatTensor.zeros(Shape.of(bags, D)));
      bag.backward(r, FloatTensor.wrap(Shape.of(bags, D), g));
      opt.step();
    }
    return bag.weight().toTensor().data();
  }

  private static EmbeddingBag.Builder builder() {
    return EmbeddingBag.builder(V, D).mode(BagMode.SUM).sparse(true).paddingIdx(3).initializer(Initializer.normal(0, 0.5, 99));
  }

  @Test
  void aMappedTableTrainsBitForBitAsAHeapTableWithTheSameSeed() {
    java.util.Map<String, Function<EmbeddingBag, Optimizer>> optimizers = new java.util.LinkedHashMap<>();
    optimizers.put("adagrad-sum", b -> new Adagrad(b.parameters(), Adagrad.Config.of(0.1)));
    optimizers.put("sparseadam-exp_avg_sq", b -> new SparseAdam(b.parameters(), SparseAdam.Config.of(0.01)));
    for (var e : optimizers.entrySet()) {
      float[] heap;
      try (EmbeddingBag bag = builder().lazyInit(true).build()) {
        heap = train(bag, e.getValue(), 6);
      }
      float[] offHeap;
      try (EmbeddingBag bag = builder().lazyInit(true).storage(Storage.OFF_HEAP).build()) {
        offHeap = train(bag, e.getValue(), 6);
      }
      Path file = dir.resolve(e.getKey() + ".emb4j");
      float[] mapped;
      try (EmbeddingBag bag = builder().storage(Storage.mapped(file)).build()) {
        assertInstanceOf(LazyRowStore.class, bag.weight(), "mapped tables are lazy by default");
        mapped = train(bag, e.getValue(), 6);
        assertTrue(
            Files.exists(dir.resolve(e.getKey() + ".emb4j." + e.getKey())),
            "the optimizer's state lives beside the table");
      }
      assertArrayEquals(heap, offHeap, e.getKey());
      assertArrayEquals(heap, mapped, e.getKey());
      float[] zeros = new float[D];
      assertArrayEquals(zeros, Arrays.copyOfRange(mapped, 3 * D, 4 * D), "the padding row stays zero");
    }
  }

  /**
   * A bfloat16 or float16 table on a mapped file (format version 2: half the file and the page cache of float32)
   * trains bit for bit as the same table off the heap: the same stochastic rounding, the same kernels. Built again on
   * its file, it has the rows of the last run; asked for another element type, it says which one the file holds.
   */
  @Test
  void aSixteenBitMappedTableTrainsBitForBitAsOffTheHeap() {
    Function<EmbeddingBag, Optimizer> adagrad = b -> new Adagrad(b.parameters(), Adagrad.Config.of(0.1));
    for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
      float[] offHeap;
      try (EmbeddingBag bag = builder().dtype(dtype).lazyInit(true).storage(Storage.OFF_HEAP).build()) {
        offHeap = train(bag, adagrad, 5);
      }
      Path file = dir.resolve("half-" + dtype.label() + ".emb4j");
      float[] mapped;
      try (EmbeddingBag bag = builder().dtype(dtype).storage(Storage.mapped(file)).build()) {
        assertEquals(dtype, bag.weight().dtype());
        mapped = train(bag, adagrad, 5);
      }
      assertArrayEquals(offHeap, mapped, dtype.label());
      try (EmbeddingBag bag = builder().dtype(dtype).storage(Storage.mapped(file)).build()) {
        assertArrayEquals(mapped, bag.weight().toTensor().data(), dtype.label() + ": the file's rows");
      }
      IllegalStateException other =
          assertThrows(IllegalStateException.class, () -> builder().storage(Storage.mapped(file)).build());
      assertTrue(
          other.getMessage().contains(file + " holds " + dtype.label() + " rows, not the f32 rows asked for"),
          other.getMessage());
    }
  }

  @Test
  void rowWiseAdagradKeepsOneFloatPerRowInAMappedFile() throws IOException {
    Function<EmbeddingBag, Optimizer> rowWise = b -> new RowWiseAdagrad(b.parameters(), RowWiseAdagrad.Config.of(0.1));
    float[] heap;
    try (EmbeddingBag bag = builder().lazyInit(true).build()) {
      heap = train(bag, rowWise, 4);
    }
    Path file = dir.resolve("rw.emb4j");
    try (EmbeddingBag bag = builder().storage(Storage.mapped(file)).build()) {
      assertArrayEquals(heap, train(bag, rowWise, 4));
    }
    try (MappedRowStore state = MappedRowStore.open(dir.resolve("rw.emb4j.rowwiseadagrad-sum"))) {
      assertEquals(V, state.rows());
      assertEquals(1, state.dim());
    }
  }

  @Test
  void aMappedTableBuiltAgainOnItsFileHasTheRowsOfTheLastRun() {
    Path file = dir.resolve("persist.emb4j");
    Function<EmbeddingBag, Optimizer> sgd = b -> new Sgd(b.parameters(), Sgd.Config.of(0.5));
    float[] trained;
    try (EmbeddingBag bag = builder().storage(Storage.mapped(file)).build()) {
      trained = train(bag, sgd, 3);
    }
    try (EmbeddingBag bag = builder().initializer(Initializer.normal(0, 1, 12345)).storage(Storage.mapped(file)).build()) {
      assertArrayEquals(trained, bag.weight().toTensor().data(), "the file's rows, not the new initializer's");
    }
    java.io.UncheckedIOException wrongShape =
        assertThrows(
            java.io.UncheckedIOException.class, () -> EmbeddingBag.builder(V, D + 1).storage(Storage.mapped(file)).build());
    assertTrue(wrongShape.getMessage().contains(file + ": holds a 5000 x 24 table, not the 5000 x 25"), wrongShape.getMessage());
  }

  @Test
  void lazyRowsNeedAnInitializerWithAPerRowForm() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> EmbeddingBag.builder(10, 2).initializer(Initializer.fromFunction((r, c) -> r)).lazyInit(true).build());
    assertTrue(e.getMessage().contains("lazyInit(false)"), e.getMessage());
  }
}
