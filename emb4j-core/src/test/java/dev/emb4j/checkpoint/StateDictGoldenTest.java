package dev.emb4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emb4j.autograd.GradMode;
import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Linear;
import dev.emb4j.nn.Model;
import dev.emb4j.nn.ReLU;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PyTorch {@code state_dict} saved as safetensors (by tools/golden/generate_state_dict_golden.py) loads into the
 * same model written with emb4j, which then computes PyTorch's logits.
 */
class StateDictGoldenTest {
  private static final Path DIR = resources();

  private static Path resources() {
    try {
      return Path.of(StateDictGoldenTest.class.getResource("/state_dict/expected.safetensors").toURI()).getParent();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The script's model, line for line. */
  static final class SimpleClassifier extends Model {
    final Embedding embedding;
    final Linear fc1;
    final ReLU relu = register("relu", new ReLU());
    final Linear fc2;

    SimpleClassifier(int vocab, int dim, int hidden, int classes) {
      embedding = register("embedding", Embedding.builder(vocab, dim).build());
      fc1 = register("fc1", new Linear(dim, hidden));
      fc2 = register("fc2", new Linear(hidden, classes));
    }

    Variable forward(IndexTensor x) {
      return fc2.forward(relu.forward(fc1.forward(Ops.meanDim(embedding.forward(x), 1))));
    }
  }

  /** Another model over the same table name. */
  static final class OneLayer extends Model {
    final Embedding embedding = register("embedding", Embedding.builder(20, 6).build());
    final Linear head = register("head", new Linear(6, 3));
  }

  private static FloatTensor logits(SimpleClassifier model, IndexTensor ids) {
    try (var _ = GradMode.disable()) {
      return model.forward(ids).value();
    }
  }

  @Test
  void aPyTorchStateDictGivesPyTorchsOutputs() throws Exception {
    Map<String, FloatTensor> expected = StateDict.readSafeTensors(DIR.resolve("expected.safetensors"));
    FloatTensor in = expected.get("input");
    int[] ids = new int[in.numel()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (int) in.get(i);
    }
    IndexTensor batch = IndexTensor.of(in.shape(), ids);
    SimpleClassifier model = new SimpleClassifier(20, 6, 8, 3);
    StateDict.load(DIR.resolve("simple_classifier.safetensors"), model);

    Map<String, FloatTensor> saved = StateDict.readSafeTensors(DIR.resolve("simple_classifier.safetensors"));
    assertEquals(List.copyOf(saved.keySet()), List.copyOf(model.stateDict().keySet()), "PyTorch's keys and order");
    assertEquals(saved, model.stateDict(), "every value copied bit for bit, with PyTorch's shapes");
    FloatTensor torch = expected.get("logits");
    FloatTensor ours = logits(model, batch);
    assertEquals(torch.shape(), ours.shape());
    // the same float32 operations; the summation order inside mean and matmul differs, by an ulp here and there
    assertArrayEquals(torch.data(), ours.data(), 1e-6f);
    assertEquals(torch.argmax(1), ours.argmax(1));
  }

  @Test
  void everyMismatchIsListedAndNothingChanges() throws Exception {
    Path file = DIR.resolve("simple_classifier.safetensors");
    SimpleClassifier wider = new SimpleClassifier(20, 6, 9, 3);
    Map<String, FloatTensor> before = wider.stateDict();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.load(file, wider));
    assertEquals(
        file + ": Error(s) in loading state_dict for SimpleClassifier (nothing was loaded):\n"
            + "\tsize mismatch for fc1.weight: copying a param with shape [8, 6] from the state dict, the shape in the"
            + " model is [9, 6].\n"
            + "\tsize mismatch for fc1.bias: copying a param with shape [8] from the state dict, the shape in the model"
            + " is [9].\n"
            + "\tsize mismatch for fc2.weight: copying a param with shape [3, 8] from the state dict, the shape in the"
            + " model is [3, 9].",
        e.getMessage());
    assertEquals(before, wider.stateDict());

    e = assertThrows(IllegalArgumentException.class, () -> StateDict.load(file, new OneLayer()));
    assertEquals(
        file + ": Error(s) in loading state_dict for OneLayer (nothing was loaded):\n"
            + "\tMissing key(s) in state_dict: \"head.weight\", \"head.bias\".\n"
            + "\tUnexpected key(s) in state_dict: \"fc1.weight\", \"fc1.bias\", \"fc2.weight\", \"fc2.bias\".",
        e.getMessage());
  }

  @Test
  void aModelSavedByNameLoadsBack(@TempDir Path dir) throws Exception {
    SimpleClassifier model = new SimpleClassifier(20, 6, 8, 3);
    StateDict.load(DIR.resolve("simple_classifier.safetensors"), model);
    Path file = dir.resolve("model.ckpt");
    StateDict.save(file, model);
    SimpleClassifier fresh = new SimpleClassifier(20, 6, 8, 3);
    StateDict.load(file, fresh);
    assertEquals(model.stateDict(), fresh.stateDict());
    IndexTensor ids = IndexTensor.of(Shape.of(1, 3), new int[] {1, 2, 3});
    assertEquals(logits(model, ids), logits(fresh, ids));
    assertEquals(true, Files.size(file) > 0);
  }
}
