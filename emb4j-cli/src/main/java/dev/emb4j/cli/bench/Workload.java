package dev.emb4j.cli.bench;

import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.BagResult;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.nn.Initializer;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.RowWiseAdagrad;
import dev.emb4j.optim.Sgd;
import dev.emb4j.store.LazyRowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.Arrays;

/**
 * The four workloads of {@code torch_embedding_bench.py}, defined as there (the PyTorch line in each comment):
 *
 * <ul>
 *   <li>{@code lookup}: {@code index_select(w, 0, idx, out=out)}, N ids into a preallocated (N, D) output: here
 *       {@link Kernels#gatherRows} into a preallocated array.
 *   <li>{@code bag-sum}: {@code embedding_bag(bidx, w, offs, mode='sum')} of B bags of L ids, under no_grad: here
 *       {@link EmbeddingBag#forward} of a SUM bag (which records nothing) into a (B, D) output reused across calls (PyTorch allocates
 *       a new one per call; emb4j's {@code forward} without {@code out} costs a zeroed 1 MB array more).
 *   <li>{@code train-sgd}: {@code opt.zero_grad(); emb(idx).sum().backward(); opt.step()} with {@code
 *       Embedding(sparse=True)} and SGD(lr=0.01): here zeroGrad, {@link Embedding#forward(IndexTensor, FloatTensor)}
 *       into an output reused across steps (as a training loop would; PyTorch allocates a new one), {@link
 *       Embedding#backward} with the gradient of the sum (all ones, made once) and {@link Sgd#step()}.
 *   <li>{@code train-adagrad-bag}: the same with {@code EmbeddingBag(mode='sum', sparse=True)} and Adagrad(lr=0.01),
 *       B bags of L ids, the pooled output again reused.
 * </ul>
 *
 * <p>The scalar loss ({@code .sum()}) is not computed: its gradient, all ones, is what drives the backward pass, and
 * emb4j's backward takes it directly. Ids are drawn once per table (uniform as in the PyTorch script, or Zipf: see
 * {@link IdStream}; seeded) and reused by every repetition; the table is filled from N(0, 1), on a mapped table lazily
 * (each row when first touched, which the warm-up does).
 */
enum Workload {
  LOOKUP("lookup"),
  BAG_SUM("bag-sum"),
  TRAIN_SGD("train-sgd"),
  TRAIN_ADAGRAD_BAG("train-adagrad-bag");

  static final int D = 128;
  static final int N = 1 << 16;
  static final int B = 2048;
  static final int L = 32;

  /**
   * The sizes and options of a run.
   *
   * @param dim the row width D
   * @param ids ids per lookup and training step
   * @param bags bags per bag-sum call
   * @param bagSize ids per bag
   * @param storage where each table lives; a mapped table's file must not exist: the run creates it and {@link
   *     BenchCommand} deletes it, with the files beside it, after each workload
   * @param rowWise row-wise Adagrad instead of Adagrad for train-adagrad-bag
   * @param idStream how ids are drawn
   */
  record Config(int dim, int ids, int bags, int bagSize, Storage storage, boolean rowWise, IdStream idStream) {
    /** The most elements of one Java array, which holds a call's ids or outputs. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    Config {
      if (dim < 1 || ids < 1 || bags < 1 || bagSize < 1) {
        throw new IllegalArgumentException(
            "--dim, --num-ids, --bags and --bag-size must be positive, got " + dim + ", " + ids + ", " + bags + ", "
                + bagSize);
      }
      requireArray("--num-ids " + ids + " x --dim " + dim, (long) ids * dim);
      requireArray("--bags " + bags + " x --bag-size " + bagSize, (long) bags * bagSize);
      requireArray("--bags " + bags + " x --dim " + dim, (long) bags * dim);
    }

    private static void requireArray(String product, long elements) {
      if (elements > MAX_ARRAY) {
        throw new IllegalArgumentException(
            product + " = " + elements + " values, more than one call's buffer holds (" + MAX_ARRAY + ")");
      }
    }
  }

  private final String label;

  Workload(String label) {
    this.label = label;
  }

  /** The workload's name on the command line, e.g. {@code bag-sum}. */
  String label() {
    return label;
  }

  static Workload named(String name) {
    for (Workload w : values()) {
      if (w.label.equals(name)) {
        return w;
      }
    }
    throw new IllegalArgumentException(
        "unknown workload '" + name + "'; known: lookup, bag-sum, train-sgd, train-adagrad-bag");
  }

  /** The bytes of the table and the optimizer's state at {@code v} rows (saturating at {@code Long.MAX_VALUE}). */
  long tableBytes(long v, Config c) {
    double table = (double) v * c.dim() * Float.BYTES;
    double state =
        this != TRAIN_ADAGRAD_BAG ? 0 : c.rowWise() ? (double) v * Float.BYTES : table;
    return (long) (table + state); // the cast saturates
  }

