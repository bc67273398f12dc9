package dev.emb4j.task.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.checkpoint.CheckpointFormatException;
import dev.emb4j.store.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextClassifierTest {
  @TempDir Path dir;

  /** Texts of 6-12 filler words plus, for sport/tech, a few topic words; a word pair "not good" flips mood. */
  static List<LabeledText> synthetic(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    String[] sport = {"goal", "match", "team", "score", "league"};
    String[] tech = {"code", "cpu", "java", "compiler", "cloud"};
    List<LabeledText> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean isSport = rng.nextBoolean();
      List<String> tokens = new ArrayList<>();
      int len = 6 + rng.nextInt(7);
      for (int j = 0; j < len; j++) {
        tokens.add(rng.nextInt(4) == 0 ? (isSport ? sport : tech)[rng.nextInt(5)] : "w" + rng.nextInt(200));
      }
      tokens.add(isSport ? sport[rng.nextInt(5)] : tech[rng.nextInt(5)]);
      out.add(new LabeledText(isSport ? "sport" : "tech", tokens, i + 1));
    }
    return out;
  }

  private static TextClassifierTrainer.Config config(int threads, int hidden) {
    return TextClassifierTrainer.Config.builder()
        .dim(16)
        .epochs(10)
        .buckets(10_000)
        .hidden(hidden)
        .threads(threads)
        .seed(3)
        .build();
  }

  @Test
  void learnsASyntheticTaskWithAndWithoutHiddenLayerAndThreads() {
    List<LabeledText> train = synthetic(2000, 1);
    List<LabeledText> test = synthetic(500, 2);
    for (int[] c : new int[][] {{1, 0}, {2, 0}, {1, 8}}) {
      TextClassifierTrainer.Result r = new TextClassifierTrainer(config(c[0], c[1])).train(train);
      double acc = r.model().evaluate(test).accuracy();
      assertTrue(acc >= 0.97, "threads " + c[0] + ", hidden " + c[1] + ": accuracy " + acc);
      assertEquals(c[0], r.threads());
      assertTrue(r.tokens() > 0 && r.wordsPerSecondPerThread() > 0);
    }
  }

  @Test
  void oneThreadIsRepeatableAndASavedModelPredictsTheSame() throws Exception {
    List<LabeledText> train = synthetic(500, 4);
    TextClassifier a = new TextClassifierTrainer(config(1, 0)).train(train).model();
    TextClassifier b = new TextClassifierTrainer(config(1, 0)).train(train).model();
    String text = "the team scored a goal w17 w3";
    assertArrayEquals(a.probabilities(text), b.probabilities(text));
    Path file = dir.resolve("c.model");
    a.save(file);
    TextClassifier loaded = TextClassifier.load(file);
    assertArrayEquals(a.probabilities(text), loaded.probabilities(text));
    assertEquals(a.labels(), loaded.labels());
    assertEquals("sport", loaded.predict(text, 1).get(0).label());
    assertEquals(2, loaded.predict(text, 5).size());
  }

  @Test
  void aQuantizedCopyPredictsAlmostTheSameAndSavesAndLoadsQuantized() throws Exception {
    List<LabeledText> train = synthetic(1000, 5);
    List<LabeledText> test = synthetic(300, 6);
    TextClassifier model = new TextClassifierTrainer(config(1, 8)).train(train).model();
    for (DType type : new DType[] {DType.INT8, DType.INT4}) {
      TextClassifier q = model.quantize(type);
      assertEquals(type, q.dtype());
      assertEquals(model.evaluate(test).accuracy(), q.evaluate(test).accuracy(), 0.02, type.label());
      Path file = dir.resolve(type.label() + ".model");
      q.save(file);
      Path full = dir.resolve("f32.model");
      model.save(full);
      assertTrue(Files.size(file) < Files.size(full) / 2, // 16-value rows: 24 or 12 bytes instead of 64
           Files.size(file) + " vs " + Files.size(full) + " bytes");
      TextClassifier loaded = TextClassifier.load(file);
      assertEquals(type, loaded.dtype());
      String text = "the team scored a goal w17 w3";
      assertArrayEquals(q.probabilities(text), loaded.probabilities(text));
    }
    assertEquals(DType.F32, model.dtype());
  }

  @Test
  void nearestWordsFindTopicNeighbours() {
    TextClassifier m = new TextClassifierTrainer(config(1, 0)).train(synthetic(2000, 5)).model();
    List<TextClassifier.Prediction> near = m.nearestWords("goal", 3);
    assertEquals(3, near.size());
    assertTrue(
        near.stream().anyMatch(p -> List.of("match", "team", "score", "league").contains(p.label())),
        "a sport word is among goal's neighbours: " + near);
    assertThrows(IllegalArgumentException.class, () -> m.nearestWords("zzz-unknown", 3));
  }

  @Test
  void clearErrors() throws Exception {
    TextClassifierTrainer t = new TextClassifierTrainer(config(1, 0));
    assertThrows(IllegalArgumentException.class, () -> t.train(List.of()));
    IllegalArgumentException one =
        assertThrows(
            IllegalArgumentException.class, () -> t.train(List.of(new LabeledText("a", List.of("x"), 1))));
    assertTrue(one.getMessage().contains("only one label"), one.getMessage());
    TextClassifier m = t.train(synthetic(100, 6)).model();
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> m.evaluate(List.of(new LabeledText("politics", List.of("vote"), 7))));
    assertTrue(unknown.getMessage().contains("'politics' on line 7 was not seen in training"), unknown.getMessage());
    Path notModel = dir.resolve("x.txt");
    Files.writeString(notModel, "hello");
    assertThrows(CheckpointFormatException.class, () -> TextClassifier.load(notModel));
  }
}
