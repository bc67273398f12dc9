package dev.emb4j.cli.bench;

import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.BagResult;
import dev.emb4j.nn.DynamicEmbeddingBag;
import dev.emb4j.nn.Eviction;
import dev.emb4j.nn.Initializer;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.RowWiseAdagrad;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.Arrays;

/**
 * The workloads of {@link Workload} on a {@link DynamicEmbeddingBag} keyed by raw 64-bit ids ({@code --table
 * dynamic}): the dense ids of the run's stream are turned into raw ids by a fixed bijection of the 64-bit integers
 * (SplitMix64's finaliser of {@code id ^ salt}), so each of the V dense ids has its own random-looking raw id, and
 * the table, of capacity V, is filled with all V of them before timing (in dense-id order, so that raw id k holds row
 * k and the rows touched are those of the dense table with pre-mapped ids). Each timed call maps its raw ids to rows
 * through the id map and then runs the dense workload on the rows:
 *
 * <ul>
 *   <li>{@code lookup}: {@link DynamicEmbeddingBag#rowsOf(long[], long[], int)} into a reused array, then {@link
 *       Kernels#gatherRows};
 *   <li>{@code bag-sum}: {@code rowsOf} then {@code lookupInto} of the dense table;
 *   <li>{@code train-adagrad-bag}: {@link DynamicEmbeddingBag#remap} in training mode (every id hits: the map marks
 *       each row used and records it for delta checkpoints), the bag's forward and backward, and the optimizer's step
 *       over every parameter of the table (the id map's included).
 * </ul>
 *
 * <p>New rows are drawn from U(-0.1, 0.1) (the normal's Box-Muller per value would dominate filling 10<sup>7</sup>
 * rows); the values do not change the timings.
 */
final class DynamicTable {
  private static final long SALT = 0x5DEECE66DL;

  /** What a run on the dynamic table reports beside the timing. */
  record Stats(long idsAdmitted, long evictions, long mapBytes, long rowsBytes) {}

  private DynamicTable() {}

  /** Whether the workload has a dynamic form. */
  static boolean supports(Workload w) {
    return w != Workload.TRAIN_SGD;
  }

  /** The raw id of dense id {@code k}: a bijection, so distinct dense ids have distinct raw ids. */
  static long rawId(long k) {
    long z = k ^ SALT;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** An estimate of the id map's bytes at {@code v} rows, for the memory check before a run. */
  static long mapBytesEstimate(long v) {
    return v * 64;
  }

  /** Builds a dynamic table of capacity {@code v}, fills it with V raw ids, and returns the workload's call. */
  static TimedCall prepare(Workload w, long v, Workload.Config c) {
    DynamicEmbeddingBag table =
        DynamicEmbeddingBag.builder(v, c.dim())
            .mode(BagMode.SUM)
            .eviction(Eviction.leastRecentlyUsed())
            .initializer(Initializer.uniform(-0.1, 0.1, 1))
            .storage(c.storage())
            .dtype(c.dtype())
            .sparse(true)
            .build();
    return Workload.closingOnFailure(
        table,
        () -> {
          fill(table, v);
          Runnable call =
              switch (w) {
                case LOOKUP -> lookup(table, v, c);
                case BAG_SUM -> bagSum(table, v, c);
                case TRAIN_ADAGRAD_BAG -> train(table, v, c);
                case TRAIN_SGD -> throw new IllegalArgumentException("train-sgd has no dynamic form");
              };
          long rowsBytes = (v + 1) * c.dtype().rowBytes(c.dim());
          long rowsPerCall = w == Workload.LOOKUP ? c.ids() : (long) c.bags() * c.bagSize();
          return new TimedCall(
              call,
              rowsPerCall,
              () -> new Stats(table.size(), table.evictions(), table.idMapBytes(), rowsBytes),
              table);
        });
  }

  /** Admits the raw ids of dense ids 0 .. v - 1, in order, a chunk at a time. */
  private static void fill(DynamicEmbeddingBag table, long v) {
    int chunk = 1 << 16;
    for (long start = 0; start < v; start += chunk) {
      int n = (int) Math.min(chunk, v - start);
      long[] raw = new long[n];
      for (int i = 0; i < n; i++) {
        raw[i] = rawId(start + i);
      }
      table.remap(IndexTensor.of(raw));
    }
  }

  /** The raw ids of dense ids {@code dense}, in place. */
  private static long[] rawIds(long[] dense) {
    for (int i = 0; i < dense.length; i++) {
      dense[i] = rawId(dense[i]);
    }
    return dense;
  }

  private static Runnable lookup(DynamicEmbeddingBag table, long v, Workload.Config c) {
    IdSets<long[]> sets = IdSets.draw(c, c.ids(), v, 2, DynamicTable::rawIds);
    long[] rows = new long[c.ids()];
    float[] out = new float[c.ids() * c.dim()];
    return () -> {
      long[] ids = sets.next();
      table.rowsOf(ids, rows, ids.length);
      Kernels.gatherRows(table.table().weight(), rows, out);
    };
  }

  private static Runnable bagSum(DynamicEmbeddingBag table, long v, Workload.Config c) {
    IdSets<IndexTensor> ids = IdSets.draw(c, c.bags() * c.bagSize(), v, 3, d -> IndexTensor.of(rawIds(d)));
    IndexTensor offsets = Workload.offsets(c);
    FloatTensor out = FloatTensor.zeros(Shape.of(c.bags(), c.dim()));
    return () -> table.table().lookupInto(table.rowsOf(ids.next()), offsets, null, out);
  }

  private static Runnable train(DynamicEmbeddingBag table, long v, Workload.Config c) {
    IdSets<IndexTensor> ids = IdSets.draw(c, c.bags() * c.bagSize(), v, 3, d -> IndexTensor.of(rawIds(d)));
    IndexTensor offsets = Workload.offsets(c);
    float[] ones = new float[c.bags() * c.dim()];
    Arrays.fill(ones, 1f);
    FloatTensor grad = FloatTensor.wrap(Shape.of(c.bags(), c.dim()), ones);
    FloatTensor out = FloatTensor.zeros(Shape.of(c.bags(), c.dim()));
    Optimizer opt =
        c.rowWise()
            ? new RowWiseAdagrad(table.parameters(), RowWiseAdagrad.Config.of(0.01))
            : new Adagrad(table.parameters(), Adagrad.Config.of(0.01));
    return () -> {
      opt.zeroGrad();
      BagResult r = table.table().lookupInto(table.remap(ids.next()), offsets, null, out);
      table.table().backward(r, grad);
      opt.step();
    };
  }
}
