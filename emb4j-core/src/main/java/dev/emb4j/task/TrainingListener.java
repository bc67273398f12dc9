package dev.emb4j.task;

/**
 * Hears about a training run, e.g. to draw a progress bar or log validation figures; called on the training threads
 * (with several Hogwild threads, concurrently: an implementation that keeps state synchronises it).
 */
@FunctionalInterface
public interface TrainingListener {

  /** A listener that ignores everything. */
  TrainingListener NONE = step -> {};

  /**
   * Progress within an epoch: called after each step or, for trainers with very short steps, every few thousand
   * units of work.
   *
   * @param step how far the run is, its loss and learning rate
   */
  void onStep(TrainingStep step);

  /**
   * An epoch finished (and was checked for divergence); the default does nothing.
   *
   * @param epoch the epoch's loss, learning rate and validation figures
   */
  default void onEpoch(EpochSummary epoch) {}

  /**
   * Called once, after the data was indexed and before the model's tables and the optimizer's state are allocated,
   * with their estimated size; a listener may throw (e.g. when the size exceeds the memory available) to stop the run
   * before anything large is allocated. The default does nothing.
   *
   * @param bytes the estimated bytes of parameters and optimizer state
   */
  default void beforeAllocating(long bytes) {}
}
