package dev.emb4j.optim;

/**
 * How the learning rate changes over training: a pure function of the base rate, the step and the planned number of
 * steps. A {@link Scheduler} applies it to an {@link Optimizer}.
 *
 * <p>Steps count from 0 (the first optimizer step runs at {@code learningRate(base, 0, total)}). Every schedule
 * here treats steps past {@code totalSteps} as {@code totalSteps} where it matters (it ends where it ended), so an
 * extra step never sees a negative or rising rate.
 *
 * <pre>{@code
 * LearningRateSchedule s = LearningRateSchedule.cosine(1e-4).withWarmUp(100);
 * Scheduler scheduler = new Scheduler(optimizer, s, 10_000);
 * }</pre>
 */
@FunctionalInterface
public interface LearningRateSchedule {

  /**
   * The learning rate of step {@code step}.
   *
   * @param baseLr the optimizer's initial learning rate
   * @param step the step, from 0
   * @param totalSteps the planned number of steps ({@code > 0})
   * @return a finite rate {@code >= 0}
   */
  double learningRate(double baseLr, long step, long totalSteps);

  /** The base rate throughout. */
  static LearningRateSchedule constant() {
    return (base, step, total) -> base;
  }

  /** Linear decay from the base rate at step 0 to 0 at {@code totalSteps}: fastText's {@code lr * (1 - progress)}. */
  static LearningRateSchedule linear() {
    return linear(0);
  }

  /**
   * Linear decay from the base rate at step 0 to {@code floor} at {@code totalSteps}, then {@code floor}: {@code base
   * + (floor - base) * min(step, total) / total}.
   *
   * @throws IllegalArgumentException unless {@code floor} is finite and {@code >= 0}
   */
  static LearningRateSchedule linear(double floor) {
    Optimizer.check("floor", floor, 0, false);
    return (base, step, total) -> base + (floor - base) * ((double) Math.min(step, total) / total);
  }

  /**
   * Multiplies the base rate by {@code gamma} every {@code stepSize} steps: {@code base * gamma^floor(step /
   * stepSize)} (PyTorch's {@code StepLR}).
   *
   * @throws IllegalArgumentException unless {@code stepSize > 0} and {@code gamma > 0}
   */
  static LearningRateSchedule step(long stepSize, double gamma) {
    if (stepSize <= 0) {
      throw new IllegalArgumentException("stepSize must be > 0, got " + stepSize);
    }
    Optimizer.check("gamma", gamma, 0, true);
    return (base, step, total) -> base * Math.pow(gamma, (double) (step / stepSize));
  }

  /**
   * Cosine annealing from the base rate at step 0 to {@code etaMin} at {@code totalSteps}, then {@code etaMin}: {@code
   * etaMin + (base - etaMin) * (1 + cos(pi * min(step, total) / total)) / 2} (the closed form of PyTorch's {@code
   * CosineAnnealingLR} with {@code T_max = totalSteps}, without its restart).
   *
   * @throws IllegalArgumentException unless {@code etaMin} is finite and {@code >= 0}
   */
  static LearningRateSchedule cosine(double etaMin) {
    Optimizer.check("etaMin", etaMin, 0, false);
    return (base, step, total) ->
        etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * ((double) Math.min(step, total) / total))) / 2;
  }

  /**
   * This schedule after a linear warm-up of {@code warmUpSteps} steps: step {@code k < warmUpSteps} runs at {@code
   * base * (k + 1) / warmUpSteps} (so no step runs at rate 0), and step {@code k >= warmUpSteps} at this schedule's
   * rate for step {@code k - warmUpSteps} of {@code totalSteps - warmUpSteps} (at least 1).
   *
   * @throws IllegalArgumentException if {@code warmUpSteps < 0}
   */
  default LearningRateSchedule withWarmUp(long warmUpSteps) {
    if (warmUpSteps < 0) {
      throw new IllegalArgumentException("warmUpSteps must be >= 0, got " + warmUpSteps);
    }
    if (warmUpSteps == 0) {
      return this;
    }
    LearningRateSchedule after = this;
    return (base, step, total) ->
        step < warmUpSteps
            ? base * (step + 1) / warmUpSteps
            : after.learningRate(base, step - warmUpSteps, Math.max(1, total - warmUpSteps));
  }
}
