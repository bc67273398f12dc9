package dev.emb4j.task;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Linear;
import dev.emb4j.nn.Model;
import dev.emb4j.nn.ReLU;
import dev.emb4j.tensor.IndexTensor;

/** The seeds' classifier as a PyTorch user writes it: Embedding -> mean over the sequence -> Linear -> ReLU -> Linear. */
final class SimpleClassifier extends Model {
  final Embedding embedding;
  final Linear fc1;
  final ReLU relu = register("relu", new ReLU());
  final Linear fc2;

  SimpleClassifier(int vocab, int dim, int hidden, int classes) {
    embedding = register("embedding", new Embedding(vocab, dim));
    fc1 = register("fc1", new Linear(dim, hidden));
    fc2 = register("fc2", new Linear(hidden, classes));
  }

  Variable forward(IndexTensor tokens) {
    Variable x = Ops.meanDim(embedding.forward(tokens), 1); // (B, L, D) -> (B, D)
    return fc2.forward(relu.forward(fc1.forward(x)));
  }
}
