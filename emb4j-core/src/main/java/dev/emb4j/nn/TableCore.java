package dev.emb4j.nn;

import dev.emb4j.autograd.DenseGradient;
import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.internal.kernel.IdRange;
import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.store.DType;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.LazyRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.IndexTensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The state and rules shared by {@link Embedding} and {@link EmbeddingBag}: the weight store, the normalised options,
 * id validation, max-norm renormalisation and gradient accumulation.
 */
final class TableCore {
  final String kind;
  final RowStore store;
  final long rows;
  final int dim;
  /** Normalised padding row, or -1 for none (internal only; the public API uses OptionalLong). */
  final long paddingIdx;
  /** NaN for none. */
  final double maxNorm;
  final double normType;
  final boolean scaleGradByFreq;
  final boolean sparse;
  final boolean frozen;
  /** False for a table over the caller's store: closing the table leaves that memory to its owner. */
  final boolean ownsStore;

  /**
   * Where the weight parameter's replaced rows come from ({@link Parameter#takeReplacedRows()}): set once by a {@link
   * DynamicEmbeddingBag} over this table, null for an ordinary one.
   */
  volatile java.util.function.Supplier<long[]> replacedRows;

  /**
   * How the weight parameter grows to a saved size before a restore writes it ({@link Parameter#canGrowTo}): set once
   * by a {@link DynamicEmbeddingBag} built with growth, null for a table that never grows.
   */
  volatile RowGrowth growth;

  /** What a table that may grow does for {@link Parameter#canGrowTo} and {@link Parameter#growTo}. */
  interface RowGrowth {
    /** Whether the table can grow to {@code rows} rows. */
    boolean canGrowTo(long rows);

    /** Grows the table to {@code rows} rows (after {@link #canGrowTo} said it can). */
    void growTo(long rows);
  }

  /**
   * The same for every core of one table: {@link #grownTo} makes a new core over a larger store, and a {@link
   * BagResult} of the core before it still belongs to the table. Set by {@link #grownTo} before the core is
   * published; read by the training thread only.
   */
  Object lineage = this;

  /** Serialises forward passes that renormalise rows in place (maxNorm set); lookups without maxNorm never lock. */
  private final ReentrantLock renormLock = new ReentrantLock();
  /** Told the rows of each renormalisation before it writes them (see {@link Parameter#onRowsWritten}). */
  private final List<Consumer<long[]>> rowWriteListeners =
      new CopyOnWriteArrayList<>();

  /** Dense gradient memory, kept across steps and cleared by zeroGrad; {@code denseLive} says it holds a gradient. */
  private HeapRowStore denseStore;

  private boolean denseLive;
  private SparseGradient sparseGrad;

  /**
   * Why lookups since the last zeroGrad recorded no graph (one of the {@code UNRECORDED_*} texts), or null; only for
   * the message of a missing gradient. Written only when it changes, so concurrent lookups do not contend on it.
   */
  private volatile String unrecorded;

  static final String UNRECORDED_DISABLED =
      "its lookups since the last zeroGrad() ran with gradients disabled (GradMode.disable())";
  static final String UNRECORDED_LOOKUP =
      "its lookups since the last zeroGrad() went through lookup(), which records nothing";

  TableCore(
      String kind,
      RowStore store,
      long paddingIdx,
      double maxNorm,
      double normType,
      boolean scaleGradByFreq,
      boolean sparse,
      boolean frozen,
      boolean ownsStore) {
    this.kind = kind;
    this.store = store;
    this.rows = store.rows();
    this.dim = store.dim();
    this.paddingIdx = paddingIdx;
    this.maxNorm = maxNorm;
    this.normType = normType;
    this.scaleGradByFreq = scaleGradByFreq;
    this.sparse = sparse;
    this.frozen = frozen;
    this.ownsStore = ownsStore;
  }

