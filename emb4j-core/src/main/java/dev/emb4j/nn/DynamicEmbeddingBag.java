package dev.emb4j.nn;

import dev.emb4j.Emb4j;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.autograd.Variable;
import dev.emb4j.internal.kernel.IdLookups;
import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.internal.store.IdRowMap;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowInit;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.IndexTensor;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;

/**
 * An {@link EmbeddingBag} keyed by raw 64-bit ids instead of row numbers: no vocabulary pass, the first sightings of
 * an id give it a row of its own (TorchRec's managed-collision tables, Monolith's collision-free embeddings).
 *
 * <pre>{@code
 * DynamicEmbeddingBag users = DynamicEmbeddingBag.builder(1_000_000, 64)
 *     .mode(BagMode.SUM).minCount(2).eviction(Eviction.leastRecentlyUsed()).sparse(true).build();
 * Variable pooled = users.forward(IndexTensor.of(Shape.of(2, 1), new long[] {8_812_733_004L, -77L}));
 * }</pre>
 *
 * <p><b>Ids to rows.</b> An id map (collision-free open addressing with linear probing over a power-of-two slot array,
 * ids mixed by SplitMix64's finaliser, so ids with equal low bits spread) gives each admitted id one of {@code
 * capacity} dense rows of an ordinary {@link EmbeddingBag} ({@link #table()}) of {@code capacity + 1} rows; the last
 * row is its padding row. Every store, dtype, bag mode and optimizer of an ordinary table works unchanged. No two ids
 * share a row while they hold one.
 *
 * <p><b>Admission.</b> In training mode ({@link #isTraining()}), {@link #forward} counts each id and gives it a row at
 * its {@link Builder#minCount minCount}-th sighting (counted per position, in input order, by a count-min sketch that
 * may count a little high, never low); a new row gets the initializer's values for that id ({@link RowInit} of the
 * raw id, so an id starts from the same values whatever row it gets). An id without a row maps to the padding row:
 * it is left out of its bag (sums, means and their divisors, maxima) and takes no gradient, exactly as a padding id
 * of an ordinary bag. Evaluation mode and {@link #lookup} never admit: an unknown id reads as padding.
 *
 * <p><b>Eviction.</b> When every row holds an id, a new id takes the row chosen by the {@link Eviction} policy (off by
 * default: admitting into a full table throws, naming the capacity). The row's values are drawn afresh for the new
 * id, and its optimizer state is reset to its initial values at the next {@link dev.emb4j.optim.Optimizer#step()}
 * (see {@link Parameter#takeReplacedRows()}), so a new id never inherits an old one's weights or statistics.
 *
 * <p><b>Growth.</b> By default the capacity is fixed. With {@link Builder#growth growth(maxCapacity)}, an id due a row
 * when every row holds one first doubles the capacity (at most to {@code maxCapacity}); the eviction policy acts only
 * at {@code maxCapacity}. Growing (under the write lock, inside the {@code forward} or {@link #remap} that needs it)
 * keeps every id's row number and values: a new store of the same kind (heap or off-heap; a mapped table cannot grow
 * and {@link Builder#build()} refuses it) takes the rows, the padding row becomes its new last row ({@link
 * #paddingRow()} moves), the old store is freed, and the id map keeps its records, recency order, counters and
 * admission sketch (whose width stays that of the initial capacity); the new rows are free. The gradient accumulated
 * so far moves along, and an {@link dev.emb4j.optim.Optimizer} given the table's parameters follows at its next call:
 * existing rows keep their state, new rows start at its initial values. So a run that grows gives bit for bit the
 * rows and optimizer state of the same run on a table built at the final capacity (with {@code minCount} 1; with a
 * higher one the sketch is that of the initial capacity). A lookup from another thread that runs across a growth is
 * repeated on the grown table. Growth costs a copy of the rows (and of the optimizer state) each doubling: amortised,
 * at most two copies of each row; build at the expected size when it is known.
 *
 * <p><b>Saving.</b> The id map is saved whole, so that a restored table admits, evicts and trains exactly as the one
 * saved would have gone on (TorchRec saves its raw-id map in the state dict the same way), as frozen parameters (buffers,
 * in PyTorch's terms) beside {@code "table.weight"}: {@link Model#stateDict()}, {@code Checkpoint} and {@code
 * DeltaCheckpointer} save and restore them with the rows; a checkpoint of a table that grew restores into one built
 * with the same builder (the initial capacity): the restore grows it to the saved capacity first (see {@link
 * Parameter#canGrowTo}), and a {@code DeltaCheckpointer} writes a full checkpoint after a growth. A table that grew
 * past a checkpoint's capacity cannot restore it (build a new one). {@code "ids"} is {@code (capacity + 1) x 12}
 * floats, each a
 * whole number of at most 16 bits: row {@code r < capacity} is {@code [used, id bits 0-15, 16-31, 32-47, 48-63, last
 * use bits 0-15, 16-31, 32-47, recency bits 0-15, 16-31, 32-47, 48-63]} ({@code used} is 1 or 0, a free row all
 * zeros; the recency orders the rows for eviction, see {@code IdRowMap}), and the last row holds the counters: {@code
 * [0, clock (4 fields), evictions (3), touches (4)]}. With {@code minCount > 1}, {@code "admission"} holds the
 * admission counts of ids not yet admitted: the count-min sketch's bytes, two per float ({@code low + 256 * high}), 32
 * floats a row. Give the optimizer all of {@link #parameters()} (the map included: it takes no step but records the
 * map's changed rows) for delta checkpoints to carry the map.
 *
 * <p><b>Threads.</b> One thread trains ({@code forward} in training mode, backward, the optimizer's step). Any thread
 * may call {@link #lookup}, {@link #rowOf} or {@code forward} in evaluation mode while it does: the id map is read
 * under a {@link StampedLock} (an optimistic read, retried under the read lock if the trainer changed the map
 * meanwhile), so each id is mapped to the row it held at one moment, never to another id's row. The rows' values are
 * read as an ordinary table's concurrent reads are: a row updated (or, for an id evicted meanwhile, reset) during the
 * read may be seen half-updated. A {@link #lookup} or evaluation-mode {@code forward} that runs across a growth is
 * repeated on the grown table; code that reads {@link #table()} itself from another thread while the table may grow
 * must not keep its {@code weight()} or a {@link #rowsOf} result across a growth.
 */
