package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.task.MatrixFactorizationTrainer.OptimizerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recommender's trainer refuses to return a diverged model, reports each epoch (with validation figures), lets a
 * listener stop it before allocating, and reads ratings within a range.
 */
class TrainingSafetyTest {
  @TempDir Path dir;

  /** Ratings 1..5 of 30 users on 20 items: users like items of their own parity. */
  static Ratings ratings(long seed, int n) {
    SplittableRandom rng = new SplittableRandom(seed);
    long[] u = new long[n];
    long[] i = new long[n];
    float[] r = new float[n];
    for (int k = 0; k < n; k++) {
      u[k] = 1 + rng.nextInt(30);
      i[k] = 100 + rng.nextInt(20);
      r[k] = (u[k] % 2 == i[k] % 2) ? 4 + rng.nextInt(2) : 1 + rng.nextInt(2);
    }
    return new Ratings(u, i, r);
  }

  private static MatrixFactorizationTrainer.Config.Builder small() {
    return MatrixFactorizationTrainer.Config.builder().dim(8).epochs(3).batchSize(32);
  }

  @Test
  void aDivergingRunStopsNamingTheEpochAndReturnsNoModel() {
    MatrixFactorizationTrainer trainer =
        new MatrixFactorizationTrainer(small().optimizer(OptimizerKind.SGD).learningRate(100).build());
    TrainingDivergedException e =
        assertThrows(TrainingDivergedException.class, () -> trainer.train(ratings(1, 500)));
    assertEquals(1, e.epoch(), e.getMessage());
    assertTrue(e.getMessage().startsWith("training diverged in epoch 1 of 3, at step "), e.getMessage());
    assertTrue(e.getMessage().endsWith("try a learning rate below 100.0"), e.getMessage());
  }

  @Test
  void everyEpochIsReportedWithValidationFigures() {
    List<EpochSummary> heard = new ArrayList<>();
    List<TrainingStep> steps = new ArrayList<>();
    TrainingListener listener =
        new TrainingListener() {
          @Override
          public void onStep(TrainingStep step) {
            steps.add(step);
          }

          @Override
          public void onEpoch(EpochSummary epoch) {
            heard.add(epoch);
          }
        };
    MatrixFactorizationTrainer.Result r =
        new MatrixFactorizationTrainer(small().build()).train(ratings(1, 500), ratings(2, 100), listener);
    assertEquals(heard, r.history());
    assertEquals(3, heard.size());
    for (int k = 0; k < 3; k++) {
      EpochSummary e = heard.get(k);
      assertEquals(k + 1, e.epoch());
      assertEquals(List.of("rmse", "mae"), List.copyOf(e.validation().keySet()));
      assertTrue(e.validation().get("rmse") > 0 && e.validation().get("rmse") < 3, e.toString());
    }
    assertEquals(3 * 16, steps.size(), "500 ratings in batches of 32: 16 steps per epoch");
    TrainingStep first = steps.get(0);
    assertEquals(0.15, first.learningRate(), 1e-12, "the first step runs at the configured rate");
    assertTrue(steps.get(steps.size() - 1).learningRate() < first.learningRate(), "the rate decays");
    assertEquals(r.finalLoss(), heard.get(2).loss());
    assertTrue(new MatrixFactorizationTrainer(small().build()).train(ratings(1, 500)).history().get(0)
        .validation().isEmpty(), "no validation data, no figures");
  }

  @Test
  void aListenerCanStopTheRunBeforeTheTablesAreAllocated() {
    long[] estimate = new long[1];
    TrainingListener refuse =
        new TrainingListener() {
          @Override
          public void onStep(TrainingStep step) {
            throw new AssertionError("no step may run");
          }

          @Override
          public void beforeAllocating(long bytes) {
            estimate[0] = bytes;
            throw new IllegalStateException("too big");
          }
        };
    MatrixFactorizationTrainer.Config c = small().build();
    assertThrows(IllegalStateException.class, () -> new MatrixFactorizationTrainer(c).train(ratings(1, 500), refuse));
    long users = 30;
    long items = 20;
    assertEquals(MatrixFactorizationTrainer.estimatedBytes(users, items, c), estimate[0]);
    assertEquals(4 * ((users + items) * 9 * 2 + users + items), estimate[0], "Adagrad: one slot per value");
  }

  @Test
  void ratingsOutsideTheRangeAreMalformedLines() throws Exception {
    Path file = dir.resolve("r.tsv");
    Files.writeString(file, "1\t10\t5\n2\t11\t1e30\n3\t12\t4\n");
    RatingsFormatException e = assertThrows(RatingsFormatException.class, () -> Ratings.load(file, false));
    assertEquals(file + ":2: rating 1e30 is outside the accepted range -1000000:1000000 (the default; give the"
        + " data's scale, e.g. 1:5)", e.getMessage());
    Ratings.Loaded skipped = Ratings.load(file, true);
    assertEquals(2, skipped.ratings().size());
    assertEquals(1, skipped.skippedLines());

    Files.writeString(file, "1\t10\t5\n2\t11\t6\n");
    RatingsFormatException scale =
        assertThrows(RatingsFormatException.class, () -> Ratings.load(file, false, RatingRange.parse("1:5")));
    assertEquals(file + ":2: rating 6 is outside the accepted range 1:5", scale.getMessage());
    assertEquals(2, Ratings.load(file, false).ratings().size(), "6 is fine on the default range");
  }

  @Test
  void ratingRangesParseAndCheckTheirBounds() {
    assertEquals(new RatingRange(-10, 10), RatingRange.parse("-10:10"));
    assertEquals(new RatingRange(0.5f, 5), RatingRange.parse("0.5:5"));
    assertEquals("1:5", RatingRange.parse("1:5").toString());
    assertTrue(RatingRange.parse("1:5").contains(1) && RatingRange.parse("1:5").contains(5));
    assertFalse(RatingRange.parse("1:5").contains(5.01f));
    for (String bad : new String[] {"5", "5:1", "a:b", "1:NaN", "-Infinity:0"}) {
      assertThrows(IllegalArgumentException.class, () -> RatingRange.parse(bad), bad);
    }
  }
}
