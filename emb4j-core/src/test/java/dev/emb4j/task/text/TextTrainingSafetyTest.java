package dev.emb4j.task.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.io.Vectors;
import dev.emb4j.task.EpochSummary;
import dev.emb4j.task.TrainingDivergedException;
import dev.emb4j.task.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text classifier's trainer refuses to return a diverged model, reports validation loss and accuracy per epoch,
 * rejects an empty vocabulary and impossible layer sizes with messages naming the option, and exports word vectors.
 */
class TextTrainingSafetyTest {

  private static TextClassifierTrainer.Config.Builder small() {
    return TextClassifierTrainer.Config.builder().dim(8).epochs(3).buckets(1000).seed(5);
  }

  @Test
  void aDivergingRunStopsNamingTheEpoch() {
    for (int threads : new int[] {1, 2}) {
      TextClassifierTrainer t = new TextClassifierTrainer(small().learningRate(1e30).threads(threads).build());
      TrainingDivergedException e =
          assertThrows(TrainingDivergedException.class, () -> t.train(TextClassifierTest.synthetic(400, 1)));
      assertTrue(e.getMessage().startsWith("training diverged in epoch " + e.epoch() + " of 3"), e.getMessage());
      assertTrue(e.getMessage().endsWith("try a learning rate below 1.0E30"), e.getMessage());
    }
  }

  @Test
  void validationLossAndAccuracyAfterEveryEpoch() {
    List<EpochSummary> heard = new ArrayList<>();
    TrainingListener listener =
        new TrainingListener() {
          @Override
          public void onStep(dev.emb4j.task.TrainingStep step) {}

          @Override
          public void onEpoch(EpochSummary epoch) {
            heard.add(epoch);
          }
        };
    TextClassifierTrainer.Result r =
        new TextClassifierTrainer(small().build())
            .train(TextClassifierTest.synthetic(1000, 1), TextClassifierTest.synthetic(200, 2), listener);
    assertEquals(heard, r.history());
    assertEquals(3, heard.size());
    assertEquals(List.of("loss", "accuracy"), List.copyOf(heard.get(2).validation().keySet()));
    assertTrue(heard.get(2).validation().get("accuracy") > 0.9, heard.toString());
    assertTrue(heard.get(2).validation().get("loss") < heard.get(0).validation().get("loss"), heard.toString());
    assertTrue(heard.get(0).learningRate() > heard.get(2).learningRate());

    List<LabeledText> unknownLabel = List.of(new LabeledText("music", List.of("guitar"), 7));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TextClassifierTrainer(small().build())
                .train(TextClassifierTest.synthetic(100, 1), unknownLabel, TrainingListener.NONE));
    assertTrue(
        e.getMessage().startsWith("validation label 'music' on line 7 was not seen in training (known: "),
        e.getMessage());
  }

  @Test
  void anEmptyVocabularyIsAnError() {
    TextClassifierTrainer t = new TextClassifierTrainer(small().minCount(1_000_000).build());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> t.train(TextClassifierTest.synthetic(100, 1)));
    assertEquals("empty vocabulary: no word occurs at least 1000000 times (minCount)", e.getMessage());
  }

  @Test
  void messagesNameTheValueAtFault() {
    IllegalArgumentException ngrams =
        assertThrows(IllegalArgumentException.class, () -> small().ngrams(0).buckets(0).build());
    assertEquals("ngrams must be at least 1, got 0", ngrams.getMessage());
    IllegalArgumentException hidden =
        assertThrows(IllegalArgumentException.class, () -> small().dim(50).hidden(100_000_000).build());
    assertEquals(
        "hidden=100000000 x dim=50 = 5000000000 weights are more than one dense layer holds (2147483639)",
        hidden.getMessage());
  }

  @Test
  void parameterBytesCoverEveryTable() {
    TextClassifier.Shape fastText = new TextClassifier.Shape(10, 2, 100, 0, true);
    assertEquals(4 * ((7 + 100) * 10 + 3 * 10), fastText.parameterBytes(7, 3));
    TextClassifier.Shape hidden = new TextClassifier.Shape(10, 1, 0, 4, true);
    assertEquals(4 * (7 * 10 + 4 * 10 + 4 + 3 * 4), hidden.parameterBytes(7, 3));
    TextClassifier.Shape huge = new TextClassifier.Shape(Integer.MAX_VALUE, 2, Integer.MAX_VALUE, 0, true);
    assertEquals(Long.MAX_VALUE, huge.parameterBytes(Integer.MAX_VALUE, 2), "saturates instead of overflowing");
  }

  @Test
  void wordVectorsAreTheWordRowsWithoutTheBuckets() {
    TextClassifier m = new TextClassifierTrainer(small().build()).train(TextClassifierTest.synthetic(300, 1)).model();
    try (Vectors v = m.wordVectors()) {
      assertEquals(m.vocabularySize(), v.size());
      assertEquals(8, v.dim());
      assertTrue(v.indexOf(TextClassifier.EOS) >= 0, "the end-of-text token, as fastText's .vec");
      float[] row = new float[8];
      m.input.weight().readRow(m.words.id("goal"), row, 0);
      assertArrayEquals(row, v.vector("goal"));
    }
  }
}
