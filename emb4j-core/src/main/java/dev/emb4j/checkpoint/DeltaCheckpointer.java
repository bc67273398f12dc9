package dev.emb4j.checkpoint;

import dev.emb4j.nn.Model;
import dev.emb4j.nn.Parameter;
import dev.emb4j.optim.ChangedRows;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.OptimizerState;
import dev.emb4j.store.RowStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Incremental checkpoints of a model and its optimizer: a full base checkpoint, then a log of delta checkpoints that
 * each hold only the rows (and optimizer-state rows) changed since the checkpoint before, so that checkpointing a
 * table of 10<sup>8</sup> rows of which a few thousand were trained costs a few thousand rows.
 *
 * <pre>{@code
 * try (DeltaCheckpointer ckpt = DeltaCheckpointer.open(dir, model, optimizer)) {
 *   long step = ckpt.restore().isPresent() ? Long.parseLong(ckpt.metadata().get("step")) : 0;  // resume, if any
 *   while (training) {
 *     ...; optimizer.step(); optimizer.zeroGrad(); step++;
 *     if (step % 1000 == 0) {
 *       ckpt.checkpoint(Map.of("step", Long.toString(step)));   // durable when it returns
 *     }
 *   }
 * }
 * }</pre>
 *
 * <h2>Files</h2>
 *
 * <p>The directory holds {@value #BASE_FILE}, a full {@link Checkpoint} (every parameter, every optimizer slot)
 * whose metadata carries its checkpoint number ({@code emb4j.delta.sequence}) and the run it belongs to ({@code
 * emb4j.delta.lineage}), and {@value #LOG_FILE}, a {@link DeltaLog} of the checkpoints after it. Checkpoints are
 * numbered 1, 2, 3, ... within a directory; {@link #checkpoint} returns the number.
 *
 * <h2>What a checkpoint writes</h2>
 *
 * <p>{@link #open} asks the optimizer to {@linkplain Optimizer#trackChangedRows() record the rows each step changes}.
 * A delta checkpoint appends one record to the log with, for each parameter, the rows changed since the previous
 * checkpoint and the same rows of its optimizer state slots (a slot created since then comes whole), every optimizer
 * scalar (learning rate, step counts) and the caller's metadata; a parameter with a dense gradient (a {@code Linear}
 * layer) has all of its rows changed by every step. The first checkpoint after {@link #open}, unless {@link
 * #restore()} ran, is a full one: a new base. So is every checkpoint once the log has grown past {@link
 * Config#compactWhenLogExceeds()} times the size of the base, and every {@link #compact()}: a new base is written,
 * then the log is started afresh.
 *
 * <p>A parameter that gained rows since the last checkpoint (a {@code DynamicEmbeddingBag} that grew) makes the next
 * checkpoint a full one, a new base: a record always has the rows of its base, and a restore into a table built with
 * the initial capacity grows it to the base's (see {@link Parameter#canGrowTo}).
 *
 * <p>Only what the optimizer changes is tracked. Rows changed in another way (your own writes into a table, a lookup
 * of a table with {@code maxNorm}, which renormalises rows in place, outside training) must be declared with {@link
 * #markChanged} before the next checkpoint, or written by a {@link #compact()}.
 *
 * <h2>Crashes</h2>
 *
 * <p>A process killed at any moment, during a step, a checkpoint or a compaction, restores to the last checkpoint
 * whose call returned, or to one still being written when it was killed, never to a state in between, bit for bit:
 *
 * <ul>
 *   <li>a record counts once it is whole and its CRC32C matches; it is forced to disk before {@link #checkpoint}
 *       returns; a torn last record is ignored, and cut off before the next record is appended;
 *   <li>a new base is written to a temporary file and renamed over the old one ({@link Checkpoint#save}); only then
 *       is the log replaced, also by a rename. A kill in between leaves the new base beside the old log, whose records
 *       all precede the base: restore ignores such a log;
 *   <li>restore never reads the live tables: every row comes from the base and the records. A memory-mapped table,
 *       whose file is written in place during training and may hold half-written pages after a kill, is overwritten
 *       row by row (its base is the separate {@value #BASE_FILE}).
 * </ul>
 *
 * <h2>Memory-mapped and lazy tables</h2>
 *
 * <p>{@link #restore()} writes into the tables and the optimizer's state where they are: a mapped table's rows in its
 * file, and its optimizer state in the mapped files beside it ({@link Optimizer#importState} copies into the
 * optimizer's own stores, streamed from the base), then forces them to disk ({@link RowStore#flush()}). Nothing the
 * size of a table is held in memory: the base is streamed a batch of rows at a time, a record a row at a time.
 *
 * <p>A table with lazy rows ({@link dev.emb4j.store.LazyRowStore}) is saved in the base as its initializer, the bitmap
 * of its initialised rows and those rows only (see {@link Checkpoint}): a row never touched is a deterministic
 * function of (seed, row) and needs no bytes. A record holds only changed rows, which are initialised. A restore
 * writes the saved rows, and makes every other row uninitialised again (a table with another initializer, or an
 * eager one, gets their initial values written instead), so the table is as it was at the checkpoint, bitmap
 * included, whatever rows were initialised in it since.
 *
 * <p>If {@link #restore()} finds no checkpoint, the tables keep what they hold: a mapped table then has the rows of
 * any earlier run on its file, such as one killed before its first checkpoint; start such a run on a new file.
 *
 * <p>Cost of a base: a base (the first checkpoint, and every compaction) is a full {@link Checkpoint}, streamed to a
 * temporary file a batch of rows at a time. For a 10<sup>8</sup> x 64 float32 table it writes 256 bytes per
 * initialised row (all of them for an eager table: 25.6 GB, read from the table, from disk where its pages are not
 * cached) plus a 12.5 MB bitmap for a lazy one, and its optimizer state whole (0.4 GB for row-wise Adagrad, 25.6 GB for
 * Adagrad); a restore reads as much back. The default policy compacts once the log outgrows half the base; raise
 * {@link Config#compactWhenLogExceeds()} to write bases less often, at the price of longer restores.
 *
 * <p>A record in the middle of the log that fails its checksum is an error ({@link CheckpointFormatException} naming
 * the file and the offset), not a silent truncation.
 *
 * <h2>Serving</h2>
 *
 * <p>A serving copy loads {@value #BASE_FILE} ({@link Checkpoint#load}) and tails {@value #LOG_FILE} with {@link
 * DeltaLog}: {@link DeltaLog#next()} returns each record once it is complete, {@link DeltaLog#readRows} hands over its
 * rows, and {@link DeltaLog#replaced()} says when a compaction started a new log (load the new base, reopen the log).
 *
 * <p>Not thread-safe, and one checkpointer per directory: {@link #checkpoint}, {@link #compact} and {@link #restore}
 * must not run concurrently with each other or with training steps of the same model.
 */
public final class DeltaCheckpointer implements Closeable {

  /** The name of the base checkpoint in the directory. */
  public static final String BASE_FILE = "base.ckpt";

  /** The name of the delta log in the directory. */
  public static final String LOG_FILE = "delta.log";

  static final String SEQUENCE_KEY = "emb4j.delta.sequence";
  static final String LINEAGE_KEY = "emb4j.delta.lineage";

  /**
   * When a checkpoint writes a new base instead of a delta.
   *
   * @param compactWhenLogExceeds a checkpoint compacts when the log is larger than this many times the base ({@code >
   *     0}; {@link Double#POSITIVE_INFINITY}: only {@link #compact()} does)
   */
  public record Config(double compactWhenLogExceeds) {
    /** Checks the value. */
    public Config {
      if (!(compactWhenLogExceeds > 0)) {
        throw new IllegalArgumentException("compactWhenLogExceeds must be > 0, got " + compactWhenLogExceeds);
      }
    }

    /** The default: compact when the log is larger than half the base (a restore then reads at most 1.5 bases). */
    public static Config defaults() {
      return new Config(0.5);
    }
  }

  private final Path dir;
  private final Path base;
  private final Path log;
  private final List<Parameter> params;
  private final Optimizer optimizer;
  private final Config config;

  /** Whether the live state equals checkpoint {@code last} (after a restore or a checkpoint). */
  private boolean synced;

  private long last = -1;
  private long baseSequence = -1;
  private String lineage;
  private long baseBytes;
  private long logStart;
  private long logEnd;
  private boolean logNeedsReset = true;
  private FileChannel appender;
  private Set<String> slotsAtLast = Set.of();
  /** Each parameter's rows at the last checkpoint written or restored: one that grew since forces a new base. */
  private Map<Parameter, Long> rowsAtLast = Map.of();
  private Map<String, String> metadata = Map.of();
  private boolean closed;

  private DeltaCheckpointer(Path dir, List<Parameter> params, Optimizer optimizer, Config config) {
    this.dir = dir;
    this.base = dir.resolve(BASE_FILE);
    this.log = dir.resolve(LOG_FILE);
    this.params = params;
    this.optimizer = optimizer;
    this.config = config;
  }

  /**
   * {@link #open(Path, List, Optimizer, Config) open(dir, model.parameters(), optimizer, Config.defaults())}.
   *
   * @throws IOException if the directory cannot be created
   */
  public static DeltaCheckpointer open(Path dir, Model model, Optimizer optimizer) throws IOException {
    return open(dir, model.parameters(), optimizer, Config.defaults());
  }

  /**
   * A checkpointer of {@code params} and {@code optimizer} in {@code dir} (created if missing). Nothing is read or
   * written yet: call {@link #restore()} to resume from what the directory holds, or {@link #checkpoint} to start
   * afresh (its first checkpoint is then a new base, numbered after the ones already there).
   *
   * @param params the parameters to save, with unique non-empty names; every parameter of {@code optimizer} must be
   *     among them (by name and store); others (frozen tables) are saved in the base only
   * @throws IllegalArgumentException if names repeat or an optimizer parameter is missing from {@code params}
   * @throws IOException if the directory cannot be created
   */
  public static DeltaCheckpointer open(
      Path dir, List<? extends Parameter> params, Optimizer optimizer, Config config) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(config, "config");
    Map<String, Parameter> byName = new LinkedHashMap<>();
    for (Parameter p : Objects.requireNonNull(params, "params")) {
      Objects.requireNonNull(p, "a parameter in the list is null");
      if (p.name() == null || p.name().isEmpty() || byName.putIfAbsent(p.name(), p) != null) {
        throw new IllegalArgumentException("parameter names must be unique and non-empty, got '" + p.name() + "' twice");
      }
    }
    for (Parameter q : optimizer.parameters()) {
      Parameter p = byName.get(q.name());
      if (p == null || p.value() != q.value()) {
        throw new IllegalArgumentException(
            "the optimizer's parameter '" + q.name() + "' is not among the parameters to checkpoint "
                + byName.keySet());
      }
    }
    Files.createDirectories(dir);
    optimizer.trackChangedRows();
    return new DeltaCheckpointer(dir, List.copyOf(byName.values()), optimizer, config);
  }

  /** The directory. */
  public Path directory() {
    return dir;
  }

  /** The number of the last checkpoint written or restored by this checkpointer, if any. */
  public OptionalLong lastCheckpoint() {
    return last < 0 ? OptionalLong.empty() : OptionalLong.of(last);
  }

  /** The caller's metadata of the last checkpoint written or restored (empty if none). */
  public Map<String, String> metadata() {
    return metadata;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Restoring
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Loads the last complete checkpoint of the directory into the parameters and the optimizer: the base, then every
   * complete record of the log in order. Everything is checked (the log's records, the base's checksum and its fit
   * to the parameters) before a parameter changes.
   *
   * @return the number of the checkpoint restored, or empty if the directory holds none (nothing changes then)
   * @throws CheckpointFormatException if the base is corrupt, a record in the middle of the log is, or the log
   *     belongs to another run or base; the message names the file (and offset)
   * @throws IllegalArgumentException if the checkpoint does not fit the parameters or the optimizer
   * @throws IOException if a file cannot be read
   */
  public OptionalLong restore() throws IOException {
    checkOpen();
    if (!Files.exists(base)) {
      if (Files.exists(log)) {
        throw new CheckpointFormatException(log, "delta log " + log + " has no base checkpoint " + base + " beside it");
      }
      return OptionalLong.empty();
    }
    Checkpoint.Summary summary = Checkpoint.summary(base, false);
    long seq = sequenceOf(summary);
    String runId = summary.metadata().get(LINEAGE_KEY);
    if (summary.optimizerKind() != null && !summary.optimizerKind().equals(optimizer.kind())) {
      throw new IllegalArgumentException(
          "checkpoint " + base + " holds the state of a " + summary.optimizerKind() + " optimizer, not of a "
              + optimizer.kind());
    }
    List<DeltaRecord> records = List.of();
    boolean reset = true;
    long validEnd = 0;
    long start = 0;
    DeltaLog reader = null;
    try {
      if (Files.exists(log)) {
        reader = DeltaLog.open(log);
        if (!reader.lineage().equals(runId)) {
          throw new CheckpointFormatException(
              log,
              "delta log " + log + " belongs to run " + reader.lineage() + ", but base " + base + " to run " + runId);
        }
        if (reader.baseSequence() > seq) {
          throw new CheckpointFormatException(
              log,
              "delta log " + log + " follows checkpoint " + reader.baseSequence() + ", but base " + base
                  + " is checkpoint " + seq + " (an older base?)");
        }
        if (reader.baseSequence() == seq) { // otherwise a compaction stopped before it replaced the log: stale
          start = reader.position();
          records = reader.readAll();
          validEnd = reader.position();
          reset = false;
        }
      }
      Map<String, Parameter> byName = new HashMap<>();
      params.forEach(p -> byName.put(p.name(), p));
      for (DeltaRecord r : records) {
        checkFits(r, byName);
      }
      List<DeltaRecord> deltas = records;
      // The base's rows go into the live stores, and the optimizer gets the slots of the last record (from the base,
      // or zeros for a slot a record writes whole); everything is checked before a parameter changes.
      Checkpoint.load(base, params, true, saved -> optimizer.importState(finalState(saved, deltas)));
      Map<String, RowStore> live = optimizer.stateView().slots();
      for (DeltaRecord r : records) {
        reader.readRows(
            r,
            (t, row, values) -> {
              RowStore dst = t.parameter() ? byName.get(t.name()).value() : live.get(t.name());
              if (dst != null) { // null: a slot a later record no longer lists
                dst.writeRow(row, values, 0);
              }
            });
        seq = r.sequence();
      }
      for (Parameter p : params) {
        p.value().flush();
      }
      metadata = userMetadata(records.isEmpty() ? summary.metadata() : records.getLast().metadata());
    } finally {
      if (reader != null) {
        reader.close();
      }
    }
    for (Parameter p : optimizer.parameters()) {
      optimizer.changedRows(p).clear();
    }
    noteRows();
    closeAppender();
    slotsAtLast = Set.copyOf(optimizer.stateView().slots().keySet());
    lineage = runId;
    last = seq;
    baseSequence = sequenceOf(summary);
    baseBytes = Files.size(base);
    logNeedsReset = reset;
    logStart = start;
    logEnd = validEnd;
    synced = true;
    return OptionalLong.of(seq);
  }

  /** Checks that a record fits the parameters and the optimizer, before anything is loaded. */
  private void checkFits(DeltaRecord r, Map<String, Parameter> byName) {
    String where = "delta log " + log + ": the record at offset " + r.offset();
    if (!r.optimizer().equals(optimizer.kind())) {
      throw new IllegalArgumentException(
          where + " holds the state of a " + r.optimizer() + " optimizer, not of a " + optimizer.kind());
    }
    for (DeltaRecord.Tensor t : r.tensors()) {
      String owner = t.parameter() ? t.name() : t.name().substring(0, Math.max(0, t.name().lastIndexOf('/')));
      Parameter p = byName.get(owner);
      boolean rowsFit = p != null && (p.value().rows() == t.rows() || p.canGrowTo(t.rows())); // grows with the base
      if (!rowsFit || (t.parameter() && p.value().dim() != t.dim())) {
        throw new IllegalArgumentException(
            where + " holds " + (t.parameter() ? "parameter" : "optimizer slot") + " '" + t.name() + "' ("
                + t.rows() + " x " + t.dim() + "), which does not fit the model's "
                + (p == null ? "parameters " + byName.keySet() : "'" + owner + "' (" + p.value().rows() + " x "
                    + p.value().dim() + ")"));
      }
    }
  }

  /**
   * The optimizer state at the last record: the scalars of the last record (or of the base), and its slots as views
   * of the base's, or zeros for a slot created after the base (a record writes it whole). Checks that every slot a
   * record changes or lists exists by then.
   */
  private OptimizerState finalState(OptimizerState saved, List<DeltaRecord> records)
      throws CheckpointFormatException {
    Map<String, RowStore> slots = new TreeMap<>();
    Map<String, Double> scalars = new LinkedHashMap<>();
    if (saved != null) {
      slots.putAll(saved.slots());
      scalars.putAll(saved.scalars());
    }
    for (DeltaRecord r : records) {
      for (DeltaRecord.Tensor t : r.tensors()) {
        if (!t.parameter() && t.changed() == t.rows()) {
          slots.putIfAbsent(t.name(), SavedRows.zeros(t.rows(), t.dim()));
        } else if (!t.parameter() && !slots.containsKey(t.name())) {
          throw new CheckpointFormatException(
              log, "delta log " + log + ": the record at offset " + r.offset() + " changes rows of slot '" + t.name()
                  + "', which does not exist");
        }
      }
      scalars = new LinkedHashMap<>(r.scalars());
      slots.keySet().retainAll(new HashSet<>(r.stateSlots()));
      if (slots.size() != r.stateSlots().size()) {
        throw new CheckpointFormatException(
            log, "delta log " + log + ": the record at offset " + r.offset() + " lists slots it never wrote");
      }
    }
    return new OptimizerState(optimizer.kind(), scalars, slots);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Checkpointing
  // ---------------------------------------------------------------------------------------------------------------

  /** {@link #checkpoint(Map) checkpoint(Map.of())}. */
  public long checkpoint() throws IOException {
    return checkpoint(Map.of());
  }

  /**
   * Saves the current state: as a delta record appended to the log, or as a new base (the first checkpoint after
   * {@link #open} without {@link #restore()}, or when the log has outgrown {@link Config#compactWhenLogExceeds()}).
   * Durable when it returns.
   *
   * @param metadata string pairs saved with this checkpoint (e.g. the training step), given back by {@link #metadata()}
   *     after a restore
   * @return the checkpoint's number
   * @throws IOException if it cannot be written; the previous checkpoint is then still the last one, and the changed
   *     rows stay recorded for the next try
   */
  public long checkpoint(Map<String, String> metadata) throws IOException {
    checkOpen();
    Map<String, String> meta = checkMetadata(metadata);
    if (!synced) {
      return writeBase(freshSequence(), meta);
    }
    if (logEnd - logStart > config.compactWhenLogExceeds() * baseBytes || grewSinceLast()) {
      return writeBase(last + 1, meta);
    }
    prepareLog();
    long seq = last + 1;
    OptimizerState view = optimizer.stateView();
    TreeMap<String, RowStore> slots = new TreeMap<>(view.slots());
    List<DeltaLog.Rows> groups = new ArrayList<>();
    for (Parameter p : optimizer.parameters()) {
      ChangedRows changed = optimizer.changedRows(p);
      List<DeltaLog.Source> kept = new ArrayList<>();
      List<DeltaLog.Source> fresh = new ArrayList<>();
      kept.add(new DeltaLog.Source(p.name(), true, p.value()));
      for (Map.Entry<String, RowStore> e : slots.subMap(p.name() + "/", p.name() + "0").entrySet()) {
        (slotsAtLast.contains(e.getKey()) ? kept : fresh).add(new DeltaLog.Source(e.getKey(), false, e.getValue()));
      }
      if (changed.isAll()) {
        kept.addAll(fresh);
        fresh.clear();
        groups.add(new DeltaLog.Rows(null, kept));
      } else if (!changed.isEmpty()) {
        groups.add(new DeltaLog.Rows(changed, kept));
      }
      if (!fresh.isEmpty()) {
        groups.add(new DeltaLog.Rows(null, fresh));
      }
    }
    long length;
    try {
      length =
          DeltaLog.append(
              appender, logEnd, seq, meta, view.optimizer(), view.scalars(), List.copyOf(slots.keySet()), groups);
    } catch (IOException | RuntimeException e) {
      cutLog(e);
      throw e;
    }
    logEnd += length;
    committed(seq, meta, slots.keySet());
    return seq;
  }

  /**
   * Writes the current state as a new base and starts the log afresh: a full checkpoint, numbered as the next one.
   * A restore then reads the base alone.
   *
   * @return the checkpoint's number
   * @throws IOException if it cannot be written; the previous checkpoint is then still the last one
   */
  public long compact() throws IOException {
    return compact(Map.of());
  }

  /**
   * {@link #compact()} with metadata saved with the checkpoint.
   *
   * @return the checkpoint's number
   * @throws IOException if it cannot be written
   */
  public long compact(Map<String, String> metadata) throws IOException {
    checkOpen();
    Map<String, String> meta = checkMetadata(metadata);
    return writeBase(synced ? last + 1 : freshSequence(), meta);
  }

  /**
   * Declares that {@code row} of {@code p} changed outside the optimizer's steps, so that the next checkpoint writes
   * it (with its optimizer-state rows).
   *
   * @param p one of the optimizer's parameters (by name)
   * @throws IllegalArgumentException if the optimizer has no parameter of that name
   * @throws IndexOutOfBoundsException if the row is out of range
   */
  public void markChanged(Parameter p, long row) {
    changedRowsOf(p).add(row);
  }

  /** Declares that every row of {@code p} changed outside the optimizer's steps (see {@link #markChanged}). */
  public void markChanged(Parameter p) {
    changedRowsOf(p).addAll();
  }

  private ChangedRows changedRowsOf(Parameter p) {
    for (Parameter q : optimizer.parameters()) {
      if (q.name().equals(p.name())) {
        return optimizer.changedRows(q);
      }
    }
    throw new IllegalArgumentException("the optimizer has no parameter '" + p.name() + "'");
  }

  /** Closes the log. The files stay; a new checkpointer resumes from them. */
  @Override
  public void close() throws IOException {
    closed = true;
    closeAppender();
  }

  private long writeBase(long seq, Map<String, String> meta) throws IOException {
    closeAppender();
    if (lineage == null) {
      lineage = UUID.randomUUID().toString();
    }
    Map<String, String> full = new LinkedHashMap<>(meta);
    full.put(SEQUENCE_KEY, Long.toString(seq));
    full.put(LINEAGE_KEY, lineage);
    OptimizerState view = optimizer.stateView();
    Checkpoint.save(base, params, view, full);
    // The base is checkpoint seq from here on, whatever happens to the log.
    baseSequence = seq;
    baseBytes = Files.size(base);
    logNeedsReset = true;
    committed(seq, meta, view.slots().keySet());
    prepareLog();
    return seq;
  }

  /** Whether a parameter has other rows than at the last checkpoint (a dynamic table grew). */
  private boolean grewSinceLast() {
    for (Parameter p : params) {
      Long rows = rowsAtLast.get(p);
      if (rows != null && rows != p.value().rows()) {
        return true;
      }
    }
    return false;
  }

  private void noteRows() {
    Map<Parameter, Long> rows = new java.util.IdentityHashMap<>();
    for (Parameter p : params) {
      rows.put(p, p.value().rows());
    }
    rowsAtLast = rows;
  }

  private void committed(long seq, Map<String, String> meta, Set<String> slots) {
    for (Parameter p : optimizer.parameters()) {
      optimizer.changedRows(p).clear();
    }
    noteRows();
    slotsAtLast = Set.copyOf(slots);
    last = seq;
    metadata = meta;
    synced = true;
  }

  /** The number of a new base written over what the directory holds: after every checkpoint there. */
  private long freshSequence() throws IOException {
    if (!Files.exists(base)) {
      return last + 1 > 0 ? last + 1 : 1;
    }
    Checkpoint.Summary summary = Checkpoint.summary(base, false);
    long seq = sequenceOf(summary);
    lineage = summary.metadata().get(LINEAGE_KEY);
    if (Files.exists(log)) {
      try (DeltaLog reader = DeltaLog.open(log)) {
        if (reader.lineage().equals(lineage)) {
          try {
            reader.readAll();
          } catch (CheckpointFormatException e) {
            // a corrupt record: the records before it still count
          }
          seq = Math.max(seq, reader.lastSequence());
        }
      } catch (CheckpointFormatException e) {
        // a log that is no log: replaced after the new base
      }
    }
    return Math.max(seq, last) + 1;
  }

  private long sequenceOf(Checkpoint.Summary summary) throws CheckpointFormatException {
    String s = summary.metadata().get(SEQUENCE_KEY);
    try {
      return Long.parseLong(Objects.requireNonNull(s, "missing"));
    } catch (NumberFormatException | NullPointerException e) {
      throw new CheckpointFormatException(
          base, "checkpoint " + base + " has no valid " + SEQUENCE_KEY + " in its metadata (" + s
              + "): it is not the base of delta checkpoints");
    }
  }

  /** Opens the log for appending: starts it afresh if needed, and cuts off a torn last record. */
  private void prepareLog() throws IOException {
    if (appender != null) {
      return;
    }
    if (logNeedsReset || !Files.exists(log)) {
      logStart = DeltaLog.create(log, lineage, baseSequence);
      logEnd = logStart;
      logNeedsReset = false;
    }
    FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE);
    try {
      if (ch.size() > logEnd) {
        ch.truncate(logEnd);
        ch.force(true);
      }
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    appender = ch;
  }

  /** After a failed append: cuts the log back to its last record, or starts it afresh on the next checkpoint. */
  private void cutLog(Exception cause) {
    try {
      appender.truncate(logEnd);
      appender.force(true);
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
      closeQuietly();
      synced = false; // the next checkpoint writes a new base, which replaces the log
    }
  }

  private void closeQuietly() {
    try {
      closeAppender();
    } catch (IOException e) {
      // already failing
    }
  }

  private void closeAppender() throws IOException {
    if (appender != null) {
      FileChannel ch = appender;
      appender = null;
      ch.close();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this checkpointer of " + dir + " is closed");
    }
  }

  private static Map<String, String> checkMetadata(Map<String, String> metadata) {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : Objects.requireNonNull(metadata, "metadata").entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException("metadata keys and values must not be null: " + e.getKey());
      }
      if (e.getKey().startsWith("emb4j.delta.")) {
        throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is reserved");
      }
      out.put(e.getKey(), e.getValue());
    }
    return Map.copyOf(out);
  }

  private static Map<String, String> userMetadata(Map<String, String> all) {
    Map<String, String> out = new TreeMap<>(all);
    out.keySet().removeIf(k -> k.startsWith("emb4j.delta."));
    return Map.copyOf(out);
  }
}