public final class DynamicEmbeddingBag extends Model {
  /** Floats per row of the {@code "ids"} parameter. */
  static final int RECORD_WIDTH = 12;

  /** Each field of a record but {@code used} holds 16 bits: a whole number below this. */
  private static final int FIELD_VALUES = 1 << 16;

  private final EmbeddingBag table;
  private final IdRowMap map;
  private final StampedLock lock = new StampedLock();

  private final RowInit rowInit;
  private final int minCount;
  private final Eviction eviction;
  /** The rows ids can hold now: raised by growth, under the write lock. */
  private volatile long capacity;
  private final long initialCapacity;
  /** The most rows growth reaches; {@code initialCapacity} for a table that never grows. */
  private final long maxCapacity;
  private final Storage storage;
  /**
   * Twice the growths so far, plus one while a growth runs (a sequence lock): a lookup from another thread that ran
   * across a growth is repeated.
   */
  private volatile long growths;
  /** True after the id records were written from outside (a restore): the slots must be rebuilt before use. */
  private volatile boolean stale;

  private DynamicEmbeddingBag(Builder b, EmbeddingBag built, RowInit rowInit) {
    this.capacity = b.capacity;
    this.initialCapacity = b.capacity;
    this.maxCapacity = b.maxCapacity != null ? b.maxCapacity : b.capacity;
    this.storage = b.storage;
    this.minCount = b.minCount;
    this.eviction = b.eviction;
    this.rowInit = rowInit;
    IdRowMap.Policy policy =
        switch (b.eviction) {
          case Eviction.None n -> IdRowMap.Policy.NONE;
          case Eviction.LeastRecentlyUsed l -> IdRowMap.Policy.LEAST_RECENTLY_USED;
          case Eviction.OlderThan o -> IdRowMap.Policy.OLDER_THAN;
        };
    long maxAge = b.eviction instanceof Eviction.OlderThan o ? o.steps() : 0;
    this.map = new IdRowMap(b.capacity, maxCapacity, b.minCount, policy, maxAge);
    registerParameter("ids", new MapParameter("ids", new IdRecords(), true));
    if (b.minCount > 1) {
      registerParameter("admission", new MapParameter("admission", new SketchRecords(), false));
    }
    this.table = register("table", built);
    built.core.replacedRows = this::takeReplacedWeightRows;
    if (maxCapacity > initialCapacity) {
      built.core.growth =
          new TableCore.RowGrowth() {
            @Override
            public boolean canGrowTo(long rows) {
              return canGrowToRows(rows);
            }

            @Override
            public void growTo(long rows) {
              growToRows(rows);
            }
          };
    }
  }

  /**
   * A builder of a table of {@code capacity} rows of {@code embeddingDim} floats for raw ids; mode {@link
   * BagMode#MEAN}, {@code minCount} 1, no eviction, N(0, 1) rows unless set.
   */
  public static Builder builder(long capacity, int embeddingDim) {
    return new Builder(capacity, embeddingDim);
  }

