package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emb4j.task.MatrixFactorizationTrainer.OptimizerKind;
import dev.emb4j.task.text.TextClassifierTrainer;
import org.junit.jupiter.api.Test;

/** The task configs' builders: defaults, a changed option, copies, validation. */
class TrainerConfigTest {

  @Test
  void theFeatureDefaultsDifferFromTheDefaultsInTheEpochsAlone() {
    MatrixFactorizationTrainer.Config d = MatrixFactorizationTrainer.Config.defaults();
    MatrixFactorizationTrainer.Config f = MatrixFactorizationTrainer.Config.featureDefaults();
    assertEquals(15, f.epochs());
    assertEquals(25, d.epochs());
    assertEquals(d, f.toBuilder().epochs(d.epochs()).build());
  }

  @Test
  void matrixFactorizationBuilder() {
    MatrixFactorizationTrainer.Config c =
        MatrixFactorizationTrainer.Config.builder().dim(8).optimizer(OptimizerKind.SGD).build();
    assertEquals(8, c.dim());
    assertEquals(OptimizerKind.SGD, c.optimizer());
    assertEquals(MatrixFactorizationTrainer.Config.defaults().epochs(), c.epochs(), "the others keep their default");
    assertEquals(c, c.toBuilder().build());
    assertEquals(7, c.toBuilder().seed(7).build().seed());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MatrixFactorizationTrainer.Config.builder().dim(0).build());
    assertEquals("dim, epochs and batchSize must be positive, got 0, 25, 128", e.getMessage());
  }

  @Test
  void textClassifierBuilder() {
    TextClassifierTrainer.Config c = TextClassifierTrainer.Config.builder().hidden(16).threads(2).build();
    assertEquals(16, c.hidden());
    assertEquals(2, c.threads());
    assertEquals(TextClassifierTrainer.Config.defaults().dim(), c.dim());
    assertEquals(c, c.toBuilder().build());
    assertThrows(IllegalArgumentException.class, () -> c.toBuilder().learningRate(0).build());
  }
}