  /** The bytes of a call's ids, outputs and gradients, which live on the heap whatever the table's storage. */
  long bufferBytes(Config c) {
    long rows = this == LOOKUP || this == TRAIN_SGD ? c.ids() : c.bags();
    long ids = this == LOOKUP || this == TRAIN_SGD ? c.ids() : (long) c.bags() * c.bagSize();
    int copies = this == LOOKUP || this == BAG_SUM ? 1 : 3; // training: the output, the ones and the gradient
    return copies * rows * c.dim() * Float.BYTES + ids * Long.BYTES;
  }

  Harness.Result run(long v, Config c, Harness harness) {
    return switch (this) {
      case LOOKUP -> lookup(v, c, harness);
      case BAG_SUM -> bagSum(v, c, harness);
      case TRAIN_SGD -> trainSgd(v, c, harness);
      case TRAIN_ADAGRAD_BAG -> trainAdagradBag(v, c, harness);
    };
  }

  private static Harness.Result lookup(long v, Config c, Harness harness) {
    try (Embedding emb = Embedding.builder(v, c.dim()).initializer(Initializer.normal(1)).storage(c.storage()).build()) {
      long[] ids = c.idStream().draw(c.ids(), v, 2);
      float[] out = new float[c.ids() * c.dim()];
      if (emb.weight() instanceof LazyRowStore lazy) {
        lazy.ensureRows(ids); // the kernel reads the rows' memory directly, as the table's lookup would after this
      }
      return harness.time(() -> Kernels.gatherRows(emb.weight(), ids, out), c.ids());
    }
  }

  private static Harness.Result bagSum(long v, Config c, Harness harness) {
    try (EmbeddingBag bag =
        EmbeddingBag.builder(v, c.dim())
            .mode(BagMode.SUM)
            .initializer(Initializer.normal(1))
            .storage(c.storage())
            .build()) {
      IndexTensor ids = IndexTensor.of(c.idStream().draw(c.bags() * c.bagSize(), v, 3));
      IndexTensor offsets = offsets(c);
      FloatTensor out = FloatTensor.zeros(Shape.of(c.bags(), c.dim()));
      return harness.time(() -> bag.lookupInto(ids, offsets, null, out), (long) c.bags() * c.bagSize());
    }
  }

  private static Harness.Result trainSgd(long v, Config c, Harness harness) {
    try (Embedding emb =
        Embedding.builder(v, c.dim())
            .initializer(Initializer.normal(1))
            .storage(c.storage())
            .sparse(true)
            .build()) {
      IndexTensor ids = IndexTensor.of(c.idStream().draw(c.ids(), v, 2));
      FloatTensor ones = ones(Shape.of(c.ids(), c.dim()));
      FloatTensor out = FloatTensor.zeros(Shape.of(c.ids(), c.dim()));
      Optimizer opt = new Sgd(emb.parameters(), Sgd.Config.of(0.01));
      return harness.time(
          () -> {
            opt.zeroGrad();
            emb.lookupInto(ids, out);
            emb.backward(ids, ones);
            opt.step();
          },
          c.ids());
    }
  }

  private static Harness.Result trainAdagradBag(long v, Config c, Harness harness) {
    try (EmbeddingBag bag =
        EmbeddingBag.builder(v, c.dim())
            .mode(BagMode.SUM)
            .initializer(Initializer.normal(1))
            .storage(c.storage())
            .sparse(true)
            .build()) {
      IndexTensor ids = IndexTensor.of(c.idStream().draw(c.bags() * c.bagSize(), v, 3));
      IndexTensor offsets = offsets(c);
      FloatTensor ones = ones(Shape.of(c.bags(), c.dim()));
      FloatTensor out = FloatTensor.zeros(Shape.of(c.bags(), c.dim()));
      Optimizer opt =
          c.rowWise()
              ? new RowWiseAdagrad(bag.parameters(), RowWiseAdagrad.Config.of(0.01))
              : new Adagrad(bag.parameters(), Adagrad.Config.of(0.01));
      return harness.time(
          () -> {
            opt.zeroGrad();
            BagResult r = bag.lookupInto(ids, offsets, null, out);
            bag.backward(r, ones);
            opt.step();
          },
          (long) c.bags() * c.bagSize());
    }
  }

  private static IndexTensor offsets(Config c) {
    long[] starts = new long[c.bags()];
    for (int b = 0; b < starts.length; b++) {
      starts[b] = (long) b * c.bagSize();
    }
    return IndexTensor.of(starts);
  }

  private static FloatTensor ones(Shape shape) {
    float[] data = new float[Math.toIntExact(shape.numel())];
    Arrays.fill(data, 1f);
    return FloatTensor.wrap(shape, data);
  }
}