  /**
   * The core of this table grown to {@code grown}, a larger store of the same width that already holds this one's
   * rows, with its padding row at {@code paddingIdx}: the same options, listeners and hooks, and the gradient
   * accumulated so far (every row keeps its number; the new rows have none). The caller swaps it in and frees this
   * core's store ({@link #close()}).
   */
  TableCore grownTo(RowStore grown, long paddingIdx) {
    TableCore c = new TableCore(kind, grown, paddingIdx, maxNorm, normType, scaleGradByFreq, sparse, frozen, ownsStore);
    c.lineage = lineage;
    c.replacedRows = replacedRows;
    c.growth = growth;
    c.rowWriteListeners.addAll(rowWriteListeners);
    c.unrecorded = unrecorded;
    if (denseLive) {
      RowStore g = c.denseGradient();
      Kernels.copyRows(denseStore, g, 0, this.paddingIdx); // the old padding row, whose gradient is not kept, aside
      Kernels.copyRows(denseStore, g, this.paddingIdx + 1, rows);
    }
    if (sparseGrad != null) {
      SparseGradient.EntryRows e = sparseGrad.entryRows();
      c.sparseGrad =
          SparseGradient.ofRows(grown.rows(), dim, sparseGrad.indices(), e.source(), e.sourceRows(), e.scales());
    }
    return c;
  }

  /** Frees the rows if this table owns them. */
  void close() {
    if (ownsStore) {
      store.close();
    }
  }

  boolean hasMaxNorm() {
    return !Double.isNaN(maxNorm);
  }

  OptionalLong paddingIdxOption() {
    return paddingIdx < 0 ? OptionalLong.empty() : OptionalLong.of(paddingIdx);
  }

  OptionalDouble maxNormOption() {
    return hasMaxNorm() ? OptionalDouble.of(maxNorm) : OptionalDouble.empty();
  }

  /**
   * All ids of {@code indices} as longs, after checking each against the table, e.g. {@code index 12 at position [3,
   * 1] is out of range for a table of 10 rows (valid 0..9)}.
   */
  long[] checkedIds(IndexTensor indices, String what) {
    java.util.Objects.requireNonNull(indices, what);
    long[] ids = indices.toLongArray();
    // one branch-free pass for the common case; the position of a bad id only when needed
    if (IdRange.allWithin(ids, rows)) {
      return ids;
    }
    for (int i = 0; i < ids.length; i++) {
      long k = ids[i];
      if (k < 0 || k >= rows) {
        String valid = rows == 0 ? "the table is empty" : "valid 0.." + (rows - 1);
        String neg = k < 0 ? "; negative ids are not wrapped" : "";
        throw new IndexOutOfBoundsException(
            "index " + k + " at position " + indices.shape().positionOf(i) + " of the " + what
                + " is out of range for a table of " + rows + " rows (" + valid + neg + ")");
      }
    }
    return ids;
  }

