package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.GradMode;
import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The base model: names, train/eval, closing, registration checks, seeds, and the recording lookup. */
class ModelTest {

  static final class Net extends Model {
    final Embedding embedding = register("embedding", Embedding.builder(10, 4).build());
    final Linear fc1 = register("fc1", new Linear(4, 3));
    final Dropout dropout = register("dropout", new Dropout(0.5));
    final Linear fc2 = register("fc2", new Linear(3, 2, false));

    Variable forward(IndexTensor ids) {
      return fc2.forward(dropout.forward(Ops.relu(fc1.forward(Ops.meanDim(embedding.forward(ids), 1)))));
    }
  }

  @Test
  void parametersAreNamedAsPyTorchNamesThem() {
    Net net = new Net();
    assertEquals(
        List.of("embedding.weight", "fc1.weight", "fc1.bias", "fc2.weight"),
        List.copyOf(net.namedParameters().keySet()));
    for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
      assertEquals(e.getKey(), e.getValue().name());
    }
    assertEquals(Shape.of(3), net.fc1.bias().shape());
    assertEquals(Shape.of(3, 4), net.stateDict().get("fc1.weight").shape());
    assertEquals(List.of("embedding", "fc1", "dropout", "fc2"), List.copyOf(net.namedChildren().keySet()));
  }

  @Test
  void evalReachesADropoutField() {
    Net net = new Net();
    assertTrue(net.dropout.isTraining());
    net.eval();
    assertFalse(net.dropout.isTraining());
    Variable x = Variable.constant(FloatTensor.of(Shape.of(1, 4), 1, 2, 3, 4));
    assertSame(x, net.dropout.forward(x), "dropout passes values through in eval mode");
    net.train();
    assertTrue(net.dropout.isTraining() && net.fc1.isTraining());
  }

  @Test
  void aNameClashIsAnErrorAtRegistration() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Model() {
                  final Linear a = register("fc", new Linear(2, 2));
                  final Linear b = register("fc", new Linear(2, 2));
                });
    assertTrue(e.getMessage().contains("the name 'fc' is already taken"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Model() {
      final Linear a = register("a.b", new Linear(2, 2));
    });
  }

  static final class Forgetful extends Model {
    final Linear fc1 = register("fc1", new Linear(2, 2));
    final Dropout dropout = new Dropout(0.1);
  }

  @Test
  void anUnregisteredFieldIsReportedByName() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Forgetful().parameters());
    assertTrue(
        e.getMessage().startsWith("field 'dropout' of Forgetful holds Dropout(p=0.1) but it was never registered"),
        e.getMessage());
    assertThrows(IllegalStateException.class, () -> new Forgetful().eval());
  }

  @Test
  void closeFreesOffHeapTablesOfChildren() {
    Embedding table = Embedding.builder(4, 2).storage(Storage.OFF_HEAP).build();
    Sequential seq = new Sequential(table, new ReLU());
    seq.close();
    assertThrows(IllegalStateException.class, () -> table.lookup(IndexTensor.of(1)));
    seq.close(); // twice is harmless
  }

  @Test
  void aTableStartsASequential() {
    Emb4j.manualSeed(3);
    Sequential seq = new Sequential(EmbeddingBag.builder(10, 4).build(), new Linear(4, 2));
    Variable out = seq.forward(IndexTensor.fromArray(new int[][] {{1, 2}, {3, 4}, {5, 6}}));
    assertEquals(Shape.of(3, 2), out.shape());
    assertTrue(out.requiresGrad());
    assertEquals(List.of("0.weight", "1.weight", "1.bias"), List.copyOf(seq.namedParameters().keySet()));
    assertThrows(IllegalStateException.class, () -> seq.forward(out));
    assertEquals("Sequential(\n  (0): EmbeddingBag(10, 4, mode=MEAN)\n  (1): Linear(4, 2)\n)", seq.toString());
  }

  @Test
  void manualSeedMakesDefaultLayersReproducibleAndDistinct() {
    Emb4j.manualSeed(42);
    Net a = new Net();
    Embedding extra = Embedding.builder(10, 4).build();
    Emb4j.manualSeed(42);
    Net b = new Net();
    assertEquals(a.stateDict(), b.stateDict());
    assertNotEquals(a.embedding.weightTensor(), extra.weightTensor(), "two default tables differ");
    assertEquals(42, Emb4j.initialSeed());
    assertEquals(
        Linear.seeded(3, 2, true, 7).weight().tensor(), Linear.seeded(3, 2, true, 7).weight().tensor(), "own seed");
  }

  @Test
  void theForwardCallRecordsAndLookupDoesNot() {
    try (Embedding emb = Embedding.builder(5, 2).build()) {
      IndexTensor ids = IndexTensor.of(1, 1, 4);
      Variable rows = emb.forward(ids);
      assertTrue(rows.requiresGrad(), "emb(x) has a grad_fn");
      Ops.sum(rows).backward();
      assertEquals(FloatTensor.of(Shape.of(5, 2), 0, 0, 2, 2, 0, 0, 0, 0, 1, 1), emb.grad().toDense());
      emb.zeroGrad();
      assertEquals(emb.lookup(ids), rows.value());
      IllegalStateException e = assertThrows(IllegalStateException.class, emb::grad);
      assertEquals(
          "Embedding(5, 2) has no gradient: its lookups since the last zeroGrad() went through lookup(), which records"
              + " nothing; call forward(...) with gradients enabled to train it",
          e.getMessage());
      emb.zeroGrad();
      try (var _ = GradMode.disable()) {
        assertFalse(emb.forward(ids).requiresGrad());
      }
      assertTrue(assertThrows(IllegalStateException.class, emb::grad).getMessage().contains("gradients disabled"));
    }
  }

  @Test
  void aFrozenTableSaysSoWhenAskedForItsGradient() {
    try (Embedding pre = Embedding.fromPretrained(new float[][] {{1, 2}, {3, 4}}).build()) {
      assertFalse(pre.forward(IndexTensor.of(0)).requiresGrad());
      IllegalStateException e = assertThrows(IllegalStateException.class, pre::grad);
      assertEquals(
          "Embedding(2, 2, frozen=true) has no gradient: it is frozen (fromPretrained and wrap freeze a table unless"
              + " freeze(false) is set)",
          e.getMessage());
    }
  }

  @Test
  void loadStateDictListsEveryMismatchAndChangesNothing() {
    Net net = new Net();
    Map<String, FloatTensor> before = net.stateDict();
    Map<String, FloatTensor> bad = new java.util.LinkedHashMap<>(before);
    bad.remove("fc1.bias");
    bad.put("fc1.weight", FloatTensor.zeros(Shape.of(4, 3)));
    bad.put("fc3.weight", FloatTensor.zeros(Shape.of(1)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(bad));
    assertEquals(
        "Error(s) in loading state_dict for Net (nothing was loaded):\n"
            + "\tMissing key(s) in state_dict: \"fc1.bias\".\n"
            + "\tUnexpected key(s) in state_dict: \"fc3.weight\".\n"
            + "\tsize mismatch for fc1.weight: copying a param with shape [4, 3] from the state dict, the shape in the"
            + " model is [3, 4].",
        e.getMessage());
    assertEquals(before, net.stateDict());
    Net other = new Net();
    other.loadStateDict(before);
    assertEquals(before, other.stateDict());
  }
}
