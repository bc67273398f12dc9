package dev.emb4j.cluster;

import dev.emb4j.autograd.DenseGradient;
import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.autograd.Variable;
import dev.emb4j.metrics.RegressionMetrics;
import dev.emb4j.nn.Embedding;
import dev.emb4j.optim.LearningRateSchedule;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.task.EpochSummary;
import dev.emb4j.task.IdIndex;
import dev.emb4j.task.MatrixFactorization;
import dev.emb4j.task.MatrixFactorizationTrainer;
import dev.emb4j.task.MatrixFactorizationTrainer.Config;
import dev.emb4j.task.Ratings;
import dev.emb4j.task.TrainingDivergedException;
import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.TrainingStep;
import dev.emb4j.tensor.IndexTensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Trains a {@link MatrixFactorization} whose four tables ({@code <prefix>.user}, {@code .item}, {@code .user_bias},
 * {@code .item_bias}) live in a cluster, as one of {@code workers} worker processes, each on its own part of the
 * ratings (rating k goes to worker {@code k % workers}).
 *
 * <p>Every worker indexes the whole training file the same way (the same users and items get the same rows
 * everywhere), creates the tables if they do not exist (with the rows a single-machine run starts from), then loops:
 * pull the rows of a batch's users and items into a local copy of the model, compute the loss and its gradient
 * there, push the gradient, applied at the owners with the optimizer's rule (see {@link ShardedTable}). With one
 * worker the run computes what {@link MatrixFactorizationTrainer} computes (the same rows, rules and schedule), up to
 * the order of the batches. With several, updates are asynchronous (Hogwild-like) and each worker runs its own
 * linear learning-rate decay over its own steps. The factorisation has no dense parameter (mu is the training mean,
 * fixed); a dense parameter would be a one-block table pushed every step, the same way.
 *
 * <p><b>Raw ids.</b> Built {@code rawIds}, the four tables are {@link ShardedIdTable}s keyed by the ratings' raw user
 * and item ids ({@link TableSpec#rawIds}): the cluster's keys no longer depend on a numbering that every worker must
 * build the same way. A worker still numbers the ids it reads, for its local copy of the rows (the scratch space of
 * its steps) and for the model it returns, but that numbering never leaves it. The factor tables start from N(0,
 * initStd) rows drawn from (seed, id) (the user table from {@code seed}, the item table from {@code seed + 1}), the
 * bias tables from zeros; a row appears in the cluster on its id's first push. The start rows differ from the dense
 * mode's (those are drawn per row number), so the two modes train the same model from different, equally
 * distributed starts.
 *
 * <p>The result's model is an ordinary in-memory {@link MatrixFactorization}: the tables as they are when every
 * worker has finished its epochs. With several workers, each waits for the others at the end (a barrier in the
 * cluster's metadata under the table prefix, see {@code WorkerBarrier}), at most {@code waitForWorkers}; so every
 * worker returns, and may save, the same final tables. A worker that died leaves the others waiting that long, then
 * failing with a message naming it. Tables of an earlier run with the same prefix and shape are trained further; drop
 * them ({@link Cluster#drop}) to start afresh.
 */
public final class ShardedMatrixFactorizationTrainer {
  /** How long a worker waits at the end for the other workers to finish, unless told: 30 minutes. */
  public static final Duration DEFAULT_WAIT_FOR_WORKERS = Duration.ofMinutes(30);

  private static final String[] TABLES = {"user", "item", "user_bias", "item_bias"};

  private final Config config;
  private final Cluster cluster;
  private final String prefix;
  private final int worker;
  private final int workers;
  private final Duration waitForWorkers;
  private final boolean rawIds;

  /**
   * A worker of a cluster training run that waits up to {@link #DEFAULT_WAIT_FOR_WORKERS} for the others at the end.
   *
   * @param config the hyper-parameters (float32 tables only)
   * @param cluster where the tables live
   * @param prefix the tables' name prefix, e.g. {@code recommend}
   * @param worker this worker's number, {@code 0 <= worker < workers}
   * @param workers how many workers share the ratings
   * @throws IllegalArgumentException for a 16-bit dtype, or a worker number out of range
   */
  public ShardedMatrixFactorizationTrainer(Config config, Cluster cluster, String prefix, int worker, int workers) {
    this(config, cluster, prefix, worker, workers, DEFAULT_WAIT_FOR_WORKERS);
  }

  /**
   * A worker of a cluster training run.
   *
   * @param config the hyper-parameters (float32 tables only)
   * @param cluster where the tables live
   * @param prefix the tables' name prefix, e.g. {@code recommend}
   * @param worker this worker's number, {@code 0 <= worker < workers}
   * @param workers how many workers share the ratings
   * @param waitForWorkers how long this worker waits at the end for the others to finish their epochs
   * @throws IllegalArgumentException for a 16-bit dtype, a worker number out of range, or a wait that is not
   *     positive
   */
  public ShardedMatrixFactorizationTrainer(
      Config config, Cluster cluster, String prefix, int worker, int workers, Duration waitForWorkers) {
    this(config, cluster, prefix, worker, workers, waitForWorkers, false);
  }

  /**
   * A worker of a cluster training run, on tables of dense rows or of raw ids.
   *
   * @param config the hyper-parameters (float32 tables only)
   * @param cluster where the tables live
   * @param prefix the tables' name prefix, e.g. {@code recommend}
   * @param worker this worker's number, {@code 0 <= worker < workers}
   * @param workers how many workers share the ratings
   * @param waitForWorkers how long this worker waits at the end for the others to finish their epochs
   * @param rawIds whether the tables are keyed by the raw user and item ids (see the class comment)
   * @throws IllegalArgumentException for a 16-bit dtype, a worker number out of range, or a wait that is not
   *     positive
   */
  public ShardedMatrixFactorizationTrainer(
      Config config, Cluster cluster, String prefix, int worker, int workers, Duration waitForWorkers,
      boolean rawIds) {
    this.rawIds = rawIds;
    this.config = Objects.requireNonNull(config, "config");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    if (config.dtype() != DType.F32) {
      throw new IllegalArgumentException("a cluster table holds float32 rows, not " + config.dtype());
    }
    WorkerBarrier.checkWorker(worker, workers, waitForWorkers);
    new TableSpec(prefix + ".user", 1, 1, 1); // checks the prefix
    this.worker = worker;
    this.workers = workers;
    this.waitForWorkers = waitForWorkers;
  }

  /**
   * Trains this worker's part of {@code train}, reporting RMSE and MAE on {@code validation} (if not null) after each
   * epoch, on the tables as they stand then.
   *
   * @param train the whole training set (every worker passes the same)
   * @param validation held-out ratings, or null
   * @param listener hears about each step and epoch
   * @return the model as the cluster holds it when every worker is done, with the id numbering
   * @throws IllegalArgumentException if there are no ratings, or fewer than workers
   * @throws TrainingDivergedException if the loss becomes NaN or infinite
   * @throws ClusterException if a table exists with another shape, or the other workers do not finish in time
   */
  public MatrixFactorizationTrainer.Result train(Ratings train, Ratings validation, TrainingListener listener) {
    int n = train.size();
    if (n < workers) {
      throw new IllegalArgumentException(n + " ratings cannot be split over " + workers + " workers");
    }
    long start = System.nanoTime();
    IdIndex users = new IdIndex();
    IdIndex items = new IdIndex();
    int[] u = new int[n];
    int[] i = new int[n];
    for (int k = 0; k < n; k++) {
      u[k] = users.add(train.users()[k]);
      i[k] = items.add(train.items()[k]);
    }
    listener.beforeAllocating(MatrixFactorizationTrainer.estimatedBytes(users.size(), items.size(), config));
    float[] userReg = config.rowRegularization(u, users.size());
    float[] itemReg = config.rowRegularization(i, items.size());
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : train.values()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    MatrixFactorization model =
        new MatrixFactorization(
            users.size(), items.size(), config.dim(), (float) train.mean(), min, max, config.initStd(), config.seed(),
            Storage.HEAP, DType.F32);
    Embedding[] local = {model.userFactors(), model.itemFactors(), biases(model, "user_bias"), biases(model, "item_bias")};
    Remote[] tables = new Remote[local.length];
    IdIndex[] indexOf = {users, items, users, items};
    for (int t = 0; t < local.length; t++) {
      Embedding e = local[t];
      String name = prefix + "." + TABLES[t];
      if (rawIds) {
        float std = t < 2 ? (float) config.initStd() : 0f;
        TableSpec spec = TableSpec.rawIds(name, e.numEmbeddings(), e.embeddingDim(), config.seed() + (t % 2), std);
        tables[t] = new ById(cluster.openOrCreateIds(spec), indexOf[t]);
      } else {
        tables[t] = new ByRow(cluster.openOrCreate(TableSpec.of(name, e.numEmbeddings(), e.embeddingDim()), e::weight));
      }
    }
    WorkerBarrier barrier = cluster.barrier(prefix, worker, workers);
    if (workers > 1) {
      barrier.join();
    }
    int[] mine = new int[(n - worker + workers - 1) / workers];
    for (int k = 0; k < mine.length; k++) {
      mine[k] = worker + k * workers;
    }
    int m = mine.length;
    long stepsPerEpoch = (m + config.batchSize() - 1) / config.batchSize();
    long totalSteps = config.epochs() * stepsPerEpoch;
    OptimizerSpec.Kind kind =
        switch (config.optimizer()) {
          case SGD -> OptimizerSpec.Kind.SGD;
          case ADAGRAD -> OptimizerSpec.Kind.ADAGRAD;
          case SPARSE_ADAM -> OptimizerSpec.Kind.SPARSE_ADAM;
        };
    LearningRateSchedule schedule = LearningRateSchedule.linear();
    SplittableRandom rng = new SplittableRandom(config.seed() ^ 0x5DEECE66DL ^ worker);
    long step = 0;
    double epochLoss = Double.NaN;
    List<EpochSummary> history = new ArrayList<>();
    for (int epoch = 1; epoch <= config.epochs(); epoch++) {
      shuffle(mine, rng);
      double lossSum = 0;
      int batches = 0;
      for (int from = 0; from < m; from += config.batchSize()) {
        int b = Math.min(config.batchSize(), m - from);
        int[] bu = new int[b];
        int[] bi = new int[b];
        long[] lu = new long[b];
        long[] li = new long[b];
        float[] br = new float[b];
        float[] ru = new float[b];
        float[] ri = new float[b];
        for (int k = 0; k < b; k++) {
          int s = mine[from + k];
          bu[k] = u[s];
          bi[k] = i[s];
          lu[k] = bu[k];
          li[k] = bi[k];
          br[k] = train.values()[s];
          ru[k] = userReg[bu[k]];
          ri[k] = itemReg[bi[k]];
        }
        long[][] ids = {lu, li, lu, li};
        pullInto(tables, ids, local);
        double lr = schedule.learningRate(config.learningRate(), step, totalSteps);
        Variable loss = model.loss(IndexTensor.of(bu), IndexTensor.of(bi), br, ru, ri, config.biasReg());
        loss.backward();
        step++;
        OptimizerSpec rule = new OptimizerSpec(kind, lr);
        List<ShardedTable.Pending> pushes = new ArrayList<>();
        for (int t = 0; t < tables.length; t++) {
          if (local[t].hasGrad()) {
            pushes.add(tables[t].startPush(local[t].grad(), rule, step));
          }
        }
        for (ShardedTable.Pending p : pushes) {
          p.await();
        }
        model.zeroGrad();
        lossSum += loss.item();
        batches++;
        if (!Double.isFinite(lossSum)) {
          throw new TrainingDivergedException(
              epoch, config.epochs(), "at step " + batches + " of " + stepsPerEpoch, "the loss is " + loss.item(),
              config.learningRate());
        }
        listener.onStep(new TrainingStep(step, totalSteps, lossSum / batches, lr));
      }
      epochLoss = lossSum / batches;
      Map<String, Double> figures = new LinkedHashMap<>();
      if (validation != null) {
        pullAll(tables, local);
        RegressionMetrics metrics = evaluate(model, users, items, validation);
        figures.put("rmse", metrics.rmse());
        figures.put("mae", metrics.mae());
      }
      EpochSummary summary =
          new EpochSummary(
              epoch, config.epochs(), epochLoss, schedule.learningRate(config.learningRate(), step, totalSteps),
              (System.nanoTime() - start) / 1e9, figures);
      history.add(summary);
      listener.onEpoch(summary);
    }
    if (workers > 1) {
      barrier.arriveAndAwait(waitForWorkers);
    }
    pullAll(tables, local);
    return new MatrixFactorizationTrainer.Result(
        model, users, items, (System.nanoTime() - start) / 1e9, epochLoss, history);
  }

  private static Embedding biases(MatrixFactorization model, String name) {
    return (Embedding) model.namedChildren().get(name);
  }

  /** Pulls each table's rows into its local copy, the four pulls in flight together. */
  private static void pullInto(Remote[] tables, long[][] ids, Embedding[] local) {
    ShardedTable.Pending[] pulls = new ShardedTable.Pending[tables.length];
    for (int t = 0; t < tables.length; t++) {
      pulls[t] = tables[t].startPull(ids[t]);
    }
    for (int t = 0; t < tables.length; t++) {
      pulls[t].await();
      tables[t].copyLocalRows(ids[t], local[t].weight());
    }
  }

  private static void pullAll(Remote[] tables, Embedding[] local) {
    for (int t = 0; t < tables.length; t++) {
      tables[t].pullAllInto(local[t].weight());
    }
  }

  /** A cluster table as the loop sees it: by the local model's row numbers. */
  private interface Remote {
    ShardedTable.Pending startPull(long[] rows);

    void copyLocalRows(long[] rows, RowStore dst);

    ShardedTable.Pending startPush(TableGradient grad, OptimizerSpec rule, long step);

    void pullAllInto(RowStore dst);
  }

  /** A table of dense rows: the local row numbers are the table's. */
  private record ByRow(ShardedTable table) implements Remote {
    @Override
    public ShardedTable.Pending startPull(long[] rows) {
      return table.startPull(rows);
    }

    @Override
    public void copyLocalRows(long[] rows, RowStore dst) {
      table.copyLocalRows(rows, dst);
    }

    @Override
    public ShardedTable.Pending startPush(TableGradient grad, OptimizerSpec rule, long step) {
      return table.startPush(grad, rule, step);
    }

    @Override
    public void pullAllInto(RowStore dst) {
      table.pullAllInto(dst);
    }
  }

  /** A table of raw ids: local row {@code r} is raw id {@code index.rawId(r)}. */
  private record ById(ShardedIdTable table, IdIndex index) implements Remote {
    private long[] ids(long[] rows) {
      long[] ids = new long[rows.length];
      for (int k = 0; k < rows.length; k++) {
        ids[k] = index.rawId(Math.toIntExact(rows[k]));
      }
      return ids;
    }

    @Override
    public ShardedTable.Pending startPull(long[] rows) {
      return table.startPull(ids(rows));
    }

    @Override
    public void copyLocalRows(long[] rows, RowStore dst) {
      float[] row = new float[dst.dim()];
      for (long r : rows) {
        table.readRow(index.rawId(Math.toIntExact(r)), row, 0);
        dst.writeRow(r, row, 0);
      }
    }

    @Override
    public ShardedTable.Pending startPush(TableGradient grad, OptimizerSpec rule, long step) {
      long[] rows;
      float[] values;
      switch (grad) {
        case SparseGradient s -> {
          SparseGradient c = s.coalesce();
          rows = c.indices();
          values = c.values().data();
        }
        case DenseGradient dense -> {
          RowStore g = dense.values();
          rows = new long[Math.toIntExact(g.rows())];
          values = new float[Math.multiplyExact(rows.length, g.dim())];
          for (int r = 0; r < rows.length; r++) {
            rows[r] = r;
            g.readRow(r, values, r * g.dim());
          }
        }
      }
      return table.startPush(ids(rows), values, rule, step);
    }

    @Override
    public void pullAllInto(RowStore dst) {
      int batch = 1024;
      for (int from = 0; from < index.size(); from += batch) {
        long[] rows = new long[Math.min(batch, index.size() - from)];
        for (int k = 0; k < rows.length; k++) {
          rows[k] = from + k;
        }
        table.pull(ids(rows));
        copyLocalRows(rows, dst);
        table.forgetLocal();
      }
    }
  }

  private static RegressionMetrics evaluate(MatrixFactorization model, IdIndex users, IdIndex items, Ratings test) {
    return new MatrixFactorizationTrainer.Result(model, users, items, 0, Double.NaN, List.of()).evaluate(test);
  }

  private static void shuffle(int[] a, SplittableRandom rng) {
    for (int k = a.length - 1; k > 0; k--) {
      int j = rng.nextInt(k + 1);
      int t = a[k];
      a[k] = a[j];
      a[j] = t;
    }
  }
}
