package dev.emb4j.task;

/** Hears about training progress, e.g. to draw a progress bar; called on the training thread after each step. */
@FunctionalInterface
public interface TrainingListener {

  /** A listener that ignores everything. */
  TrainingListener NONE = (step, totalSteps, loss) -> {};

  /**
   * Step {@code step} (1-based) of {@code totalSteps} finished with mean batch loss {@code loss}.
   *
   * @param step steps done so far
   * @param totalSteps steps the whole run will take
   * @param loss the loss of the step just done
   */
  void onStep(long step, long totalSteps, double loss);
}
