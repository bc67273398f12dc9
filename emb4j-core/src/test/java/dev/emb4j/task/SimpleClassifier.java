package dev.emb4j.task;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Initializer;
import dev.emb4j.nn.Linear;
import dev.emb4j.nn.Module;
import dev.emb4j.nn.Parameter;
import dev.emb4j.nn.Parameters;
import dev.emb4j.nn.ReLU;
import dev.emb4j.tensor.IndexTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed documents' classifier, written as a user would: {@code Embedding -> mean over the sequence -> Linear ->
 * ReLU -> Linear}, producing class logits for a batch of token-id sequences {@code (B, L)}.
 */
final class SimpleClassifier implements Module {
  final Embedding embedding;
  final Linear fc1;
  final ReLU relu = new ReLU();
  final Linear fc2;

  SimpleClassifier(int vocab, int dim, int hidden, int classes, long seed) {
    embedding = Embedding.builder(vocab, dim).initializer(Initializer.normal(seed)).build();
    fc1 = new Linear(dim, hidden, seed + 1);
    fc2 = new Linear(hidden, classes, seed + 2);
  }

  Variable logits(IndexTensor tokens) {
    Variable pooled = Ops.meanDim(embedding.apply(tokens), 1);
    return fc2.apply(relu.apply(fc1.apply(pooled)));
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> out = new ArrayList<>();
    out.addAll(Parameters.named("embedding", embedding));
    out.addAll(Parameters.named("fc1", fc1));
    out.addAll(Parameters.named("fc2", fc2));
    return out;
  }
}
