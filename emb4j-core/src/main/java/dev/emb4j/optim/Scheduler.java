package dev.emb4j.optim;

import java.util.Objects;

/**
 * Drives an {@link Optimizer}'s learning rate by a {@link LearningRateSchedule}, as PyTorch's {@code
 * torch.optim.lr_scheduler}: call {@link #step()} after each {@link Optimizer#step()}.
 *
 * <pre>{@code
 * Scheduler scheduler = new Scheduler(optimizer, LearningRateSchedule.linear(), totalSteps);
 * for (...) {
 *   ... backward ...
 *   optimizer.step();
 *   optimizer.zeroGrad();
 *   scheduler.step();
 * }
 * }</pre>
 *
 * <p>The base rate is the optimizer's rate when the scheduler is created. Creating the scheduler sets the rate of
 * step 0; after {@code k} calls of {@link #step()} the optimizer runs at {@code schedule.learningRate(base, k,
 * totalSteps)}.
 */
public final class Scheduler {
  private final Optimizer optimizer;
  private final LearningRateSchedule schedule;
  private final long totalSteps;
  private final double baseLearningRate;
  private long step;

  /**
   * A scheduler at step 0 that sets {@code optimizer}'s rate at once.
   *
   * @throws IllegalArgumentException if {@code totalSteps <= 0}
   */
  public Scheduler(Optimizer optimizer, LearningRateSchedule schedule, long totalSteps) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    if (totalSteps <= 0) {
      throw new IllegalArgumentException("totalSteps must be > 0, got " + totalSteps);
    }
    this.totalSteps = totalSteps;
    this.baseLearningRate = optimizer.learningRate();
    apply();
  }

  /** Advances one step and sets the optimizer's rate for it. */
  public void step() {
    step++;
    apply();
  }

  /**
   * Jumps to step {@code step} and sets the optimizer's rate for it. To resume from a checkpoint, create the scheduler
   * on the freshly configured optimizer (so the base rate is the configured one, not the decayed rate that {@link
   * Optimizer#importState} restores), import the optimizer state, then call {@code setStep(savedStep)}.
   *
   * @throws IllegalArgumentException if {@code step < 0}
   */
  public void setStep(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    this.step = step;
    apply();
  }

  /** The current step (0 until the first {@link #step()}). */
  public long currentStep() {
    return step;
  }

  /** The planned number of steps. */
  public long totalSteps() {
    return totalSteps;
  }

  /** The rate the schedule starts from. */
  public double baseLearningRate() {
    return baseLearningRate;
  }

  private void apply() {
    double lr = schedule.learningRate(baseLearningRate, step, totalSteps);
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalStateException("schedule gave learning rate " + lr + " at step " + step + " of " + totalSteps);
    }
    optimizer.setLearningRate(lr);
  }
}