  /** Options of a {@link DynamicEmbeddingBag}, checked by {@link #build()}. */
  public static final class Builder {
    private final long capacity;
    private final int embeddingDim;
    private BagMode mode = BagMode.MEAN;
    private int minCount = 1;
    private Eviction eviction = Eviction.none();
    /** Null: no growth. */
    private Long maxCapacity;
    private Initializer initializer;
    private Storage storage = Storage.HEAP;
    private DType dtype = DType.F32;
    private boolean sparse;

    private Builder(long capacity, int embeddingDim) {
      this.capacity = capacity;
      this.embeddingDim = embeddingDim;
    }

    /** How each bag is reduced; default {@link BagMode#MEAN}, as for {@link EmbeddingBag}. */
    public Builder mode(BagMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** The sightings an id needs before it gets a row ({@code 1 .. 127}); default 1: at its first sighting. */
    public Builder minCount(int minCount) {
      this.minCount = minCount;
      return this;
    }

    /** What happens when every row holds an id (at the maximum capacity, with growth); default {@link Eviction#none()}. */
    public Builder eviction(Eviction eviction) {
      this.eviction = Objects.requireNonNull(eviction, "eviction");
      return this;
    }

    /**
     * Lets the table grow: when an id is due a row and every row holds one, the capacity doubles (at most to {@code
     * maxCapacity}) before the {@link #eviction eviction} policy is asked, which then acts only at {@code maxCapacity}.
     * Default: no growth (the capacity is fixed). Growth needs a heap or off-heap {@link #storage storage}: a mapped
     * table's file has a fixed size, so {@link #build()} refuses a mapped table that may grow (build it at its
     * largest capacity instead). {@code maxCapacity} equal to the capacity means no growth.
     */
    public Builder growth(long maxCapacity) {
      this.maxCapacity = maxCapacity;
      return this;
    }

    /**
     * The distribution of a new id's row; it must have a per-row form ({@link Initializer#lazyForm}: every factory
     * of {@link Initializer} but {@code fromFunction}), which is drawn with the raw id in place of the row number.
     * Default N(0, 1) from a seed drawn at build time from the global generator.
     */
    public Builder initializer(Initializer initializer) {
      this.initializer = Objects.requireNonNull(initializer, "initializer");
      return this;
    }

    /** Where the rows live; default {@link Storage#HEAP}. */
    public Builder storage(Storage storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
      return this;
    }

    /** The rows' element type ({@link DType#F32}, {@link DType#F16} or {@link DType#BF16}); default F32. */
    public Builder dtype(DType dtype) {
      this.dtype = Objects.requireNonNull(dtype, "dtype");
      return this;
    }

    /** Whether the gradient is sparse (touched rows only); default false, as for {@link EmbeddingBag}. */
    public Builder sparse(boolean sparse) {
      this.sparse = sparse;
      return this;
    }

    /**
     * Checks the options and creates the table.
     *
     * @throws IllegalArgumentException naming the value: a capacity outside {@code 1 .. 402653184}, a growth
     *     maximum below the capacity or above 402653184 or with a mapped storage, a dimension {@code <= 0}, a
     *     minCount outside {@code 1 .. 127}, or an initializer without a per-row form
     */
    public DynamicEmbeddingBag build() {
      if (capacity < 1 || capacity > IdRowMap.MAX_CAPACITY) {
        throw new IllegalArgumentException(
            "capacity must be in 1.." + IdRowMap.MAX_CAPACITY + " rows, got " + capacity);
      }
      if (maxCapacity != null && (maxCapacity < capacity || maxCapacity > IdRowMap.MAX_CAPACITY)) {
        throw new IllegalArgumentException(
            "growth's maxCapacity must be in " + capacity + ".." + IdRowMap.MAX_CAPACITY
                + " rows (from the capacity up), got " + maxCapacity);
      }
      if (maxCapacity != null && maxCapacity > capacity && storage instanceof Storage.Mapped m) {
        throw new IllegalArgumentException(
            "growth needs a heap or off-heap storage: the file " + m.file() + " of a mapped table has a fixed size"
                + " (build it at its largest capacity, " + maxCapacity + " rows, instead)");
      }
      if (embeddingDim <= 0) {
        throw new IllegalArgumentException("embeddingDim must be positive, got " + embeddingDim);
      }
      if (minCount < 1 || minCount > IdRowMap.MAX_MIN_COUNT) {
        throw new IllegalArgumentException(
            "minCount must be in 1.." + IdRowMap.MAX_MIN_COUNT + " sightings, got " + minCount);
      }
      Initializer init = initializer != null ? initializer : Initializer.normal(Emb4j.nextSeed());
      RowInit rows =
          init.lazyForm(capacity, embeddingDim)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "a dynamic table draws each new id's row from its initializer's per-row form, which "
                              + init + " lacks; use one of Initializer's factories other than fromFunction"));
      return new DynamicEmbeddingBag(this, denseTable(capacity, embeddingDim, mode, sparse, storage, dtype), rows);
    }
  }

  /** The dense table behind {@code capacity} rows: one more, the padding row, zeros until ids are admitted. */
  private static EmbeddingBag denseTable(
      long capacity, int embeddingDim, BagMode mode, boolean sparse, Storage storage, DType dtype) {
    return EmbeddingBag.builder(capacity + 1, embeddingDim)
        .mode(mode)
        .paddingIdx(capacity)
        .sparse(sparse)
        .storage(storage)
        .dtype(dtype)
        .initializer(Initializer.constant(0))
        .build();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Lookups
  // ---------------------------------------------------------------------------------------------------------------

  /** Pools a 2-D input {@code (B, L)} of raw ids, one bag per row; see {@link #forward(IndexTensor, IndexTensor, Variable)}. */
  public Variable forward(IndexTensor input) {
    return forward(input, null, null);
  }

  /** Pools a 1-D input of raw ids split into bags by {@code offsets}; see {@link #forward(IndexTensor, IndexTensor, Variable)}. */
  public Variable forward(IndexTensor input, IndexTensor offsets) {
    return forward(input, offsets, null);
  }

  /**
   * Pools the bags of raw ids {@code input} as a graph operation, as {@link EmbeddingBag#forward(IndexTensor,
   * IndexTensor, Variable)} does with row numbers. In training mode the ids are counted and admitted first (a step of
   * the table's clock); in evaluation mode unknown ids read as padding.
   *
   * @throws IllegalStateException if an id is due a row, every row holds an id and eviction is off; ids before it in
   *     the input keep the rows they were given
   */
  public Variable forward(IndexTensor input, IndexTensor offsets, Variable perSampleWeights) {
    if (isTraining()) {
      return table.forward(remap(input), offsets, perSampleWeights);
    }
    return acrossGrowth(() -> table.forward(remap(input), offsets, perSampleWeights));
  }

  /**
   * The rows of raw ids {@code input} in {@link #table()}, as {@link #forward} maps them (TorchRec's {@code remap}):
   * in training mode counting and admitting ids (a step of the table's clock; from the training thread only), in
   * evaluation mode as {@link #rowsOf}. For code that drives the dense table itself, e.g. {@code
   * table().lookupInto(remap(ids), offsets, null, out)} followed by {@code table().backward(...)}.
   *
   * @throws IllegalStateException if an id is due a row, every row holds an id and eviction is off; ids before it in
   *     the input keep the rows they were given
   */
  public IndexTensor remap(IndexTensor input) {
    Objects.requireNonNull(input, "input");
    return isTraining() ? admit(input) : rowsOf(input);
  }

  /** {@link #lookup(IndexTensor, IndexTensor, dev.emb4j.tensor.FloatTensor)} of a 2-D input {@code (B, L)}. */
  public BagResult lookup(IndexTensor input) {
    return lookup(input, null, null);
  }

  /** {@link #lookup(IndexTensor, IndexTensor, dev.emb4j.tensor.FloatTensor)} of a 1-D input with offsets. */
  public BagResult lookup(IndexTensor input, IndexTensor offsets) {
    return lookup(input, offsets, null);
  }

  /**
   * Pools the bags of raw ids without recording a graph or admitting any id (unknown ids read as padding): for
   * inference, from any thread. Arguments as for {@link EmbeddingBag#lookup(IndexTensor, IndexTensor,
   * dev.emb4j.tensor.FloatTensor)}.
   */
  public BagResult lookup(IndexTensor input, IndexTensor offsets, dev.emb4j.tensor.FloatTensor perSampleWeights) {
    Objects.requireNonNull(input, "input");
    return acrossGrowth(() -> table.lookup(rowsOf(input), offsets, perSampleWeights));
  }

  /**
   * Runs a read of ids and rows from a thread other than the trainer's, again if the table grew meanwhile (its rows
   * then moved to a new store, and the padding row to a new number): the result is that of one table.
   */
  private <T> T acrossGrowth(java.util.function.Supplier<T> read) {
    while (true) {
      long before = growths;
      if ((before & 1) != 0) { // a growth is running
        Thread.onSpinWait();
        continue;
      }
      try {
        T result = read.get();
        if (growths == before) {
          return result;
        }
      } catch (RuntimeException e) { // the store it read was freed by a growth (or, with none, a real error)
        if (growths == before) {
          throw e;
        }
      }
    }
  }

  /** The row of raw id {@code id} in {@link #table()}, if it holds one. Safe from any thread. */
  public OptionalLong rowOf(long id) {
    long[] row = {id};
    mapRows(row, row, 1, IdRowMap.NO_ROW);
    return row[0] == IdRowMap.NO_ROW ? OptionalLong.empty() : OptionalLong.of(row[0]);
  }

  /**
   * The rows of raw ids {@code input} without admitting any: an id without a row maps to {@link #paddingRow()}. Safe
   * from any thread; the result can be given to {@link #table()}.
   */
  public IndexTensor rowsOf(IndexTensor input) {
    return IndexTensor.of(input.shape(), readRows(input.toLongArray()));
  }

  /**
   * {@link #rowsOf(IndexTensor)} without a tensor: {@code rows[i]} becomes the row of raw id {@code ids[i]} for {@code
   * i < n}, or {@link #paddingRow()}. For a hot loop that reuses its arrays ({@code rows} may be {@code ids}). Safe
   * from any thread.
   *
   * @throws IndexOutOfBoundsException if {@code n} is negative or exceeds either array's length; nothing is written
   */
  public void rowsOf(long[] ids, long[] rows, int n) {
    Objects.checkFromIndexSize(0, n, Math.min(ids.length, rows.length));
    mapRows(ids, rows, n, PADDING);
  }

  /** What {@link #mapRows} writes for an id without a row: the padding row as it is at the read. */
  private static final long PADDING = -2;

  /**
   * {@code rows[i]} becomes the row of {@code ids[i]}, or {@code missing} ({@link #PADDING}: the padding row at the
   * moment of the read, which a growth moves) for an id without one.
   */
  private void mapRows(long[] ids, long[] rows, int n, long missing) {
    if (stale) {
      rebuildIfStale();
    }
    long[] out = rows == ids ? new long[n] : rows;
    long stamp = lock.tryOptimisticRead();
    boolean done = false;
    if (stamp != 0) {
      try {
        IdLookups.findRows(map, ids, out, n, missing == PADDING ? capacity : missing);
      } catch (RuntimeException e) { // a growth replaced the slots meanwhile: validate fails, read again locked
        if (lock.validate(stamp)) {
          throw e;
        }
      }
      done = lock.validate(stamp);
    }
    if (!done) {
      stamp = lock.readLock();
      try {
        IdLookups.findRows(map, ids, out, n, missing == PADDING ? capacity : missing);
      } finally {
        lock.unlockRead(stamp);
      }
    }
    if (out != rows) {
      System.arraycopy(out, 0, rows, 0, n);
    }
  }

  private long[] readRows(long[] raw) {
    long[] out = new long[raw.length];
    rowsOf(raw, out, raw.length);
    return out;
  }

  /** Maps raw ids to rows for training: counts, admits, evicts, and draws the rows of newly admitted ids. */
  private IndexTensor admit(IndexTensor input) {
    long[] raw = input.toLongArray();
    long[] out = new long[raw.length];
    long stamp = lock.writeLock();
    long padding = capacity;
    try {
      rebuildLocked();
      long clock = map.tick();
      RowStore weights = table.weight();
      float[] row = null;
      // the lookups in parallel first; then a batch of hits alone is marked used on every thread, and any other in
      // input order, hits marked used and misses admitted (a hit whose row an admission of this batch evicted is
      // admitted again)
      IdLookups.findRows(map, raw, out, raw.length, -1);
      if (allFound(out) && IdLookups.touchAll(map, out, out.length, clock)) {
        return IndexTensor.of(input.shape(), out); // every id had a row: nothing to admit
      }
      long evictionsBefore = map.evictions();
      for (int i = 0; i < raw.length; i++) {
        long found = out[i];
        if (found >= 0 && (map.evictions() == evictionsBefore || (map.isUsed(found) && map.idOf(found) == raw[i]))) {
          map.touch(found, clock);
          continue;
        }
        long before = map.size() + map.evictions();
        long r = map.admit(raw[i], clock);
        if (map.capacity() != padding) { // the map grew: so does the table, and its padding row moves
          growTableLocked(map.capacity());
          weights = table.weight();
          for (int k = 0; k < i; k++) {
            if (out[k] == padding) {
              out[k] = map.capacity();
            }
          }
          padding = map.capacity();
        }
        if (r < 0) {
          out[i] = padding;
          continue;
        }
        if (map.size() + map.evictions() != before) { // a new row for this id
          if (row == null) {
            row = new float[table.embeddingDim()];
          }
          rowInit.fill(raw[i], row, 0, row.length);
          weights.writeRow(r, row, 0);
        }
        out[i] = r;
      }
    } finally {
      lock.unlockWrite(stamp);
    }
    return IndexTensor.of(input.shape(), out);
  }

  /** Whether every entry of {@code rows} is a row (none is negative: an id without one). */
  private static boolean allFound(long[] rows) {
    for (long r : rows) {
      if (r < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Grows the dense table to {@code newCapacity} ids (the caller holds the write lock, and the map has grown already):
   * a new store of {@code newCapacity + 1} rows of the same kind takes the rows of the ids, the padding row becomes its
   * last row (zeros), and the old store is freed. The gradient accumulated so far moves along; an optimizer follows at
   * its next call (see {@link dev.emb4j.optim.Optimizer}).
   */
  private void growTableLocked(long newCapacity) {
    growths++; // odd: readers wait, and those running now will read again
    try {
      long old = capacity;
      EmbeddingBag grown =
          denseTable(newCapacity, table.embeddingDim(), table.mode(), table.sparse(), storage, table.weight().dtype());
      RowStore to = grown.weight();
      Kernels.copyRows(table.weight(), to, 0, old); // the ids' rows; the old padding row becomes a free one
      table.replaceCore(table.core.grownTo(to, newCapacity));
      capacity = newCapacity;
    } finally {
      growths++;
    }
  }

  /** Whether a restore may grow the table to {@code rows} rows of {@code table()} or {@code "ids"}. */
  private boolean canGrowToRows(long rows) {
    return rows - 1 > capacity && rows - 1 <= maxCapacity;
  }

  /** Grows the id map and the table to {@code rows - 1} ids, for a restore of a table that grew (nothing if there). */
  private void growToRows(long rows) {
    long stamp = lock.writeLock();
    try {
      if (rows - 1 == capacity) {
        return;
      }
      if (!canGrowToRows(rows)) {
        throw new IllegalArgumentException(
            this + " cannot grow to " + (rows - 1) + " ids: it holds " + capacity + " and grows to at most "
                + maxCapacity);
      }
      map.growTo(rows - 1);
      growTableLocked(rows - 1);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  private void rebuildIfStale() {
    long stamp = lock.writeLock();
    try {
      rebuildLocked();
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  private void rebuildLocked() {
    if (stale) {
      map.rebuild();
      stale = false;
    }
  }

  private long[] takeReplacedWeightRows() {
    long stamp = lock.writeLock();
    try {
      return map.takeReplaced();
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Accessors
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * The dense table of {@code capacity + 1} rows behind the ids (its last row is the padding row). A table that grows
   * keeps this object, but its {@link EmbeddingBag#weight() weight} is a new store after each growth: read it again
   * rather than keep it.
   */
  public EmbeddingBag table() {
    return table;
  }

  /** The rows ids can hold now (it rises as the table grows). */
  public long capacity() {
    return capacity;
  }

  /** The rows ids could hold when the table was built. */
  public long initialCapacity() {
    return initialCapacity;
  }

  /** The most rows the table grows to ({@link #initialCapacity()} for a table that never grows). */
  public long maxCapacity() {
    return maxCapacity;
  }

  /** The row that ids without a row map to: {@code capacity()}, the dense table's padding row (it moves as the table grows). */
  public long paddingRow() {
    return capacity;
  }

  /** D. */
  public int embeddingDim() {
    return table.embeddingDim();
  }

  /** The ids that hold a row now. */
  public long size() {
    long stamp = lock.readLock();
    try {
      return map.size();
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** The rows taken from one id and given to another since the table was built. */
  public long evictions() {
    long stamp = lock.readLock();
    try {
      return map.evictions();
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Bytes of the id map (slots, per-row records, admission sketch), beside the rows' {@code table().weight()}. */
  public long idMapBytes() {
    return map.sizeInBytes();
  }

  /** The sightings an id needs before it gets a row. */
  public int minCount() {
    return minCount;
  }

  /** The eviction policy. */
  public Eviction eviction() {
    return eviction;
  }

  /**
   * For example {@code DynamicEmbeddingBag(1000, 16, mode=SUM, minCount=2, eviction=leastRecentlyUsed)}, or {@code
   * DynamicEmbeddingBag(4000, 16, mode=MEAN, growth=1000..8000)} for a table built with 1000 rows that grew.
   */
  @Override
  public String toString() {
    return "DynamicEmbeddingBag(" + capacity + ", " + table.embeddingDim() + ", mode=" + table.mode()
        + (minCount != 1 ? ", minCount=" + minCount : "")
        + (maxCapacity != initialCapacity ? ", growth=" + initialCapacity + ".." + maxCapacity : "")
        + (eviction instanceof Eviction.None ? "" : ", eviction=" + eviction)
        + table.core.describeOptions().replace(", paddingIdx=" + capacity, "") + ")";
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The id map as parameters
  // ---------------------------------------------------------------------------------------------------------------

  /** A frozen parameter over one of the id map's saved parts: the records or the admission sketch. */
  private final class MapParameter implements Parameter {
    private final String name;
    private final RecordStore store;
    /** Whether its rows follow the capacity ({@code "ids"}), so that a restore grows it with the table. */
    private final boolean perRow;

    MapParameter(String name, RecordStore store, boolean perRow) {
      this.name = name;
      this.store = store;
      this.perRow = perRow;
    }

    @Override
    public boolean canGrowTo(long rows) {
      return perRow && canGrowToRows(rows);
    }

    @Override
    public void growTo(long rows) {
      if (!canGrowTo(rows) && !(perRow && rows - 1 == capacity)) {
        throw new IllegalArgumentException(
            this + " cannot grow to " + rows + " rows (the table grows to at most " + maxCapacity + " ids)");
      }
      growToRows(rows);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public RowStore value() {
      return store;
    }

    @Override
    public Optional<TableGradient> grad() {
      return Optional.empty();
    }

    @Override
    public void zeroGrad() {}

    @Override
    public boolean requiresGrad() {
      return false;
    }

    /**
     * The map records which of its parts change only once an optimizer tracks changed rows (for delta checkpoints,
     * {@link dev.emb4j.optim.Optimizer#trackChangedRows()}, which registers this listener): before, nothing reads
     * them, and recording them would cost each id of a training step an access to a set of a bit per row. The
     * changed parts reach the optimizer through {@link #takeReplacedRows()}, so the listener itself is not called.
     */
    @Override
    public void onRowsWritten(Consumer<long[]> listener) {
      long stamp = lock.writeLock();
      try {
        map.trackChanges();
      } finally {
        lock.unlockWrite(stamp);
      }
    }

    @Override
    public long[] takeReplacedRows() {
      long stamp = lock.writeLock();
      try {
        return store.takeChanged();
      } finally {
        lock.unlockWrite(stamp);
      }
    }

    @Override
    public String toString() {
      return name + ": DynamicEmbeddingBag id map (" + store.rows() + " x " + store.dim() + ")";
    }
  }

  /**
   * A part of the id map as a store of floats, each a whole number of at most 16 bits: reads encode, writes decode
   * (checking every field first, so that a rejected row changes nothing) under the map's write lock.
   */
  private abstract class RecordStore implements RowStore {
    /** The rows changed since the last call, each once (the caller holds the write lock). */
    abstract long[] takeChanged();

    /** Encodes {@code row} into {@code dst} (the caller holds a lock). */
    abstract void encode(long row, float[] dst, int off);

    /** Decodes checked fields into {@code row} (the caller holds the write lock). */
    abstract void decode(long row, long[] fields);

    /** The largest value field {@code col} of {@code row} may hold. */
    abstract long limit(long row, int col);

    @Override
    public float get(long row, int col) {
      float[] r = new float[dim()];
      readRow(row, r, 0);
      return r[col];
    }

    @Override
    public void set(long row, int col, float value) {
      float[] r = new float[dim()];
      readRow(row, r, 0);
      r[col] = value;
      writeRow(row, r, 0);
    }

    @Override
    public void readRow(long row, float[] dst, int off) {
      Objects.checkIndex(row, rows());
      long stamp = lock.readLock();
      try {
        encode(row, dst, off);
      } finally {
        lock.unlockRead(stamp);
      }
    }

    @Override
    public void writeRow(long row, float[] src, int off) {
      if (row < 0 || row >= rows()) {
        throw new IndexOutOfBoundsException("row " + row + " of " + this + " of " + rows() + " rows");
      }
      long[] fields = new long[dim()];
      for (int k = 0; k < fields.length; k++) {
        float v = src[off + k];
        long limit = limit(row, k);
        if (!(v >= 0 && v <= limit && v == Math.rint(v))) {
          throw new IllegalArgumentException(
              this + " row " + row + " column " + k + " holds " + v + ", not a whole number in 0.." + limit);
        }
        fields[k] = (long) v;
      }
      long stamp = lock.writeLock();
      try {
        decode(row, fields);
      } finally {
        lock.unlockWrite(stamp);
      }
    }

    @Override
    public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
      float[] r = new float[dim()];
      readRow(row, r, 0);
      for (int j = 0; j < r.length; j++) {
        dst[dstOffset + j] += scale * r[j];
      }
    }

    @Override
    public void addToRow(long row, float scale, float[] src, int srcOffset) {
      float[] r = new float[dim()];
      readRow(row, r, 0);
      for (int j = 0; j < r.length; j++) {
        r[j] += scale * src[srcOffset + j];
      }
      writeRow(row, r, 0);
    }

    @Override
    public void scaleRow(long row, float factor) {
      float[] r = new float[dim()];
      readRow(row, r, 0);
      for (int j = 0; j < r.length; j++) {
        r[j] *= factor;
      }
      writeRow(row, r, 0);
    }

    @Override
    public void close() {}
  }

  /** {@code n} 16-bit fields of {@code value}, low first, into {@code dst[off ..]}. */
  private static void encodeLong(long value, float[] dst, int off, int n) {
    for (int k = 0; k < n; k++) {
      dst[off + k] = (float) ((value >>> (16 * k)) & 0xFFFF);
    }
  }

  /** The long of {@code n} 16-bit fields, low first, at {@code fields[from ..]}. */
  private static long decodeLong(long[] fields, int from, int n) {
    long v = 0;
    for (int k = 0; k < n; k++) {
      v |= fields[from + k] << (16 * k);
    }
    return v;
  }

  /**
   * The id map's records as a {@code (capacity + 1) x 12} store (see the class comment); writes mark the map for a
   * rebuild before its next use.
   */
  private final class IdRecords extends RecordStore {
    @Override
    public long rows() {
      return capacity + 1;
    }

    @Override
    public int dim() {
      return RECORD_WIDTH;
    }

    @Override
    long[] takeChanged() {
      return map.takeChanged();
    }

    @Override
    long limit(long row, int col) {
      return col == 0 ? (row == capacity ? 0 : 1) : FIELD_VALUES - 1;
    }

    @Override
    void encode(long row, float[] dst, int off) {
      if (row == capacity) {
        dst[off] = 0;
        encodeLong(map.clock(), dst, off + 1, 4);
        encodeLong(map.evictions(), dst, off + 5, 3);
        encodeLong(map.touches(), dst, off + 8, 4);
        return;
      }
      boolean used = map.isUsed(row);
      dst[off] = used ? 1 : 0;
      encodeLong(used ? map.idOf(row) : 0, dst, off + 1, 4);
      encodeLong(used ? map.lastUse(row) : 0, dst, off + 5, 3);
      encodeLong(used ? map.recency(row) : 0, dst, off + 8, 4);
    }

    @Override
    void decode(long row, long[] fields) {
      if (row == capacity) {
        long clock = decodeLong(fields, 1, 4);
        long touches = decodeLong(fields, 8, 4);
        if (clock < 0 || touches < 0) {
          throw new IllegalArgumentException(
              this + " row " + row + " holds a clock of " + clock + " and " + touches + " touches; both must be >= 0");
        }
        map.setCounters(clock, decodeLong(fields, 5, 3), touches);
      } else {
        boolean used = fields[0] == 1;
        map.setRecord(row, used ? decodeLong(fields, 1, 4) : 0, used ? decodeLong(fields, 5, 3) : -1,
            used ? decodeLong(fields, 8, 4) : 0);
      }
      stale = true;
    }

    @Override
    public long sizeInBytes() {
      return map.sizeInBytes();
    }

    /** Rebuilds the map's slots after a restore wrote its records. */
    @Override
    public void flush() {
      rebuildIfStale();
    }

    @Override
    public String toString() {
      return "id map";
    }
  }

  /**
   * The admission sketch as a {@code (bytes / 64) x 32} store: each float holds two counters, {@code low + 256 *
   * high}, each {@code 0 .. 127}.
   */
  private final class SketchRecords extends RecordStore {
    @Override
    public long rows() {
      return map.sketchLength() / IdRowMap.SKETCH_BLOCK;
    }

    @Override
    public int dim() {
      return IdRowMap.SKETCH_BLOCK / 2;
    }

    @Override
    long[] takeChanged() {
      return map.takeSketchChanged();
    }

    @Override
    long limit(long row, int col) {
      return IdRowMap.MAX_MIN_COUNT * 257;
    }

    @Override
    void encode(long row, float[] dst, int off) {
      int base = (int) row * IdRowMap.SKETCH_BLOCK;
      for (int k = 0; k < dim(); k++) {
        dst[off + k] = map.sketchByte(base + 2 * k) + 256 * map.sketchByte(base + 2 * k + 1);
      }
    }

    @Override
    void decode(long row, long[] fields) {
      for (int k = 0; k < fields.length; k++) {
        if ((fields[k] & 0xFF) > IdRowMap.MAX_MIN_COUNT || (fields[k] >>> 8) > IdRowMap.MAX_MIN_COUNT) {
          throw new IllegalArgumentException(
              this + " row " + row + " column " + k + " holds " + fields[k] + ", not two counts in 0.."
                  + IdRowMap.MAX_MIN_COUNT + " (low + 256 * high)");
        }
      }
      int base = (int) row * IdRowMap.SKETCH_BLOCK;
      for (int k = 0; k < fields.length; k++) {
        map.setSketchByte(base + 2 * k, (int) (fields[k] & 0xFF));
        map.setSketchByte(base + 2 * k + 1, (int) (fields[k] >>> 8));
      }
    }

    @Override
    public long sizeInBytes() {
      return map.sketchLength();
    }

    @Override
    public void flush() {}

    @Override
    public String toString() {
      return "admission sketch";
    }
  }
}
