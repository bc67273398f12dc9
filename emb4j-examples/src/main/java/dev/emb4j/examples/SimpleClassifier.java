package dev.emb4j.examples;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.GradMode;
import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.checkpoint.StateDict;
import dev.emb4j.metrics.ClassificationMetrics;
import dev.emb4j.nn.CrossEntropyLoss;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Linear;
import dev.emb4j.nn.Model;
import dev.emb4j.optim.Adam;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.MiniBatches;
import dev.emb4j.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The seeds' classifier written as in PyTorch: Embedding(100, 50) -> mean over the sequence -> Linear(50, 100) ->
 * ReLU -> Linear(100, 2), trained with Adam on a synthetic task (a sequence of 10 tokens is class 1 when one of the
 * tokens 0..4 occurs in it), then saved and reloaded by name ({@code embedding.weight}, {@code fc1.weight}, ...).
 * Deterministic: {@link Emb4j#manualSeed(long)} fixes the initial weights and the seeded batches fix the order.
 *
 * <p>The model, its training, evaluation and the save/reload take 38 lines of Java, 30 of them without the lines that
 * only close a brace (counted: the class body without the {@link #synthetic} data generator, blank lines and
 * comments). The same program in PyTorch takes about 22.
 */
public final class SimpleClassifier extends Model {
  final Embedding embedding = register("embedding", new Embedding(100, 50));
  final Linear fc1 = register("fc1", new Linear(50, 100));
  final Linear fc2 = register("fc2", new Linear(100, 2));

  Variable forward(IndexTensor tokens) {
    Variable x = Ops.meanDim(embedding.forward(tokens), 1); // (B, L, 50) -> (B, 50)
    return fc2.forward(Ops.relu(fc1.forward(x)));
  }

  IndexTensor predict(IndexTensor tokens) {
    eval();
    try (var _ = GradMode.disable()) { // PyTorch's torch.no_grad()
      return forward(tokens).value().argmax(1);
    }
  }

  /** Trains the model, prints its test accuracy, saves and reloads it and prints whether the reloaded one agrees. */
  public static void main(String[] args) throws IOException {
    Emb4j.manualSeed(0);
    Dataset train = synthetic(4000, 1);
    Dataset test = synthetic(1000, 2);
    SimpleClassifier model = new SimpleClassifier();
    Adam optimizer = new Adam(model.parameters(), Adam.Config.of(0.01));
    CrossEntropyLoss loss = new CrossEntropyLoss();
    for (int epoch = 0; epoch < 5; epoch++) {
      for (IndexTensor batch : MiniBatches.of(train.size(), 32).shuffle(epoch)) {
        loss.apply(model.forward(train.tokens().index(batch)), train.labels().index(batch)).backward();
        optimizer.step();
        optimizer.zeroGrad();
      }
    }
    IndexTensor predicted = model.predict(test.tokens());
    var metrics = ClassificationMetrics.of(predicted.toIntArray(), test.labels().toIntArray(), 2);
    System.out.println("test accuracy: " + metrics.accuracy());

    Path file = Files.createTempFile("simple-classifier", ".ckpt");
    StateDict.save(file, model);
    SimpleClassifier reloaded = new SimpleClassifier(); // fresh random weights, then the saved ones
    StateDict.load(file, reloaded);
    System.out.println("reloaded model predicts the same: " + reloaded.predict(test.tokens()).equals(predicted));
    Files.delete(file);
  }

  /** Token sequences {@code (N, 10)} and their labels {@code (N)}. */
  record Dataset(IndexTensor tokens, IndexTensor labels) {
    int size() {
      return labels.numel();
    }
  }

  /** {@code n} sequences of 10 tokens from a vocabulary of 100; the label is 1 when one of the tokens 0..4 occurs. */
  static Dataset synthetic(int n, long seed) {
    int[] tokens = new SplittableRandom(seed).ints(n * 10L, 0, 100).toArray();
    int[] labels = new int[n];
    for (int i = 0; i < tokens.length; i++) {
      labels[i / 10] |= tokens[i] < 5 ? 1 : 0;
    }
    return new Dataset(IndexTensor.of(Shape.of(n, 10), tokens), IndexTensor.of(labels));
  }
}
