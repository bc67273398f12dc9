package dev.emb4j.cluster;

import dev.emb4j.store.DType;
import dev.emb4j.task.TrainingDivergedException;
import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.text.LabeledText;
import dev.emb4j.task.text.TextClassifierTrainer;
import dev.emb4j.task.text.TextClassifierTrainer.Config;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Trains a fastText-style {@link dev.emb4j.task.text.TextClassifier} whose tables ({@code <prefix>.input.weight},
 * {@code .output.weight} and, with a hidden layer, {@code .hidden.weight}, {@code .hidden.bias}) live in a cluster,
 * as one of {@code workers} worker processes, each on its own part of the texts (text i goes to worker {@code i %
 * workers}).
 *
 * <p>It is {@link TextClassifierTrainer}'s own loop with its parameters exchanged batch by batch with the cluster
 * (see {@code ShardedTextParameters}): every worker builds the vocabulary, the labels and the initial weights from the
 * whole file the same way, creates the tables if they do not exist, then for each batch of {@code batchTexts} texts
 * pulls the input rows they touch and the dense layers, runs fastText's SGD steps on them locally, one text after the
 * other, and pushes what the steps changed, applied at the owners. The dense layers follow the policy of the
 * module's dense parameters: kept in the cluster as tables of one or a few blocks, pulled and pushed whole every
 * batch. With one worker the run computes what the single-machine trainer computes with one thread, up to the
 * rounding of the pushed differences; with several, updates are asynchronous (Hogwild-like) and each worker decays
 * its learning rate over its own tokens.
 *
 * <p>At the end each worker waits for the others (as {@link ShardedMatrixFactorizationTrainer} does) and returns an
 * ordinary in-memory classifier holding the tables as the cluster has them then. Tables of an earlier run with the
 * same prefix and shape are trained further; drop them ({@link Cluster#drop}) to start afresh.
 */
public final class ShardedTextClassifierTrainer {
  /** Texts per batch unless chosen: one pull and one push each. */
  public static final int DEFAULT_BATCH_TEXTS = 128;

  private final Config config;
  private final Cluster cluster;
  private final String prefix;
  private final int worker;
  private final int workers;
  private final Duration waitForWorkers;
  private final int batchTexts;

  /**
   * A worker of a cluster training run.
   *
   * @param config the hyper-parameters (float32 input rows, one thread)
   * @param cluster where the tables live
   * @param prefix the tables' name prefix, e.g. {@code classify}
   * @param worker this worker's number, {@code 0 <= worker < workers}
   * @param workers how many workers share the texts
   * @param waitForWorkers how long this worker waits at the end for the others to finish their epochs
   * @param batchTexts texts per pull and push
   * @throws IllegalArgumentException for a 16-bit dtype, more than one thread, a worker number out of range, a wait
   *     that is not positive or a batch below 1
   */
  public ShardedTextClassifierTrainer(
      Config config, Cluster cluster, String prefix, int worker, int workers, Duration waitForWorkers,
      int batchTexts) {
    this.config = Objects.requireNonNull(config, "config");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    if (config.dtype() != DType.F32) {
      throw new IllegalArgumentException("a cluster table holds float32 rows, not " + config.dtype());
    }
    if (config.effectiveThreads() > 1) {
      throw new IllegalArgumentException(
          "a cluster worker trains on one thread, not " + config.effectiveThreads() + "; run more workers instead");
    }
    WorkerBarrier.checkWorker(worker, workers, waitForWorkers);
    new TableSpec(prefix + ".input.weight", 1, 1, 1); // checks the prefix
    if (batchTexts < 1) {
      throw new IllegalArgumentException("batchTexts must be at least 1, got " + batchTexts);
    }
    this.worker = worker;
    this.workers = workers;
    this.waitForWorkers = waitForWorkers;
    this.batchTexts = batchTexts;
  }

  /**
   * Trains this worker's part of {@code examples}, reporting the loss and accuracy on {@code validation} (if not
   * empty) after each epoch, on the tables as they stand then.
   *
   * @param examples the whole training set (every worker passes the same)
   * @param validation held-out texts, or empty
   * @param listener hears about progress and epochs
   * @return the model as the cluster holds it when every worker is done; tokens and speed count this worker's
   * @throws IllegalArgumentException as {@link TextClassifierTrainer#train(List, List, TrainingListener)}, or if
   *     there are fewer texts than workers
   * @throws TrainingDivergedException if the loss or a weight becomes NaN or infinite
   * @throws ClusterException if a table exists with another shape, or the other workers do not finish in time
   */
  public TextClassifierTrainer.Result train(
      List<LabeledText> examples, List<LabeledText> validation, TrainingListener listener) {
    ShardedTextParameters exchange =
        new ShardedTextParameters(cluster, prefix, worker, workers, waitForWorkers, batchTexts);
    return new TextClassifierTrainer(config).train(examples, validation, listener, exchange);
  }
}
