package dev.emb4j.cli.bench;

import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.BagResult;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.nn.Initializer;
import dev.emb4j.nn.TableBuilder;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.RowWiseAdagrad;
import dev.emb4j.optim.Sgd;
import dev.emb4j.store.DType;
import dev.emb4j.store.LazyRowStore;
import dev.emb4j.store.QuantizedRowStore;
import dev.emb4j.store.RowStore;
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
 * {@link IdStream}; seeded): one set reused by every repetition as in the PyTorch script, or {@code --id-sets K} sets
 * used in turn ({@link IdSets}); the table is filled from N(0, 1), on a mapped table lazily (each row when first
 * touched, which the warm-up does).
 *
 * <p>The table's rows are of the run's {@link DType}: fp16 and bf16 tables are built as such ({@link
 * TableBuilder#dtype}) and train with stochastic rounding; an int8 or int4 table, read-only, is an fp32 table
 * quantized row-wise ({@link QuantizedRowStore#quantize}), the fp32 one closed before timing, and serves the lookup
 * and bag-sum workloads only.
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
   * @param dtype the element type of the table's rows
   * @param idSets the id sets the calls use in turn (1: every call the same ids)
   */
  record Config(
      int dim,
      int ids,
      int bags,
      int bagSize,
      Storage storage,
      boolean rowWise,
      IdStream idStream,
      DType dtype,
      int idSets) {
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
      if (idSets < 1) {
        throw new IllegalArgumentException("--id-sets must be at least 1, got " + idSets);
      }
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

  /** Whether the workload updates the table (so cannot run on read-only quantized rows). */
  boolean trains() {
    return this == TRAIN_SGD || this == TRAIN_ADAGRAD_BAG;
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

  /**
   * The bytes, at {@code v} rows, of what lives on the run's storage: the table (for a quantized dtype the fp32 table
   * it is quantized from) and the optimizer's state, in float32 (saturating at {@code Long.MAX_VALUE}).
   */
  long tableBytes(long v, Config c) {
    double floats = (double) v * c.dim() * Float.BYTES;
    double table = c.dtype().quantized() ? floats : (double) v * c.dtype().rowBytes(c.dim());
    double state = this != TRAIN_ADAGRAD_BAG ? 0 : c.rowWise() ? (double) v * Float.BYTES : floats;
    return (long) (table + state); // the cast saturates
  }

  /** The bytes of a quantized dtype's rows at {@code v} rows, which live off the Java heap; 0 for other dtypes. */
  static long quantizedBytes(long v, Config c) {
    return c.dtype().quantized() ? (long) ((double) v * c.dtype().rowBytes(c.dim())) : 0;
  }

  /** The bytes of a call's ids, outputs and gradients, which live on the heap whatever the table's storage. */
  long bufferBytes(Config c) {
    long rows = this == LOOKUP || this == TRAIN_SGD ? c.ids() : c.bags();
    long ids = this == LOOKUP || this == TRAIN_SGD ? c.ids() : (long) c.bags() * c.bagSize();
    int copies = this == LOOKUP || this == BAG_SUM ? 1 : 3; // training: the output, the ones and the gradient
    return copies * rows * c.dim() * Float.BYTES + c.idSets() * ids * Long.BYTES;
  }

  /** Builds and fills a table of {@code v} rows for this workload: its call, ready to time. */
  TimedCall prepare(long v, Config c) {
    return switch (this) {
      case LOOKUP -> lookup(v, c);
      case BAG_SUM -> bagSum(v, c);
      case TRAIN_SGD -> trainSgd(v, c);
      case TRAIN_ADAGRAD_BAG -> trainAdagradBag(v, c);
    };
  }

  private static TimedCall lookup(long v, Config c) {
    IdSets<long[]> ids = IdSets.draw(c, c.ids(), v, 2, set -> set);
    float[] out = new float[c.ids() * c.dim()];
    if (c.dtype().quantized()) {
      QuantizedRowStore q = quantized(v, c);
      return TimedCall.dense(() -> Kernels.gatherRows(q, ids.next(), out), c.ids(), q);
    }
    Embedding emb = fresh(Embedding.builder(v, c.dim()), c).build();
    return closingOnFailure(
        emb,
        () -> {
          if (emb.weight() instanceof LazyRowStore lazy) {
            // the kernel reads the rows' memory directly, as the table's lookup would after this
            ids.all().forEach(lazy::ensureRows);
          }
          RowStore w = emb.weight();
          return TimedCall.dense(() -> Kernels.gatherRows(w, ids.next(), out), c.ids(), emb);
        });
  }

  private static TimedCall bagSum(long v, Config c) {
    QuantizedRowStore q = c.dtype().quantized() ? quantized(v, c) : null;
    EmbeddingBag bag =
        closingOnFailure(
            q,
            () -> (q != null ? EmbeddingBag.wrap(q) : fresh(EmbeddingBag.builder(v, c.dim()), c))
                .mode(BagMode.SUM)
                .build());
    AutoCloseable both =
        () -> {
          try (q;
              bag) {
            // closes both, the bag first
          }
        };
    IdSets<IndexTensor> ids = IdSets.draw(c, c.bags() * c.bagSize(), v, 3, IndexTensor::of);
    IndexTensor offsets = offsets(c);
    FloatTensor out = FloatTensor.zeros(Shape.of(c.bags(), c.dim()));
    return TimedCall.dense(
        () -> bag.lookupInto(ids.next(), offsets, null, out), (long) c.bags() * c.bagSize(), both);
  }

  /**
   * {@code builder} for a fresh table of the run: N(0, 1) rows on its storage, of its dtype (fp32 for a quantized
   * dtype: the rows to quantize).
   */
  private static <B extends TableBuilder<B>> B fresh(B builder, Config c) {
    return builder
        .initializer(Initializer.normal(1))
        .storage(c.storage())
        .dtype(c.dtype().quantized() ? DType.F32 : c.dtype());
  }

  /** A fresh fp32 table of the run quantized to its dtype; the fp32 table is closed before this returns. */
  private static QuantizedRowStore quantized(long v, Config c) {
    try (Embedding source = fresh(Embedding.builder(v, c.dim()), c).build()) {
      return QuantizedRowStore.quantize(source.weight(), c.dtype());
    }
  }

  private static TimedCall trainSgd(long v, Config c) {
    Embedding emb = fresh(Embedding.builder(v, c.dim()), c).sparse(true).build();
    IdSets<IndexTensor> sets = IdSets.draw(c, c.ids(), v, 2, IndexTensor::of);
    FloatTensor ones = ones(Shape.of(c.ids(), c.dim()));
    FloatTensor out = FloatTensor.zeros(Shape.of(c.ids(), c.dim()));
    Optimizer opt = new Sgd(emb.parameters(), Sgd.Config.of(0.01));
    return TimedCall.dense(
        () -> {
          IndexTensor ids = sets.next();
          opt.zeroGrad();
          emb.lookupInto(ids, out);
          emb.backward(ids, ones);
          opt.step();
        },
        c.ids(),
        emb);
  }

  private static TimedCall trainAdagradBag(long v, Config c) {
    EmbeddingBag bag = fresh(EmbeddingBag.builder(v, c.dim()), c).mode(BagMode.SUM).sparse(true).build();
    IdSets<IndexTensor> sets = IdSets.draw(c, c.bags() * c.bagSize(), v, 3, IndexTensor::of);
    IndexTensor offsets = offsets(c);
    FloatTensor ones = ones(Shape.of(c.bags(), c.dim()));
    FloatTensor out = FloatTensor.zeros(Shape.of(c.bags(), c.dim()));
    Optimizer opt =
        c.rowWise()
            ? new RowWiseAdagrad(bag.parameters(), RowWiseAdagrad.Config.of(0.01))
            : new Adagrad(bag.parameters(), Adagrad.Config.of(0.01));
    return TimedCall.dense(
        () -> {
          opt.zeroGrad();
          BagResult r = bag.lookupInto(sets.next(), offsets, null, out);
          bag.backward(r, ones);
          opt.step();
        },
        (long) c.bags() * c.bagSize(),
        bag);
  }

  /** What {@code rest} returns; {@code built} is closed first if it throws (null: nothing to close). */
  static <T> T closingOnFailure(AutoCloseable built, java.util.function.Supplier<T> rest) {
    try {
      return rest.get();
    } catch (RuntimeException | Error e) {
      if (built != null) {
        try {
          built.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  static IndexTensor offsets(Config c) {
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
