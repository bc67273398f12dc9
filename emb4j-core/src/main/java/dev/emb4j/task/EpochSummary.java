package dev.emb4j.task;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One finished epoch of a training run, as reported to {@link TrainingListener#onEpoch} and kept in a trainer's
 * result.
 *
 * @param epoch the epoch, 1-based
 * @param epochs the epochs of the whole run
 * @param loss the mean training loss over the epoch
 * @param learningRate the learning rate at the end of the epoch
 * @param seconds wall time since the run started
 * @param validation figures on the validation data after this epoch, by name in a fixed order (e.g. {@code rmse},
 *     {@code mae}; or {@code loss}, {@code accuracy}); empty when the run has no validation data
 */
public record EpochSummary(
    int epoch, int epochs, double loss, double learningRate, double seconds, Map<String, Double> validation) {

  /** Copies the figures, keeping their order. */
  public EpochSummary {
    validation = Collections.unmodifiableMap(new LinkedHashMap<>(validation));
  }
}
