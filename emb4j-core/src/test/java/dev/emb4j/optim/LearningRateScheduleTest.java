package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Learning-rate schedules at chosen steps, and the {@link Scheduler} that applies them. */
class LearningRateScheduleTest {
  private static final double EPS = 1e-12;

  @Test
  void constant() {
    LearningRateSchedule s = LearningRateSchedule.constant();
    assertEquals(0.1, s.learningRate(0.1, 0, 100));
    assertEquals(0.1, s.learningRate(0.1, 1000, 100));
  }

  @Test
  void linearDecayToZeroAsFastText() {
    LearningRateSchedule s = LearningRateSchedule.linear();
    assertEquals(0.1, s.learningRate(0.1, 0, 100), EPS);
    assertEquals(0.075, s.learningRate(0.1, 25, 100), EPS);
    assertEquals(0.001, s.learningRate(0.1, 99, 100), EPS);
    assertEquals(0.0, s.learningRate(0.1, 100, 100), EPS);
    assertEquals(0.0, s.learningRate(0.1, 150, 100), EPS, "stays at the end value past totalSteps");
  }

  @Test
  void linearDecayToAFloor() {
    LearningRateSchedule s = LearningRateSchedule.linear(0.01);
    assertEquals(0.1, s.learningRate(0.1, 0, 10), EPS);
    assertEquals(0.055, s.learningRate(0.1, 5, 10), EPS);
    assertEquals(0.01, s.learningRate(0.1, 10, 10), EPS);
    assertEquals(0.01, s.learningRate(0.1, 11, 10), EPS);
  }

  @Test
  void stepDecay() {
    LearningRateSchedule s = LearningRateSchedule.step(30, 0.1);
    assertEquals(0.05, s.learningRate(0.05, 0, 100), EPS);
    assertEquals(0.05, s.learningRate(0.05, 29, 100), EPS);
    assertEquals(0.005, s.learningRate(0.05, 30, 100), EPS);
    assertEquals(0.0005, s.learningRate(0.05, 60, 100), EPS);
    assertEquals(0.0005, s.learningRate(0.05, 89, 100), EPS);
  }

  @Test
  void cosineToEtaMin() {
    LearningRateSchedule s = LearningRateSchedule.cosine(0.001);
    assertEquals(0.1, s.learningRate(0.1, 0, 100), EPS);
    assertEquals(0.001 + 0.099 * 0.5, s.learningRate(0.1, 50, 100), EPS);
    assertEquals(0.001 + 0.099 * (1 + Math.cos(Math.PI / 4)) / 2, s.learningRate(0.1, 25, 100), EPS);
    assertEquals(0.001, s.learningRate(0.1, 100, 100), EPS);
    assertEquals(0.001, s.learningRate(0.1, 120, 100), EPS, "no restart past totalSteps");
  }

  @Test
  void warmUpThenSchedule() {
    LearningRateSchedule s = LearningRateSchedule.linear().withWarmUp(4);
    assertEquals(0.025, s.learningRate(0.1, 0, 24), EPS);
    assertEquals(0.05, s.learningRate(0.1, 1, 24), EPS);
    assertEquals(0.1, s.learningRate(0.1, 3, 24), EPS);
    assertEquals(0.1, s.learningRate(0.1, 4, 24), EPS, "the decay starts after the warm-up");
    assertEquals(0.05, s.learningRate(0.1, 14, 24), EPS);
    assertEquals(0.0, s.learningRate(0.1, 24, 24), EPS);
    LearningRateSchedule c = LearningRateSchedule.constant();
    assertSame(c, c.withWarmUp(0));
  }

  @Test
  void invalidSchedulesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.linear(-0.1));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.step(0, 0.1));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.step(10, 0));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant().withWarmUp(-1));
  }

  @Test
  void schedulerSetsTheOptimizersRateEachStep() {
    Sgd sgd = new Sgd(List.of(), Sgd.Config.of(0.2));
    Scheduler scheduler = new Scheduler(sgd, LearningRateSchedule.step(2, 0.5), 10);
    assertEquals(0.2, scheduler.baseLearningRate());
    assertEquals(0.2, sgd.learningRate(), EPS);
    scheduler.step();
    assertEquals(1, scheduler.currentStep());
    assertEquals(0.2, sgd.learningRate(), EPS);
    scheduler.step();
    assertEquals(0.1, sgd.learningRate(), EPS);
    scheduler.setStep(6);
    assertEquals(0.025, sgd.learningRate(), EPS);
    assertEquals(10, scheduler.totalSteps());
  }

  @Test
  void schedulerAppliesWarmUpFromTheFirstStep() {
    Adam adam = new Adam(List.of(), Adam.Config.of(0.01));
    new Scheduler(adam, LearningRateSchedule.cosine(0).withWarmUp(10), 110);
    assertEquals(0.001, adam.learningRate(), EPS);
  }

  @Test
  void schedulerRejectsBadArgumentsAndBadRates() {
    Sgd sgd = new Sgd(List.of(), Sgd.Config.of(0.2));
    assertThrows(IllegalArgumentException.class, () -> new Scheduler(sgd, LearningRateSchedule.constant(), 0));
    Scheduler s = new Scheduler(sgd, LearningRateSchedule.constant(), 5);
    assertThrows(IllegalArgumentException.class, () -> s.setStep(-1));
    assertThrows(IllegalStateException.class, () -> new Scheduler(sgd, (base, step, total) -> -1, 5));
  }
}
