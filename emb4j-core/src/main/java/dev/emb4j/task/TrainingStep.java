package dev.emb4j.task;

/**
 * How far a training run is, as reported to {@link TrainingListener#onStep}.
 *
 * @param done units of work done so far over the whole run (steps, or tokens for the text classifier)
 * @param total units of work the whole run will take
 * @param loss the mean training loss of the current epoch so far
 * @param learningRate the learning rate of the last step
 */
public record TrainingStep(long done, long total, double loss, double learningRate) {}
