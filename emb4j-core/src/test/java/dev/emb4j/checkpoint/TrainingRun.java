package dev.emb4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emb4j.autograd.Variable;
import dev.emb4j.nn.BagMode;
import dev.emb4j.autograd.Ops;
import dev.emb4j.nn.CrossEntropyLoss;
import dev.emb4j.nn.DynamicEmbeddingBag;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.nn.Eviction;
import dev.emb4j.nn.Initializer;
import dev.emb4j.nn.Linear;
import dev.emb4j.nn.Model;
import dev.emb4j.nn.Parameter;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.OptimizerState;
import dev.emb4j.optim.RowWiseAdagrad;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.IndexTensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A small deterministic training run: an {@link EmbeddingBag} with sparse gradients and a dense {@link Linear}, one
 * optimizer over both; optionally also a {@link DynamicEmbeddingBag} of raw ids (admission at the second sighting,
 * least-recently-used eviction) whose bags are added to the first table's. Step {@code i}'s batch depends on the seed and {@code i} only, so a run restored at step s and
 * continued gives the same state as one that never stopped. Also the child process of {@link
 * DeltaCheckpointCrashTest}.
 */
final class TrainingRun {
  static final int CLASSES = 3;
  static final int BAGS = 64;
  static final int BAG_SIZE = 10;

  /** Rows of the dynamic table: fewer than the raw ids a run sees, so that it evicts. */
  static final long DYNAMIC_ROWS = 1500;

  /** The model: bag (+ dyn) -> linear. */
  static final class Net extends Model {
    final EmbeddingBag bag;
    final DynamicEmbeddingBag dyn;
    final Linear fc;

    Net(long rows, int dim, Storage storage, long seed, boolean lazy) {
      this(rows, dim, storage, seed, lazy, -1);
    }

    /** With a dynamic table drawing new ids' rows from {@code dynamicSeed}, unless it is negative. */
    Net(long rows, int dim, Storage storage, long seed, boolean lazy, long dynamicSeed) {
      bag =
          register(
              "bag",
              EmbeddingBag.builder(rows, dim)
                  .mode(BagMode.SUM)
                  .sparse(true)
                  .storage(storage)
                  .lazyInit(lazy)
                  .initializer(Initializer.normal(0, 0.1, seed))
                  .build());
      dyn =
          dynamicSeed < 0
              ? null
              : register(
                  "dyn",
                  DynamicEmbeddingBag.builder(DYNAMIC_ROWS, dim)
                      .mode(BagMode.SUM)
                      .sparse(true)
                      .minCount(2)
                      .eviction(Eviction.leastRecentlyUsed())
                      .initializer(Initializer.normal(0, 0.1, dynamicSeed))
                      .build());
      fc = register("fc", Linear.seeded(dim, CLASSES, true, seed + 1));
    }
  }

  final long rows;
  final long seed;
  final Net model;
  final Optimizer optimizer;
  long step;

  /**
   * A run drawing its batches from {@code seed}, its initial values from {@code initSeed} (a run to restore into
   * starts from other values than the one it resumes), with row-wise Adagrad or Adagrad.
   */
  TrainingRun(long rows, int dim, Storage storage, long seed, long initSeed, boolean rowWise) {
    this(rows, dim, storage, seed, initSeed, rowWise, false);
  }

  /**
   * As above, with a table of lazy rows ({@code lazy}: drawn on first touch, as a mapped table's are by default) or
   * eager ones; the two start from other values.
   */
  TrainingRun(long rows, int dim, Storage storage, long seed, long initSeed, boolean rowWise, boolean lazy) {
    this(rows, dim, storage, seed, initSeed, rowWise, lazy, false);
  }

  /**
   * As above, with a dynamic table too ({@code dynamic}); its new ids' rows are drawn from {@code seed}, not {@code
   * initSeed}, since a resumed run goes on admitting ids as the uninterrupted one does.
   */
  TrainingRun(
      long rows, int dim, Storage storage, long seed, long initSeed, boolean rowWise, boolean lazy, boolean dynamic) {
    this.rows = rows;
    this.seed = seed;
    this.model = new Net(rows, dim, storage, initSeed, lazy, dynamic ? seed + 2 : -1);
    this.optimizer =
        rowWise
            ? new RowWiseAdagrad(model.parameters(), RowWiseAdagrad.Config.of(0.2))
            : new Adagrad(model.parameters(), Adagrad.Config.builder().lr(0.1).build());
  }

  /** Runs the steps after {@link #step} up to {@code target}. */
  void trainTo(long target) {
    while (step < target) {
      step(++step);
    }
  }

