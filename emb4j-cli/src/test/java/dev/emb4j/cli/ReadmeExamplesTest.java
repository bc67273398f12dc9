package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.BagResult;
import dev.emb4j.nn.DynamicEmbeddingBag;
import dev.emb4j.nn.EmbeddingBagCollection;
import dev.emb4j.nn.Eviction;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.tensor.KeyedJaggedTensor;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.nn.Initializer;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import dev.emb4j.autograd.Variable;
import dev.emb4j.checkpoint.StateDict;
import dev.emb4j.checkpoint.Checkpoint;
import dev.emb4j.nn.CrossEntropyLoss;
import dev.emb4j.nn.Linear;
import dev.emb4j.nn.ReLU;
import dev.emb4j.nn.Sequential;
import dev.emb4j.optim.Adam;
import dev.emb4j.optim.Optimizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The code of the README's "Java API" section, with the values its comments claim. Keep the two in step. */
class ReadmeExamplesTest {
  private static final float[][] W = {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}};

  @Test
  void freshTableLookup() {
    Emb4j.manualSeed(42);
    try (Embedding emb = new Embedding(10, 3)) {
      Variable rows = emb.forward(IndexTensor.of(1, 2, 3));
      assertEquals(Shape.of(3, 3), rows.shape());
      assertTrue(rows.requiresGrad(), "forward records the lookup");
      for (int k = 0; k < 3; k++) {
        assertArrayEquals(emb.weightTensor().row(k + 1), rows.value().row(k));
      }
      FloatTensor grid = emb.lookup(IndexTensor.fromArray(new int[][] {{1, 2}, {3, 4}}));
      assertEquals(Shape.of(2, 2, 3), grid.shape());
      FloatTensor viaMatmul = FloatTensor.oneHot(IndexTensor.of(1, 2, 3), 10).matmul(emb.weightTensor());
      assertEquals(rows.value(), viaMatmul);
      assertTrue(rows.value().toString().startsWith("FloatTensor([["), rows.value().toString());
    }
    Emb4j.manualSeed(42);
    try (Embedding again = new Embedding(10, 3); Embedding other = new Embedding(10, 3)) {
      Emb4j.manualSeed(42);
      try (Embedding same = new Embedding(10, 3)) {
        assertEquals(same.weightTensor(), again.weightTensor(), "manualSeed makes the program repeat");
      }
      assertTrue(!again.weightTensor().equals(other.weightTensor()), "two default tables differ");
    }
  }

  @Test
  void pretrainedLookup() {
    try (Embedding pre = Embedding.fromPretrained(W).build()) {
      FloatTensor out = pre.lookup(IndexTensor.of(4, 0));
      assertArrayEquals(new float[] {9, 10, 1, 2}, out.data());
      assertTrue(pre.frozen());
    }
  }

  @Test
  void dimensionOneDictionary() {
    try (Embedding price = Embedding.fromPretrained(new float[][] {{0.40f}, {2.10f}, {5.75f}}).build()) {
      FloatTensor basket = price.lookup(IndexTensor.of(2, 0, 2));
      assertEquals(Shape.of(3, 1), basket.shape());
      assertArrayEquals(new float[] {5.75f, 0.40f, 5.75f}, basket.data());
    }
  }

  @Test
  void trainingWithPadding() {
    try (Embedding emb = Embedding.builder(5, 2).paddingIdx(0).build()) {
      Variable out = emb.forward(IndexTensor.of(0, 1, 1, 4));
      assertArrayEquals(new float[] {0, 0}, out.value().row(0));
      Ops.sum(out).backward();
      FloatTensor g = emb.grad().toDense();
      assertArrayEquals(new float[] {0, 0}, g.row(0));
      assertArrayEquals(new float[] {2, 2}, g.row(1));
      assertArrayEquals(new float[] {1, 1}, g.row(4));
      emb.zeroGrad();
    }
  }

  @Test
  void maxNormOffHeap() {
    try (Embedding big =
        Embedding.builder(1_000_000, 64)
            .maxNorm(1.0)
            .storage(Storage.OFF_HEAP)
            .initializer(Initializer.normal(7))
            .build()) {
      FloatTensor out = big.lookup(IndexTensor.of(123L, 999_999L));
      for (int k = 0; k < 2; k++) {
        double norm = 0;
        for (float v : out.row(k)) {
          norm += (double) v * v;
        }
        assertTrue(Math.sqrt(norm) <= 1.0 + 1e-6, "row " + k + " has norm " + Math.sqrt(norm));
      }
    }
  }

  @Test
  void bagWithOffsetsAndWeights() {
    try (EmbeddingBag bag = EmbeddingBag.fromPretrained(W).mode(BagMode.SUM).build()) {
      IndexTensor input = IndexTensor.of(0, 1, 2, 2, 4);
      IndexTensor offsets = IndexTensor.of(0, 2);
      FloatTensor weights = FloatTensor.vector(1f, 0.5f, 2f, -1f, 1f);
      BagResult r = bag.lookup(input, offsets, weights);
      FloatTensor pooled = r.output();
      assertEquals(Shape.of(2, 2), pooled.shape());
      assertArrayEquals(new float[] {2.5f, 4, 14, 16}, pooled.data());
    }
  }

  @Test
  void sparseGradient() {
    try (Embedding emb = Embedding.builder(100, 4).sparse(true).build()) {
      IndexTensor ids = IndexTensor.of(7, 3, 7);
      FloatTensor out = emb.lookup(ids);
      emb.backward(ids, FloatTensor.zeros(out.shape()));
      assertTrue(emb.grad() instanceof SparseGradient);
    }
  }

  @Test
  void trainingStepAndCheckpoint(@TempDir Path dir) throws Exception {
    Emb4j.manualSeed(0);
    Sequential model = new Sequential(
        new EmbeddingBag(100, 50),                  // (B, L) ids -> (B, 50): the mean of each row's embeddings
        new Linear(50, 100), new ReLU(), new Linear(100, 2));
    Optimizer opt = new Adam(model.parameters(), Adam.Config.of(0.01));

    IndexTensor tokens = IndexTensor.fromArray(new int[][] {{4, 8, 15}, {16, 23, 42}});   // (B, L)
    Variable logits = model.forward(tokens);
    assertEquals(Shape.of(2, 2), logits.shape());
    Variable loss = new CrossEntropyLoss().apply(logits, IndexTensor.of(1, 0));
    loss.backward();
    EmbeddingBag emb = (EmbeddingBag) model.get(0);
    assertTrue(emb.hasGrad(), "the table received a gradient");
    float before = emb.weight().get(4, 0);
    opt.step();
    opt.zeroGrad();
    assertTrue(emb.weight().get(4, 0) != before, "row 4 was updated");
    assertEquals(List.of("0.weight", "1.weight", "1.bias", "3.weight", "3.bias"), List.copyOf(model.namedParameters().keySet()));
    Path file = dir.resolve("model.ckpt");
    Checkpoint.save(file, model.parameters(), opt.exportState(), Map.of());
    assertTrue(Files.size(file) > 50 * 100 * 4, "the checkpoint holds the table");
    // StateDict.load reads a PyTorch safetensors state_dict (StateDictGoldenTest) or, as here, a checkpoint
    Emb4j.manualSeed(1);
    Sequential fresh = new Sequential(new EmbeddingBag(100, 50), new Linear(50, 100), new ReLU(), new Linear(100, 2));
    StateDict.load(file, fresh);
    assertEquals(model.stateDict(), fresh.stateDict());
  }

  @Test
  void rawIdsAndCollections() {
    try (DynamicEmbeddingBag users =
        DynamicEmbeddingBag.builder(1_000_000, 32)
            .mode(BagMode.SUM)
            .sparse(true)
            .minCount(2)
            .eviction(Eviction.leastRecentlyUsed())
            .initializer(Initializer.normal(0, 0.01, 7))
            .build()) {
      Optimizer opt = new Adagrad(users.parameters(), Adagrad.Config.of(0.1));
      Variable pooled = users.forward(IndexTensor.of(Shape.of(2, 1), new long[] {8_812_733_004L, -77L}));
      assertArrayEquals(new float[64], pooled.value().data(), "first sightings read as padding");
      users.forward(IndexTensor.of(Shape.of(2, 1), new long[] {8_812_733_004L, -77L}));
      assertEquals(2, users.size(), "rows at the second sighting");
      assertEquals(3, opt.parameters().size(), "the id map and its admission counts are parameters");
    }
    EmbeddingBagCollection ebc =
        EmbeddingBagCollection.builder()
            .table("genre", EmbeddingBag.builder(19, 8).mode(BagMode.MEAN).sparse(true).build(), "genres", "liked_genres")
            .table("user", DynamicEmbeddingBag.builder(100_000, 8).mode(BagMode.SUM).sparse(true).build(), "user_id")
            .build();
    KeyedJaggedTensor batch =
        KeyedJaggedTensor.of(
            List.of("genres", "liked_genres", "user_id"),
            new long[] {7, 3, 9, 4, 1_000_000_007L, 42},
            new int[] {2, 1, 0, 1, 1, 1});
    Map<String, Variable> pooled = ebc.forward(batch);
    for (Variable v : pooled.values()) {
      assertEquals(Shape.of(2, 8), v.shape());
    }
    ebc.close();
  }
}
