package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.GradMode;
import dev.emb4j.checkpoint.StateDict;
import dev.emb4j.checkpoint.Checkpoint;
import dev.emb4j.metrics.ClassificationMetrics;
import dev.emb4j.nn.CrossEntropyLoss;
import dev.emb4j.optim.Adam;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.OptimizerState;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.MiniBatches;
import dev.emb4j.tensor.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds' SimpleClassifier (vocab 100, dim 50, hidden 100, 2 classes) learns a synthetic task: a sequence is
 * class 1 when most of its tokens come from the lower half of the vocabulary.
 */
class SimpleClassifierTest {
  private static final int VOCAB = 100;
  private static final int LEN = 11;

  /** Token rows {@code (N, LEN)} and one label per row. */
  private record Data(IndexTensor tokens, IndexTensor labels) {
    int size() {
      return labels.numel();
    }
  }

  private static Data synthetic(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] x = new int[n * LEN];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int low = 0;
      for (int j = 0; j < LEN; j++) {
        x[i * LEN + j] = rng.nextInt(VOCAB);
        low += x[i * LEN + j] < VOCAB / 2 ? 1 : 0;
      }
      y[i] = low > LEN / 2 ? 1 : 0;
    }
    return new Data(IndexTensor.of(Shape.of(n, LEN), x), IndexTensor.of(y));
  }

  /** The seeds' model, initialised after {@code Emb4j.manualSeed(seed)}. */
  private static SimpleClassifier newModel(long seed) {
    Emb4j.manualSeed(seed);
    return new SimpleClassifier(VOCAB, 50, 100, 2);
  }

  private static SimpleClassifier train(Data data, long seed, int epochs) {
    SimpleClassifier model = newModel(seed);
    Optimizer opt = new Adam(model.parameters(), Adam.Config.of(0.01));
    CrossEntropyLoss loss = new CrossEntropyLoss();
    MiniBatches batches = MiniBatches.of(data.size(), 32).shuffle(seed);
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (IndexTensor batch : batches) {
        loss.apply(model.forward(data.tokens().index(batch)), data.labels().index(batch)).backward();
        opt.step();
        opt.zeroGrad();
      }
    }
    return model;
  }

  private static FloatTensor logits(SimpleClassifier model, IndexTensor tokens) {
    model.eval();
    try (var _ = GradMode.disable()) {
      return model.forward(tokens).value();
    }
  }

  @Test
  void learnsTheTaskAndAReloadedModelPredictsTheSame(@TempDir Path dir) throws Exception {
    Data train = synthetic(4000, 1);
    Data test = synthetic(1000, 2);
    SimpleClassifier model = train(train, 7, 6);
    int[] predicted = logits(model, test.tokens()).argmax(1).toIntArray();
    double accuracy = ClassificationMetrics.of(predicted, test.labels().toIntArray(), 2).accuracy();
    assertTrue(accuracy >= 0.99, "test accuracy " + accuracy);

    Path file = dir.resolve("classifier.ckpt");
    StateDict.save(file, model);
    SimpleClassifier fresh = newModel(99);
    StateDict.load(file, fresh);
    assertArrayEquals(predicted, logits(fresh, test.tokens()).argmax(1).toIntArray());
    assertEquals(logits(model, test.tokens()), logits(fresh, test.tokens()), "bit-identical logits");
  }

  @Test
  void singleThreadedTrainingIsBitForBitRepeatable() {
    Data data = synthetic(600, 3);
    assertEquals(train(data, 5, 2).stateDict(), train(data, 5, 2).stateDict());
  }

  @Test
  void resumingFromACheckpointContinuesExactly(@TempDir Path dir) throws Exception {
    Data data = synthetic(400, 4);
    SimpleClassifier straight = newModel(11);
    Optimizer o1 = new Adam(straight.parameters(), Adam.Config.of(0.01));
    SimpleClassifier resumed = newModel(11);
    Optimizer o2 = new Adam(resumed.parameters(), Adam.Config.of(0.01));
    CrossEntropyLoss loss = new CrossEntropyLoss();
    int step = 0;
    for (IndexTensor batch : MiniBatches.of(300, 50)) {
      for (SimpleClassifier m : List.of(straight, resumed)) {
        Optimizer o = m == straight ? o1 : o2;
        loss.apply(m.forward(data.tokens().index(batch)), data.labels().index(batch)).backward();
        o.step();
        o.zeroGrad();
      }
      if (step++ == 2) {
        Path file = dir.resolve("mid.ckpt");
        Checkpoint.save(file, resumed.parameters(), o2.exportState(), Map.of());
        resumed = newModel(12345);
        o2 = new Adam(resumed.parameters(), Adam.Config.of(0.01));
        OptimizerState state = Checkpoint.load(file, resumed.parameters());
        o2.importState(state);
      }
    }
    assertEquals(straight.stateDict(), resumed.stateDict());
  }
}