  /** Step {@code i}: a batch drawn from (seed, i) alone, skewed so that low rows come up often and some never. */
  void step(long i) {
    SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + i);
    long[] ids = new long[BAGS * BAG_SIZE];
    long[] offsets = new long[BAGS];
    int[] targets = new int[BAGS];
    for (int b = 0; b < BAGS; b++) {
      offsets[b] = (long) b * BAG_SIZE;
      targets[b] = rng.nextInt(CLASSES);
      for (int j = 0; j < BAG_SIZE; j++) {
        double u = rng.nextDouble();
        ids[b * BAG_SIZE + j] = Math.min(rows - 1, (long) (rows * u * u * u));
      }
    }
    Variable pooled = model.bag.forward(IndexTensor.of(ids), IndexTensor.of(offsets));
    if (model.dyn != null) {
      long[] raw = new long[ids.length];
      for (int j = 0; j < ids.length; j++) {
        raw[j] = (ids[j] + 1) * 0x9E3779B97F4A7C15L; // distinct 64-bit ids, one per row
      }
      pooled = Ops.add(pooled, model.dyn.forward(IndexTensor.of(raw), IndexTensor.of(offsets)));
    }
    Variable logits = model.fc.forward(pooled);
    new CrossEntropyLoss().apply(logits, targets).backward();
    optimizer.step();
    optimizer.zeroGrad();
  }

  /** Every value of the model and the optimizer as raw bits, by name, for bit-for-bit comparison. */
  Map<String, int[]> state() {
    Map<String, int[]> out = new LinkedHashMap<>();
    for (Parameter p : model.parameters()) {
      out.put(p.name(), bits(p.value()));
    }
    OptimizerState s = optimizer.exportState();
    out.put("optimizer kind " + s.optimizer(), new int[0]);
    new TreeMap<>(s.scalars()).forEach((k, v) -> {
      long b = Double.doubleToRawLongBits(v);
      out.put("scalar " + k, new int[] {(int) b, (int) (b >>> 32)});
    });
    new TreeMap<>(s.slots()).forEach((k, v) -> out.put("slot " + k, bits(v)));
    return out;
  }

  static int[] bits(RowStore store) {
    int d = store.dim();
    float[] row = new float[d];
    int[] out = new int[Math.toIntExact(store.rows() * d)];
    for (long r = 0; r < store.rows(); r++) {
      store.readRow(r, row, 0);
      for (int j = 0; j < d; j++) {
        out[(int) r * d + j] = Float.floatToRawIntBits(row[j]);
      }
    }
    return out;
  }

  static void assertSameState(Map<String, int[]> expected, Map<String, int[]> actual, String what) {
    assertEquals(expected.keySet(), actual.keySet(), what + ": the same tensors and scalars");
    for (String k : expected.keySet()) {
      assertArrayEquals(expected.get(k), actual.get(k), what + ": " + k + " bit for bit");
    }
  }

  /** The table file of a crash-test child training a mapped table over checkpoint directory {@code dir}. */
  static Path tableFile(Path dir) {
    return dir.resolveSibling(dir.getFileName() + "-table.emb4j");
  }

  /**
   * The child of the crash test: {@code dir rows dim storage seed every steps life} (storage {@code heap}, {@code
   * offheap}, {@code dynamic}: off-heap with a dynamic table beside, or {@code mapped}: a lazy table in {@link
   * #tableFile}, reopened as the last child left it, dirty; life
   * numbers the child's runs, so that each resumed one starts from other initial values than the state it restores).
   * Resumes from {@code dir} if it holds a checkpoint, trains to {@code steps}, checkpoints every {@code every} steps
   * (every fourth checkpoint a compaction, announced by {@code compacting}), and prints {@code checkpoint k done step
   * s} after each (with the time a compaction took).
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long rows = Long.parseLong(args[1]);
    int dim = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[4]);
    int every = Integer.parseInt(args[5]);
    long steps = Long.parseLong(args[6]);
    // a fresh start draws the uninterrupted run's initial values; a resumed one others, which the restore replaces
    boolean resumes = java.nio.file.Files.exists(dir.resolve(DeltaCheckpointer.BASE_FILE));
    long initSeed = resumes ? seed + 1 + Long.parseLong(args[7]) : seed;
    boolean mapped = args[3].equals("mapped");
    Storage storage =
        mapped
            ? Storage.mapped(tableFile(dir))
            : args[3].equals(Storage.OFF_HEAP.label()) || args[3].equals("dynamic") ? Storage.OFF_HEAP : Storage.HEAP;
    if (mapped && !resumes) { // rows trained by a child killed before its first checkpoint: nothing to resume them
      for (String suffix : new String[] {"", ".initialized", ".rowwiseadagrad-sum"}) {
        java.nio.file.Files.deleteIfExists(Path.of(tableFile(dir) + suffix));
      }
    }
    TrainingRun run = new TrainingRun(rows, dim, storage, seed, initSeed, true, mapped, args[3].equals("dynamic"));
    try (DeltaCheckpointer ckpt =
        DeltaCheckpointer.open(dir, run.model.parameters(), run.optimizer, new DeltaCheckpointer.Config(0.25))) {
      OptionalLong restored = ckpt.restore();
      if (restored.isPresent()) {
        run.step = Long.parseLong(ckpt.metadata().get("step"));
      }
      System.out.println("restored " + restored + " step " + run.step);
      while (run.step < steps) {
        run.step(++run.step);
        if (run.step % every == 0) {
          Map<String, String> meta = Map.of("step", Long.toString(run.step));
          if ((run.step / every) % 4 == 0) {
            System.out.println("compacting");
            System.out.flush();
            long start = System.nanoTime();
            long k = ckpt.compact(meta);
            System.out.println(
                "checkpoint " + k + " done step " + run.step + " (compaction, "
                    + (System.nanoTime() - start) / 1_000_000 + " ms)");
          } else {
            System.out.println("checkpoint " + ckpt.checkpoint(meta) + " done step " + run.step);
          }
          System.out.flush();
        }
      }
    }
    System.out.println("finished");
  }
}
