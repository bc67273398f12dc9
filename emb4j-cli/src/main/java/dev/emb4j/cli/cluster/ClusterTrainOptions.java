package dev.emb4j.cli.cluster;

import dev.emb4j.cluster.Addresses;
import dev.emb4j.cluster.Cluster;
import dev.emb4j.cluster.ShardedMatrixFactorizationTrainer;
import dev.emb4j.cluster.ShardedTextClassifierTrainer;
import dev.emb4j.task.MatrixFactorizationTrainer;
import dev.emb4j.task.Ratings;
import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.text.LabeledText;
import dev.emb4j.task.text.TextClassifierTrainer;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options that make {@code recommend train} and {@code classify train} train against a cluster ({@code
 * --cluster}, {@code --worker}, {@code --workers}, {@code --table}, {@code --wait-for-workers}, and for {@code
 * recommend train} {@code --raw-ids}), and the branches that do it.
 */
public final class ClusterTrainOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--cluster",
      paramLabel = "HOST:PORT,...",
      description = "Train against the tables of this emb4j cluster (see 'emb4j cluster member').")
  private String cluster;

  @Option(
      names = "--worker",
      paramLabel = "I",
      description = "With --cluster: this process's number among --workers, from 0 (default: 0).")
  private int worker;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "With --cluster: how many worker processes share the data (default: 1).")
  private int workers = 1;

  @Option(
      names = "--table",
      paramLabel = "PREFIX",
      description =
          "With --cluster: the tables' name prefix; existing tables are trained further (default: the command's"
              + " group, recommend or classify).")
  private String table;

  @Option(
      names = "--wait-for-workers",
      paramLabel = "SECONDS",
      description =
          "With --cluster and --workers > 1: how long a worker that finished waits for the others before saving"
              + " (default: 1800).")
  private long waitForWorkers = ShardedMatrixFactorizationTrainer.DEFAULT_WAIT_FOR_WORKERS.toSeconds();

  @Option(
      names = "--raw-ids",
      description =
          "With --cluster (recommend train): key the user and item tables by the raw ids of the ratings, rows"
              + " created on their first push, instead of by row numbers every worker derives from the file.")
  private boolean rawIds;

  /**
   * Refuses {@code --raw-ids} for a command whose tables have no raw ids ({@code classify train}).
   *
   * @throws CommandLine.ParameterException if it was given
   */
  public void refuseRawIds() {
    if (rawIds) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--raw-ids keys recommend train's user and item tables; classify train has no ids");
    }
  }

  /** Whether {@code --cluster} was given. */
  public boolean enabled() {
    return cluster != null;
  }

  /**
   * Checks that the cluster options come with {@code --cluster} and are in range.
   *
   * @throws CommandLine.ParameterException otherwise
   */
  public void check() {
    if (cluster == null) {
      if (worker != 0
          || workers != 1
          || table != null
          || rawIds
          || waitForWorkers != ShardedMatrixFactorizationTrainer.DEFAULT_WAIT_FOR_WORKERS.toSeconds()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--worker, --workers, --table, --raw-ids and --wait-for-workers need --cluster");
      }
      return;
    }
    if (waitForWorkers < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--wait-for-workers must be at least 1 second, got " + waitForWorkers);
    }
    if (workers < 1 || worker < 0 || worker >= workers) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--worker must be in 0..--workers-1 and --workers >= 1, got --worker " + worker + " --workers " + workers);
    }
  }

  /**
   * Trains as worker {@code --worker} of {@code --workers} against the cluster.
   *
   * @param config the hyper-parameters
   * @param train the whole training set
   * @param validation held-out ratings, or null
   * @param listener hears about steps and epochs
   * @return the model as the cluster holds it when every worker is done
   */
  public MatrixFactorizationTrainer.Result train(
      MatrixFactorizationTrainer.Config config, Ratings train, Ratings validation, TrainingListener listener) {
    try (Cluster c = Cluster.connect(Addresses.parseList(cluster))) {
      return new ShardedMatrixFactorizationTrainer(
              config, c, table == null ? "recommend" : table, worker, workers, Duration.ofSeconds(waitForWorkers),
              rawIds)
          .train(train, validation, listener);
    }
  }

  /**
   * Trains a text classifier as worker {@code --worker} of {@code --workers} against the cluster.
   *
   * @param config the hyper-parameters (one thread, float32)
   * @param examples the whole training set
   * @param validation held-out texts, or empty
   * @param listener hears about progress and epochs
   * @return the model as the cluster holds it when every worker is done
   */
  public TextClassifierTrainer.Result train(
      TextClassifierTrainer.Config config, List<LabeledText> examples, List<LabeledText> validation,
      TrainingListener listener) {
    try (Cluster c = Cluster.connect(Addresses.parseList(cluster))) {
      return new ShardedTextClassifierTrainer(
              config, c, table == null ? "classify" : table, worker, workers, Duration.ofSeconds(waitForWorkers),
              ShardedTextClassifierTrainer.DEFAULT_BATCH_TEXTS)
          .train(examples, validation, listener);
    }
  }
}
