package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.GradMode;
import dev.emb4j.autograd.Variable;
import dev.emb4j.io.Checkpoint;
import dev.emb4j.metrics.ClassificationMetrics;
import dev.emb4j.nn.CrossEntropyLoss;
import dev.emb4j.nn.Parameter;
import dev.emb4j.optim.Adam;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.OptimizerState;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
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

  private record Data(int[][] tokens, int[] labels) {}

  private static Data synthetic(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[][] x = new int[n][LEN];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int low = 0;
      for (int j = 0; j < LEN; j++) {
        x[i][j] = rng.nextInt(VOCAB);
        low += x[i][j] < VOCAB / 2 ? 1 : 0;
      }
      y[i] = low > LEN / 2 ? 1 : 0;
    }
    return new Data(x, y);
  }

  private static IndexTensor batch(int[][] tokens, int from, int to) {
    int[] flat = new int[(to - from) * LEN];
    for (int i = from; i < to; i++) {
      System.arraycopy(tokens[i], 0, flat, (i - from) * LEN, LEN);
    }
    return IndexTensor.of(Shape.of(to - from, LEN), flat);
  }

  /** The seeds' model (vocab 100, dim 50, hidden 100, 2 classes), initialised after {@code Emb4j.manualSeed(seed)}. */
  private static SimpleClassifier newModel(long seed) {
    Emb4j.manualSeed(seed);
    return new SimpleClassifier(VOCAB, 50, 100, 2);
  }

  private static SimpleClassifier train(Data data, long seed, int epochs) {
    SimpleClassifier model = newModel(seed);
    Optimizer opt = new Adam(model.parameters(), Adam.Config.of(0.01));
    CrossEntropyLoss loss = new CrossEntropyLoss();
    int n = data.labels().length;
    int bs = 32;
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int from = 0; from < n; from += bs) {
        int to = Math.min(n, from + bs);
        int[] y = java.util.Arrays.copyOfRange(data.labels(), from, to);
        Variable l = loss.apply(model.forward(batch(data.tokens(), from, to)), y);
        l.backward();
        opt.step();
        opt.zeroGrad();
      }
    }
    return model;
  }

  private static int[] predict(SimpleClassifier model, Data data) {
    try (var _ = GradMode.disable()) {
      FloatTensor logits = model.forward(batch(data.tokens(), 0, data.labels().length)).value();
      int[] pred = new int[data.labels().length];
      for (int i = 0; i < pred.length; i++) {
        pred[i] = logits.at(i, 1) > logits.at(i, 0) ? 1 : 0;
      }
      return pred;
    }
  }

  @Test
  void learnsTheTaskAndACheckpointPredictsTheSame(@TempDir Path dir) throws Exception {
    Data train = synthetic(4000, 1);
    Data test = synthetic(1000, 2);
    SimpleClassifier model = train(train, 7, 6);
    int[] predicted = predict(model, test);
    double accuracy = ClassificationMetrics.of(predicted, test.labels(), 2).accuracy();
    assertTrue(accuracy >= 0.99, "test accuracy " + accuracy);

    Path file = dir.resolve("classifier.ckpt");
    Checkpoint.save(file, model.parameters(), null, Map.of("model", "SimpleClassifier"));
    SimpleClassifier fresh = newModel(99);
    Checkpoint.load(file, fresh.parameters());
    assertArrayEquals(predicted, predict(fresh, test));
    try (var _ = GradMode.disable()) {
      IndexTensor sample = batch(test.tokens(), 0, 50);
      assertEquals(model.forward(sample).value(), fresh.forward(sample).value(), "bit-identical logits");
    }
  }

  @Test
  void singleThreadedTrainingIsBitForBitRepeatable() {
    Data data = synthetic(600, 3);
    SimpleClassifier a = train(data, 5, 2);
    SimpleClassifier b = train(data, 5, 2);
    List<Parameter> pa = a.parameters();
    List<Parameter> pb = b.parameters();
    for (int k = 0; k < pa.size(); k++) {
      assertEquals(pa.get(k).value().toTensor(), pb.get(k).value().toTensor(), pa.get(k).name());
    }
  }

  @Test
  void resumingFromACheckpointContinuesExactly(@TempDir Path dir) throws Exception {
    Data data = synthetic(400, 4);
    SimpleClassifier straight = newModel(11);
    Optimizer o1 = new Adam(straight.parameters(), Adam.Config.of(0.01));
    SimpleClassifier resumed = newModel(11);
    Optimizer o2 = new Adam(resumed.parameters(), Adam.Config.of(0.01));
    CrossEntropyLoss loss = new CrossEntropyLoss();
    for (int step = 0; step < 6; step++) {
      int from = step * 50;
      int[] y = java.util.Arrays.copyOfRange(data.labels(), from, from + 50);
      for (SimpleClassifier m : List.of(straight, resumed)) {
        Optimizer o = m == straight ? o1 : o2;
        loss.apply(m.forward(batch(data.tokens(), from, from + 50)), y).backward();
        o.step();
        o.zeroGrad();
      }
      if (step == 2) {
        Path file = dir.resolve("mid.ckpt");
        Checkpoint.save(file, resumed.parameters(), o2.exportState(), Map.of());
        resumed = newModel(12345);
        o2 = new Adam(resumed.parameters(), Adam.Config.of(0.01));
        OptimizerState state = Checkpoint.load(file, resumed.parameters());
        o2.importState(state);
      }
    }
    for (int k = 0; k < straight.parameters().size(); k++) {
      assertEquals(
          straight.parameters().get(k).value().toTensor(),
          resumed.parameters().get(k).value().toTensor(),
          straight.parameters().get(k).name());
    }
  }
}
