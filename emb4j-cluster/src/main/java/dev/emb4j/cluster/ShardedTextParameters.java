package dev.emb4j.cluster;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.RowStore;
import dev.emb4j.task.text.ParameterExchange;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A text classifier's parameters kept in a cluster, one sharded table per parameter ({@code <prefix>.input.weight},
 * {@code .output.weight} and, with a hidden layer, {@code .hidden.weight}, {@code .hidden.bias}), exchanged batch by
 * batch with the trainer's local model.
 *
 * <p>A batch pulls the input rows its texts touch (one batched call over their blocks, grouped by owner) and the dense
 * layers whole (tables of one or a few blocks), and keeps a copy of what it pulled. The trainer runs fastText's SGD
 * steps on the local rows, one text after the other as on one machine; the push sends, per row, the sum of those steps
 * ({@code pulled - now}, the learning rates folded in since fastText's rate changes from token to token) as the
 * gradient of an SGD rule with learning rate 1, applied at each block's owner: {@code row -= pulled - now}. So with
 * one worker the cluster ends where the local run ends (up to the rounding of that subtraction), and several workers'
 * steps add up at the owners (Hogwild-like, as {@link ShardedTable} describes) instead of overwriting each other.
 */
final class ShardedTextParameters implements ParameterExchange {
  private static final OptimizerSpec APPLY_STEPS = new OptimizerSpec(OptimizerSpec.Kind.SGD, 1.0);

  /**
   * Rows per block of the input table: a batch's words and hashed n-grams are spread over the whole table, so a batch
   * touches most blocks; larger blocks mean fewer entry processors per push (the unit of a pull, a push and of
   * atomicity stays a block).
   */
  static final int INPUT_BLOCK_ROWS = 64;

  /** At most this many floats in one block of a dense layer's table. */
  private static final int DENSE_BLOCK_FLOATS = 65_536;

  private final Cluster cluster;
  private final String prefix;
  private final int worker;
  private final int workers;
  private final Duration waitForWorkers;
  private final int batchTexts;
  private final List<ShardedTable> tables = new ArrayList<>();
  private final List<RowStore> local = new ArrayList<>();
  private final List<long[]> allRows = new ArrayList<>();
  private WorkerBarrier barrier;
  /** Per table, the rows as the last pull left them (the input table: the pulled rows only, packed). */
  private float[][] pulled;

  private long step;

  ShardedTextParameters(
      Cluster cluster, String prefix, int worker, int workers, Duration waitForWorkers, int batchTexts) {
    this.cluster = cluster;
    this.prefix = prefix;
    this.worker = worker;
    this.workers = workers;
    this.waitForWorkers = waitForWorkers;
    this.batchTexts = batchTexts;
  }

  @Override
  public int part() {
    return worker;
  }

  @Override
  public int parts() {
    return workers;
  }

  @Override
  public int batchTexts() {
    return batchTexts;
  }

  /**
   * Opens the tables, creating those missing with the model's initial rows; checks first that every existing one has
   * the model's shape, so that a run refused for a table of another shape creates none.
   */
  @Override
  public void start(List<Parameter> parameters) {
    List<TableSpec> specs = new ArrayList<>();
    for (int p = 0; p < parameters.size(); p++) {
      RowStore v = parameters.get(p).value();
      String name = prefix + "." + parameters.get(p).name();
      int block = p == 0 ? (int) Math.min(v.rows(), INPUT_BLOCK_ROWS) : denseBlock(v);
      specs.add(new TableSpec(name, v.rows(), v.dim(), block));
    }
    List<String> existing = cluster.tableNames();
    for (TableSpec spec : specs) {
      if (existing.contains(spec.name())) {
        TableSpec found = cluster.open(spec.name()).spec();
        if (!found.equals(spec)) {
          throw new ClusterException(
              "table '" + spec.name() + "' in the cluster is " + found.shape() + "; this run asks for " + spec.shape()
                  + " (another vocabulary, --dim, --buckets, --hidden or label set)");
        }
      }
    }
    for (int p = 0; p < parameters.size(); p++) {
      RowStore v = parameters.get(p).value();
      tables.add(cluster.openOrCreate(specs.get(p), () -> v));
      local.add(v);
      long[] rows = new long[Math.toIntExact(v.rows())];
      for (int r = 0; r < rows.length; r++) {
        rows[r] = r;
      }
      allRows.add(p == 0 ? null : rows);
    }
    pulled = new float[tables.size()][];
    barrier = cluster.barrier(prefix, worker, workers);
    if (workers > 1) {
      barrier.join();
    }
  }

  /** A dense layer's rows per block: all of them when they fit {@link #DENSE_BLOCK_FLOATS}. */
  private static int denseBlock(RowStore v) {
    return (int) Math.min(v.rows(), Math.max(1, DENSE_BLOCK_FLOATS / v.dim()));
  }

  @Override
  public void pull(long[] inputRows) {
    ShardedTable.Pending[] pulls = new ShardedTable.Pending[tables.size()];
    for (int t = 0; t < pulls.length; t++) {
      pulls[t] = tables.get(t).startPull(rowsOf(t, inputRows));
    }
    for (int t = 0; t < pulls.length; t++) {
      long[] rows = rowsOf(t, inputRows);
      pulls[t].await();
      tables.get(t).copyLocalRows(rows, local.get(t));
      pulled[t] = read(local.get(t), rows);
    }
  }

  @Override
  public void push(long[] inputRows) {
    step++;
    List<ShardedTable.Pending> pushes = new ArrayList<>();
    for (int t = 0; t < tables.size(); t++) {
      long[] rows = rowsOf(t, inputRows);
      RowStore v = local.get(t);
      float[] steps = read(v, rows);
      float[] before = pulled[t];
      for (int k = 0; k < steps.length; k++) {
        steps[k] = before[k] - steps[k];
      }
      SparseGradient g =
          new SparseGradient(v.rows(), v.dim(), rows, FloatTensor.wrap(Shape.of(rows.length, v.dim()), steps));
      pushes.add(tables.get(t).startPush(g, APPLY_STEPS, step));
    }
    for (ShardedTable.Pending p : pushes) {
      p.await();
    }
  }

  @Override
  public void refresh() {
    for (int t = 0; t < tables.size(); t++) {
      tables.get(t).pullAllInto(local.get(t));
    }
  }

  @Override
  public void finish() {
    if (workers > 1) {
      barrier.arriveAndAwait(waitForWorkers);
    }
    refresh();
  }

  /** The rows table {@code t} exchanges in a batch: the batch's for the input table, all for a dense layer. */
  private long[] rowsOf(int t, long[] inputRows) {
    return t == 0 ? inputRows : allRows.get(t);
  }

  private static float[] read(RowStore v, long[] rows) {
    int d = v.dim();
    float[] values = new float[rows.length * d];
    for (int k = 0; k < rows.length; k++) {
      v.readRow(rows[k], values, k * d);
    }
    return values;
  }
}