  /** Checks the number of output floats fits a Java array. */
  int outputLength(long positions, String what) {
    long n = positions * dim;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          what + " of " + positions + " rows x " + dim + " floats exceeds one Java array; split the batch");
    }
    return (int) n;
  }

  /**
   * Runs {@code body}, a kernel over the rows of {@code ids}, after initialising those of a lazy table that are not yet
   * (the kernels read the rows' memory directly) and renormalising them in place when maxNorm is set.
   */
  void withRenorm(long[] ids, Runnable body) {
    if (store instanceof LazyRowStore lazy) {
      lazy.ensureRows(ids);
    }
    if (!hasMaxNorm()) {
      body.run();
      return;
    }
    renormLock.lock();
    try {
      long[] unique = sortedUnique(ids);
      for (Consumer<long[]> listener : rowWriteListeners) {
        listener.accept(unique);
      }
      Kernels.renormRows(store, unique, maxNorm, normType);
      body.run();
    } finally {
      renormLock.unlock();
    }
  }

  /** Adds a listener told the rows of each in-place renormalisation. */
  void onRowsWritten(Consumer<long[]> listener) {
    rowWriteListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  static long[] sortedUnique(long[] ids) {
    long[] s = ids.clone();
    Arrays.sort(s);
    int u = 0;
    for (int i = 0; i < s.length; i++) {
      if (i == 0 || s[i] != s[i - 1]) {
        s[u++] = s[i];
      }
    }
    return Arrays.copyOf(s, u);
  }

  /**
   * The gradient scale {@code 1 / count(id)} of each position for scaleGradByFreq, where the count runs over every
   * position of the call, padding included (PyTorch's definition).
   */
  static float[] inverseFrequencies(long[] ids) {
    long[] sorted = ids.clone();
    Arrays.sort(sorted);
    float[] scales = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      int lo = lowerBound(sorted, ids[i]);
      int hi = lowerBound(sorted, ids[i] + 1);
      scales[i] = (float) (1.0 / (hi - lo));
    }
    return scales;
  }

  private static int lowerBound(long[] a, long key) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The dense gradient store, created (zeroed) on first use. */
  RowStore denseGradient() {
    if (denseStore == null) {
      denseStore = HeapRowStore.allocate(rows, dim);
    }
    denseLive = true;
    return denseStore;
  }

  /**
   * Appends one sparse entry per non-padding position i: row {@code ids[i]} gets {@code scales[i] * src[r * D ..]}
   * with {@code r = srcRows == null ? i : srcRows[i]} ({@code scales} null means 1), in input order, as PyTorch's
   * uncoalesced sparse gradient. The entries refer to the rows of {@code src} rather than copying them (see {@link
   * SparseGradient#ofRows}); a second pass before zeroGrad copies both into one list.
   */
  void appendSparse(long[] ids, float[] src, int[] srcRows, float[] scales) {
    int kept = 0;
    for (long k : ids) {
      if (k != paddingIdx) {
        kept++;
      }
    }
    long[] keptIds = ids;
    int[] keptRows = srcRows;
    float[] keptScales = scales;
    if (kept != ids.length) {
      keptIds = new long[kept];
      keptRows = new int[kept];
      keptScales = scales == null ? null : new float[kept];
      int u = 0;
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] != paddingIdx) {
          keptIds[u] = ids[i];
          keptRows[u] = srcRows == null ? i : srcRows[i];
          if (scales != null) {
            keptScales[u] = scales[i];
          }
          u++;
        }
      }
    }
    SparseGradient more = SparseGradient.ofRows(rows, dim, keptIds, src, keptRows, keptScales);
    sparseGrad = sparseGrad == null ? more : sparseGrad.concat(more);
  }

  Optional<TableGradient> grad() {
    if (sparse) {
      return Optional.ofNullable(sparseGrad);
    }
    return denseLive ? Optional.of(new DenseGradient(denseStore)) : Optional.empty();
  }

  /** Notes that a lookup of this trainable table recorded no graph, and why. */
  void noteUnrecorded(String why) {
    if (!frozen && unrecorded != why) {
      unrecorded = why;
    }
  }

  /** Why {@link #grad()} is empty, for the message of a caller that expected a gradient. */
  String whyNoGrad() {
    if (frozen && store.dtype().quantized()) {
      return "its rows are quantized to " + store.dtype().label() + ", which makes it read-only, for inference only"
          + " (train a float32 table, then quantize it)";
    }
    if (frozen) {
      return "it is frozen (fromPretrained and wrap freeze a table unless freeze(false) is set)";
    }
    String why = unrecorded;
    if (why != null) {
      return why + "; call forward(...) with gradients enabled to train it";
    }
    return "no backward pass has reached it since the last zeroGrad() (call backward() on a loss computed from its"
        + " forward(...))";
  }

  void zeroGrad() {
    unrecorded = null;
    if (denseLive) {
      denseStore.clear();
      denseLive = false;
    }
    sparseGrad = null;
  }

  /** The options that differ from PyTorch's defaults, for toString, e.g. {@code , paddingIdx=0, sparse=true}. */
  String describeOptions() {
    StringBuilder sb = new StringBuilder();
    if (paddingIdx >= 0) {
      sb.append(", paddingIdx=").append(paddingIdx);
    }
    if (hasMaxNorm()) {
      sb.append(", maxNorm=").append(maxNorm);
    }
    if (normType != 2.0) {
      sb.append(", normType=").append(normType);
    }
    if (scaleGradByFreq) {
      sb.append(", scaleGradByFreq=true");
    }
    if (sparse) {
      sb.append(", sparse=true");
    }
    if (frozen) {
      sb.append(", frozen=true");
    }
    if (store.dtype() != DType.F32) {
      sb.append(", dtype=").append(store.dtype().label());
    }
    return sb.toString();
  }
}
