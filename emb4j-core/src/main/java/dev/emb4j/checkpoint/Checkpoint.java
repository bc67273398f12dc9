package dev.emb4j.checkpoint;

import dev.emb4j.internal.format.AtomicOutput;
import dev.emb4j.internal.format.Container;
import dev.emb4j.internal.format.ContainerReader;
import dev.emb4j.internal.format.Json;
import dev.emb4j.internal.kernel.StoreMemory;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.nn.Parameter;
import dev.emb4j.internal.store.QuantizedRows;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.OptimizerState;
import dev.emb4j.store.DType;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.QuantizedRowStore;
import dev.emb4j.store.RowStore;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import dev.emb4j.store.LazyRowStore;
import dev.emb4j.store.RowInit;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Checkpoints: the values of a model's parameters and the state of its optimizer, saved together in one file so that
 * training can resume exactly where it stopped.
 *
 * <pre>{@code
 * Checkpoint.save(Path.of("model.ckpt"), model.parameters(), optimizer.stateView(), Map.of("epoch", "3"));
 * ...
 * Checkpoint.load(Path.of("model.ckpt"), model.parameters(), optimizer);   // values and optimizer state, in place
 * }</pre>
 *
 * <p>Loading writes into the parameters' own stores (a memory-mapped table's file included, then forced to disk);
 * {@link #load(Path, List, Optimizer)} also streams the optimizer's state into the optimizer's own stores (mapped
 * files beside a mapped table), while {@link #load(Path, List)} returns it as a copy on the heap. A table with lazy
 * rows is saved as its initializer and its initialised rows only (below), without initialising any row; loading it
 * into a lazy table with the same initializer makes the other rows uninitialised again, and into any other table
 * writes their initial values.
 *
 * <h2>File format (version 1)</h2>
 *
 * <p>All integers and floats are little-endian; offsets are absolute byte offsets from the start of the file.
 *
 * <pre>
 * offset        size   field
 * ------------  -----  ---------------------------------------------------------------------------------
 * 0             8      magic: the ASCII bytes "EMB4JCKP"
 * 8             4      format version: int32, currently 1
 * 12            4      H: header length in bytes, int32
 * 16            H      header: a JSON object in UTF-8 (see below), padded with trailing spaces so that the
 *                      tensor data starts on a 64-byte boundary
 * 16 + H        ...    tensor data: for each tensor of the header, in header order and back to back,
 *                      rows x dim values of its dtype, row-major (row 0, then row 1, ...), no padding; a tensor
 *                      of dtype "int8" or "int4" holds its rows as PyTorch prepacks them instead (see DType)
 * E             4      checksum: CRC32C (java.util.zip.CRC32C, the Castagnoli polynomial) of bytes [0, E),
 *                      i.e. of everything before it, as an unsigned int32
 * E + 4                end of file (a longer file is rejected)
 * </pre>
 *
 * <p>The header (member order as written; readers ignore members they do not know):
 *
 * <pre>{@code
 * {
 *   "format": "emb4j-checkpoint",
 *   "byte_order": "little",
 *   "checksum": "crc32c",
 *   "tensors": [
 *     {"name": "fc1.weight", "role": "param", "dtype": "f32", "rows": 100, "dim": 50,
 *      "offset": 1024, "length": 20000},
 *     {"name": "fc1.weight/exp_avg", "role": "optimizer_slot", "dtype": "f32", "rows": 100, "dim": 50,
 *      "offset": 21024, "length": 20000}
 *   ],
 *   "optimizer": {"kind": "Adam", "scalars": {"lr": 0.001, "step": 10.0}},   (null when none was saved)
 *   "metadata": {"epoch": "3"}
 * }
 * }</pre>
 *
 * <p>{@code role} is {@code "param"} for a parameter (named by {@link Parameter#name()}) or {@code
 * "optimizer_slot"} for an optimizer state matrix (named by its key in {@link OptimizerState#slots()}, {@code
 * "<parameter name>/<slot>"}). {@code dtype} is the element type of the store saved: {@code "f32"} (float32),
 * {@code "f16"} / {@code "bf16"} for a table of 16-bit rows ({@link DType}), whose elements are saved as their 16-bit
 * patterns, so a save and a load keep every bit, or {@code "int8"} / {@code "int4"} for a parameter held in a {@link
 * QuantizedRowStore} (an inference model), whose bytes are saved as they are. {@code length} is {@code rows *
 * DType.rowBytes(dim)} ({@code rows * dim * 4} for f32); the first tensor starts at {@code 16 + H} and
 * each next one where the previous one ends, so {@code E} is the end of the last tensor (or {@code 16 + H} when there
 * is none). Scalars are JSON numbers, written in their shortest exact form (so they round-trip bit for bit); the
 * non-finite values are written as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}. Parameters
 * keep the order of the list given to {@link #save}; optimizer slots, scalars and metadata are sorted by name, so that
 * the same state always gives the same bytes.
 *
 * <p>A tensor of lazy rows (a {@code LazyRowStore}) has two more members, {@code "lazy_init"} (its initializer:
 * {@code {"distribution": "normal", "a": 0.0, "b": 0.1, "seed": "42"}}, the seed a decimal string) and {@code
 * "initialized_rows"} (n), and other data: a bitmap of ceil(rows / 64) little-endian 64-bit words (bit {@code r % 64}
 * of word {@code r / 64} set for a saved row r), then the n saved rows in ascending order; {@code length} is {@code
 * ceil(rows / 64) * 8 + n * dim * 4}. A row whose bit is clear was never touched: it holds the initial values its
 * initializer draws for it.
 *
 * <p>Tensors of more than 2<sup>31</sup> floats are supported: every offset is a {@code long} and values are streamed
 * through a small buffer, a batch of rows at a time; no method builds one array of a whole tensor.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>Atomic save.</b> {@link #save} writes a temporary file {@code .<name>.tmp-<random>} in the same directory,
 *       forces it to disk, then renames it over the target ({@link StandardCopyOption#ATOMIC_MOVE}) and forces the
 *       directory where the platform allows it. A crash or an exception in the middle of a save leaves the previous
 *       checkpoint as it was; on an exception the temporary file is deleted.
 *   <li><b>Verify before loading.</b> {@link #load} checks the whole file (structure, sizes, checksum) and checks every
 *       name and shape against the given parameters before it writes into any of them: when it throws {@link
 *       CheckpointFormatException} or {@link IllegalArgumentException}, no parameter has changed. (Only an I/O error
 *       <em>during</em> the final copy, after every check passed, for example a disk failure or the file being
 *       replaced in place by another process, can leave parameters partly loaded.)
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * <ul>
 *   <li>{@link CheckpointFormatException} (an {@link IOException}): the <em>file</em> is bad: not a checkpoint (bad
 *       magic), an unknown format version, cut short ("truncated"), a corrupted header, bytes after the checksum, or a
 *       checksum mismatch. The message names the file and the problem, e.g. {@code "checkpoint model.ckpt is
 *       truncated: expected 4096 bytes of tensor 'emb.weight' at offset 128, file ends at 1024"}.
 *   <li>{@link IllegalArgumentException}: the file is intact but does not fit the caller's arguments: a parameter of
 *       the model is missing from the checkpoint, has another shape ({@code "parameter 'fc1.weight' has shape 100 x 50
 *       in the checkpoint but 100 x 60 in the model"}), or the checkpoint holds a parameter the model does not have
 *       (strict loading); also duplicate or empty names passed to {@link #save} or {@link #load}. Every mismatch is
 *       listed in one message.
 *   <li>Other {@link IOException}s: the file cannot be opened, read or written.
 * </ul>
 *
 * <p>Threads: a save reads the parameters and optimizer slots as they are while it runs, and a load writes the
 * parameters; neither may run concurrently with training steps on the same model.
 */
public final class Checkpoint {

  /** The format version this class writes and the only one it reads. */
  public static final int FORMAT_VERSION = 1;

  /** The role of a parameter tensor in the header. */
  static final String ROLE_PARAM = "param";

  /** The role of an optimizer slot tensor in the header. */
  static final String ROLE_SLOT = "optimizer_slot";

  /** The 8 magic bytes at the start of every checkpoint. */
  private static final byte[] MAGIC = Container.magic("EMB4JCKP");

  /** The largest header a reader accepts (a corrupted length field must not allocate gigabytes). */
  private static final int MAX_HEADER_BYTES = 1 << 30;

  /** Integers above 2^53 do not survive a trip through a JSON number read as a double. */
  private static final long MAX_JSON_INTEGER = 1L << 53;

  /** Floats of rows copied per batch. */
  private static final int BATCH_FLOATS = (1 << 20) / Float.BYTES;

  private Checkpoint() {}

  /**
   * What a checkpoint holds, as returned by {@link #read}.
   *
   * @param formatVersion the file's format version
   * @param metadata the saved metadata (sorted by key; unmodifiable)
   * @param parameters the saved parameter values by name, in the order they were saved, each as a {@link
   *     HeapRowStore}, or a {@link QuantizedRowStore} for an int8 or int4 tensor (unmodifiable map)
   * @param optimizer the saved optimizer state (its slots as {@link HeapRowStore}s), or null if none was saved
   */
  public record Contents(
      int formatVersion, Map<String, String> metadata, Map<String, RowStore> parameters, OptimizerState optimizer) {
    /** Copies the maps, keeping their order. */
    public Contents {
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
      parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Saving
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Saves the values of {@code params}, the optimizer state (if any) and {@code metadata} to {@code file}, atomically
   * replacing any file already there (see the class documentation).
   *
   * @param file the checkpoint file; its directory must exist
   * @param params the parameters to save, with unique non-empty names (typically {@code model.parameters()})
   * @param optimizerOrNull the optimizer state to save beside them, or null for none
   * @param metadata free-form string pairs saved with the checkpoint (epoch, git commit, ...); null means none
   * @throws IllegalArgumentException if two parameters or two tensors share a name, a name is empty, or a metadata
   *     or scalar value is null; nothing is written then
   * @throws IOException if the file cannot be written (including {@link
   *     java.nio.file.AtomicMoveNotSupportedException} on a file system without atomic renames); the previous file, if
   *     any, is unchanged and the temporary file is deleted
   */
  public static void save(
      Path file, List<? extends Parameter> params, OptimizerState optimizerOrNull, Map<String, String> metadata)
      throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(params, "params");
    List<Source> sources = new ArrayList<>();
    Set<String> paramNames = new HashSet<>();
    for (Parameter p : params) {
      Objects.requireNonNull(p, "a parameter in the list is null");
      String name = checkName(p.name(), "parameter");
      if (!paramNames.add(name)) {
        throw new IllegalArgumentException("two parameters are named '" + name + "': names must be unique");
      }
      sources.add(new Source(name, ROLE_PARAM, Objects.requireNonNull(p.value(), "value() of " + name)));
    }
    Map<String, Object> optimizerJson = null;
    if (optimizerOrNull != null) {
      String kind = checkName(optimizerOrNull.optimizer(), "optimizer kind");
      TreeMap<String, Object> scalars = new TreeMap<>();
      for (Map.Entry<String, Double> e : optimizerOrNull.scalars().entrySet()) {
        scalars.put(checkName(e.getKey(), "optimizer scalar"), scalarToJson(e.getValue()));
      }
      for (Map.Entry<String, RowStore> e : new TreeMap<>(optimizerOrNull.slots()).entrySet()) {
        sources.add(new Source(checkName(e.getKey(), "optimizer slot"), ROLE_SLOT, e.getValue()));
      }
      optimizerJson = new LinkedHashMap<>();
      optimizerJson.put("kind", kind);
      optimizerJson.put("scalars", scalars);
    }
    TreeMap<String, String> meta = new TreeMap<>();
    if (metadata != null) {
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new IllegalArgumentException("metadata keys and values must not be null: " + e.getKey());
        }
        meta.put(e.getKey(), e.getValue());
      }
    }

    Map<String, Object> optimizer = optimizerJson;
    byte[] header = Container.header(dataStart -> headerJson(sources, optimizer, meta, dataStart));
    if (header.length > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException("checkpoint header of " + header.length + " bytes is too large");
    }
    long dataEnd = Container.PREAMBLE_BYTES + (long) header.length;
    for (Source s : sources) {
      dataEnd += s.bytes();
    }
    try (AtomicOutput out = Container.create(file, MAGIC, FORMAT_VERSION, header)) {
      for (Source s : sources) {
        writeTensor(out, s);
      }
      if (out.position() != dataEnd) {
        throw new IllegalStateException(
            "internal error: wrote " + out.position() + " bytes of data, the header promised " + dataEnd);
      }
      Container.finish(out);
    }
  }

  private static String checkName(String name, String what) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a " + what + " name must not be " + (name == null ? "null" : "empty"));
    }
    return name;
  }

  static Object scalarToJson(Double v) {
    if (v == null) {
      throw new IllegalArgumentException("an optimizer scalar must not be null");
    }
    if (v.isNaN()) {
      return "NaN";
    }
    if (v.isInfinite()) {
      return v > 0 ? "Infinity" : "-Infinity";
    }
    return v;
  }

  static double scalarFromJson(Object v) {
    if (v instanceof Double d) {
      return d;
    }
    if (v instanceof String s) {
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw new IllegalArgumentException("is " + describe(v) + ", expected a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
  }

  /** The header JSON when the tensor data starts at {@code dataStart} (tensor offsets are absolute). */
  private static String headerJson(
      List<Source> sources, Map<String, Object> optimizer, Map<String, String> meta, long dataStart) {
    List<Object> tensors = new ArrayList<>();
    long offset = dataStart;
    for (Source s : sources) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("name", s.name);
      t.put("role", s.role);
      t.put("dtype", s.dtype.label());
      t.put("rows", s.rows);
      t.put("dim", s.dim);
      t.put("offset", offset);
      t.put("length", s.bytes());
      if (s.lazy != null) {
        t.put("lazy_init", s.lazy.init().toJson());
        t.put("initialized_rows", s.saved);
      }
      tensors.add(t);
      offset += s.bytes();
    }
    if (offset > MAX_JSON_INTEGER) {
      throw new IllegalArgumentException("checkpoint of " + offset + " bytes is larger than the format's 2^53 limit");
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format", "emb4j-checkpoint");
    root.put("byte_order", "little");
    root.put("checksum", "crc32c");
    root.put("tensors", tensors);
    root.put("optimizer", optimizer);
    root.put("metadata", meta);
    return Json.write(root);
  }

  private static void writeTensor(AtomicOutput out, Source s) throws IOException {
    if (s.dtype.quantized()) {
      MemorySegment rows = ((QuantizedRowStore) s.store).prepacked();
      byte[] batch = new byte[(int) Math.min(rows.byteSize(), BATCH_FLOATS * (long) Float.BYTES)];
      for (long at = 0; at < rows.byteSize(); at += batch.length) {
        int n = (int) Math.min(batch.length, rows.byteSize() - at);
        MemorySegment.copy(rows, at, MemorySegment.ofArray(batch), 0, n);
        out.write(batch, 0, n);
      }
      return;
    }
    if (s.lazy != null) {
      long written = LazyTensor.write(out, s.lazy, BATCH_FLOATS);
      if (written != s.saved) {
        throw new IllegalStateException(
            "tensor '" + s.name + "' had " + s.saved + " initialised rows when the header was written, " + written
                + " when its rows were: it changed during the save");
      }
      return;
    }
    int dim = s.dim;
    int rowsPerBatch = (int) Math.max(1, Math.min(s.rows, BATCH_FLOATS / dim));
    if (s.dtype != DType.F32) {
      writeHalfTensor(out, s, rowsPerBatch);
      return;
    }
    float[] batch = new float[rowsPerBatch * dim];
    for (long r = 0; r < s.rows; ) {
      int k = (int) Math.min(rowsPerBatch, s.rows - r);
      for (int i = 0; i < k; i++) {
        readSavedRow(s.store, r + i, batch, i * dim);
      }
      out.writeFloatsLE(batch, 0, k * dim);
      r += k;
    }
  }

  /** Writes the 16-bit patterns of a table of 16-bit rows, as they are in its memory. */
  private static void writeHalfTensor(AtomicOutput out, Source s, int rowsPerBatch) throws IOException {
    int dim = s.dim;
    int[] bits = new int[rowsPerBatch * dim];
    float[] row = new float[dim];
    // a lazy table's untouched rows are read as their initial values, without initialising them
    RowMemory memory = s.store instanceof LazyRowStore ? null : StoreMemory.of(s.store).orElse(null);
    for (long r = 0; r < s.rows; ) {
      int k = (int) Math.min(rowsPerBatch, s.rows - r);
      for (int i = 0; i < k; i++) {
        if (memory != null) {
          MemorySegment seg = memory.segment(r + i);
          long at = memory.offset(r + i);
          for (int j = 0; j < dim; j++) {
            bits[i * dim + j] = seg.get(HALF, at + (long) j * Short.BYTES);
          }
        } else { // a store without a memory view, or lazy: its values, exact in its dtype
          readSavedRow(s.store, r + i, row, 0);
          for (int j = 0; j < dim; j++) {
            bits[i * dim + j] = s.dtype.encode(row[j]);
          }
        }
      }
      out.writeElements(bits, k * dim, Short.BYTES, ByteOrder.LITTLE_ENDIAN);
      r += k;
    }
  }

  private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;

  /**
   * Reads a row to save: a lazy table's row that was never touched is saved as its initial values without being
   * initialised in the table, so that saving a large lazy table neither writes into it nor dirties its pages.
   */
  static void readSavedRow(RowStore store, long row, float[] dst, int dstOffset) {
    if (store instanceof LazyRowStore lazy) {
      lazy.peekRow(row, dst, dstOffset);
    } else {
      store.readRow(row, dst, dstOffset);
    }
  }

  /** A tensor to save. */
  private static final class Source {
    final String name;
    final String role;
    final RowStore store;
    /** The store's type: F32, F16 or BF16, or the quantized type of a {@link QuantizedRowStore}, saved as it is. */
    final DType dtype;
    final long rows;
    final int dim;
    /** The store, if its rows are lazy: saved as a {@link LazyTensor}; else null. */
    final LazyRowStore lazy;
    /** The initialised rows of a lazy store. */
    final long saved;

    Source(String name, String role, RowStore store) {
      this.name = name;
      this.role = role;
      this.store = Objects.requireNonNull(store, () -> "the store of " + name + " is null");
      this.dtype = store.dtype();
      if (dtype.quantized() && !(store instanceof QuantizedRowStore)) {
        throw new IllegalArgumentException("tensor '" + name + "' has dtype " + dtype + ", which checkpoints do not hold");
      }
      this.rows = store.rows();
      this.dim = store.dim();
      if (rows < 0 || dim <= 0) {
        throw new IllegalArgumentException("tensor '" + name + "' has an invalid shape " + rows + " x " + dim);
      }
      // a lazy float32 table is saved as its initialised rows; a lazy 16-bit one whole, as its bit patterns
      this.lazy = store instanceof LazyRowStore l && dtype == DType.F32 ? l : null;
      this.saved = lazy != null ? lazy.initializedRows() : rows;
    }

    long bytes() {
      if (lazy != null) {
        return LazyTensor.bytes(rows, dim, saved);
      }
      return Math.multiplyExact(rows, dtype.rowBytes(dim));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reading
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Whether {@code file} starts with a checkpoint's magic bytes; nothing else is checked. Tells a saved model apart from
   * other files (e.g. vector files) before choosing how to read it.
   *
   * @param file the file
   * @return true if its first 8 bytes are a checkpoint's magic
   * @throws IOException if the file cannot be read
   */
  public static boolean isCheckpoint(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
    }
  }

  /**
   * Reads a whole checkpoint into memory after verifying it (structure, sizes and checksum).
   *
   * @param file the checkpoint file
   * @return the metadata, the parameter values by name and the optimizer state (or null), all on the heap
   * @throws CheckpointFormatException if the file is not an intact checkpoint of a known version
   * @throws IOException if the file cannot be read
   */
  public static Contents read(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    try (ContainerReader in = ContainerReader.open(file)) {
      Layout layout = verify(file, in, true);
      Reader reader = new Reader(file, in);
      Map<String, RowStore> params = new LinkedHashMap<>();
      for (Entry e : layout.entries) {
        if (e.role.equals(ROLE_PARAM)) {
          params.put(e.name, reader.readNew(e));
        }
      }
      return new Contents(layout.version, layout.metadata, params, readOptimizer(layout, reader));
    }
  }

  /**
   * {@link #load(Path, List, boolean) load(file, params, true)}: every parameter must be in the checkpoint with the
   * same shape, and the checkpoint must hold no other parameter.
   *
   * @param file the checkpoint file
   * @param params the parameters to fill (typically {@code model.parameters()})
   * @return the saved optimizer state (slots as {@link HeapRowStore}s), or null if the checkpoint has none
   * @throws CheckpointFormatException if the file is not an intact checkpoint; no parameter has changed then
   * @throws IllegalArgumentException if the checkpoint does not match {@code params}; no parameter has changed then
   * @throws IOException if the file cannot be read
   */
  public static OptimizerState load(Path file, List<? extends Parameter> params) throws IOException {
    return load(file, params, true);
  }

  /**
   * Copies the saved values into the parameters' row stores and returns the saved optimizer state.
   *
   * <p>The values are written into the parameters' stores, which are then flushed ({@link RowStore#flush()}: a
   * mapped table's rows forced to disk). Everything is checked before anything is written: the whole file (structure,
   * sizes, checksum), then that every parameter in {@code params} is in the checkpoint with the same shape and, when
   * {@code strict}, that the checkpoint holds no parameter missing from {@code params}. When {@code strict} is
   * false, such extra parameters of the checkpoint are skipped (a parameter of {@code params} missing from the
   * checkpoint is an error either way). A parameter saved with more rows fits one that {@linkplain
   * Parameter#canGrowTo can grow} to them (a {@code DynamicEmbeddingBag} built with growth, saved after it grew): it
   * grows once everything, the optimizer state included, is checked; a refused optimizer state leaves it as it was.
   *
   * @param file the checkpoint file
   * @param params the parameters to fill, with unique names (typically {@code model.parameters()})
   * @param strict whether a parameter of the checkpoint that is not in {@code params} is an error
   * @return the saved optimizer state (slots as {@link HeapRowStore}s), or null if the checkpoint has none; pass it
   *     to the optimizer's {@code importState}, or load with {@link #load(Path, List, Optimizer)} instead, which
   *     holds no such copy
   * @throws CheckpointFormatException if the file is not an intact checkpoint; no parameter has changed then
   * @throws IllegalArgumentException if the checkpoint does not match {@code params} (the message lists every
   *     mismatch) or two parameters share a name; no parameter has changed then
   * @throws IOException if the file cannot be read
   */
  public static OptimizerState load(Path file, List<? extends Parameter> params, boolean strict) throws IOException {
    OptimizerState[] copied = new OptimizerState[1];
    load(
        file,
        params,
        strict,
        saved -> {
          if (saved != null) {
            Map<String, RowStore> slots = new LinkedHashMap<>();
            for (Map.Entry<String, RowStore> e : saved.slots().entrySet()) {
              slots.put(e.getKey(), e.getValue() instanceof SavedRows view ? view.toHeap() : e.getValue());
            }
            copied[0] = new OptimizerState(saved.optimizer(), saved.scalars(), slots);
          }
        });
    return copied[0];
  }

  /**
   * Loads a checkpoint into the parameters and the optimizer in place: the parameters' values as {@link #load(Path,
   * List)} does, and the optimizer's state through {@link Optimizer#importState}, which streams each saved slot from
   * the file into the optimizer's own stores (mapped files beside a mapped table), so that no copy of a large table's
   * state is held in memory. Everything is checked (the file, the parameters, the optimizer's kind and slots) before
   * anything changes; then the parameters' stores are flushed ({@link RowStore#flush()}: forced to disk for a mapped
   * table, with its optimizer state). A checkpoint without optimizer state leaves the optimizer as it is.
   *
   * @param file the checkpoint file
   * @param params the parameters to fill, with unique names; the checkpoint must hold exactly these
   * @param optimizer the optimizer to restore
   * @throws CheckpointFormatException if the file is not an intact checkpoint; nothing has changed then
   * @throws IllegalArgumentException if the checkpoint does not match {@code params} or the optimizer; nothing has
   *     changed then
   * @throws IOException if the file cannot be read
   */
  public static void load(Path file, List<? extends Parameter> params, Optimizer optimizer) throws IOException {
    Objects.requireNonNull(optimizer, "optimizer");
    load(
        file,
        params,
        true,
        saved -> {
          if (saved != null) {
            optimizer.importState(saved);
          }
        });
  }

  /** Takes a checkpoint's optimizer state (null if it has none) before the parameters are written. */
  @FunctionalInterface
  interface StateSink {
    /**
     * Takes the state.
     *
     * @param saved the saved state, its slots read-only views of the file that are valid during the call only
     * @throws IOException if a slot cannot be read
     */
    void accept(OptimizerState saved) throws IOException;
  }

  /**
   * The loads: checks the file and {@code params}, hands the saved optimizer state to {@code sink} (which may refuse
   * it, with nothing changed), then streams the parameters' values into their stores and flushes them.
   */
  static void load(Path file, List<? extends Parameter> params, boolean strict, StateSink sink) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(params, "params");
    Map<String, Parameter> byName = new LinkedHashMap<>();
    for (Parameter p : params) {
      Objects.requireNonNull(p, "a parameter in the list is null");
      String name = checkName(p.name(), "parameter");
      if (byName.putIfAbsent(name, p) != null) {
        throw new IllegalArgumentException("two parameters are named '" + name + "': names must be unique");
      }
    }
    try (ContainerReader in = ContainerReader.open(file)) {
      Layout layout = verify(file, in, true);

      Map<String, Entry> saved = new LinkedHashMap<>();
      for (Entry e : layout.entries) {
        if (e.role.equals(ROLE_PARAM)) {
          saved.put(e.name, e);
        }
      }
      List<String> problems = new ArrayList<>();
      Map<Parameter, Long> growths = new LinkedHashMap<>();
      for (Parameter p : byName.values()) {
        RowStore v = p.value();
        Entry e = saved.get(p.name());
        if (e == null) {
          problems.add(
              "parameter '" + p.name() + "' (" + shape(v.rows(), v.dim()) + ") is missing from the checkpoint");
        } else if (e.dim == v.dim() && e.rows > v.rows() && p.canGrowTo(e.rows)) {
          growths.put(p, e.rows); // a dynamic table that had grown: it grows to the saved size before the restore
        } else if (e.rows != v.rows() || e.dim != v.dim()) {
          problems.add(
              "parameter '" + p.name() + "' has shape " + shape(e.rows, e.dim) + " in the checkpoint but "
                  + shape(v.rows(), v.dim()) + " in the model");
        }
      }
      if (strict) {
        for (Entry e : saved.values()) {
          if (!byName.containsKey(e.name)) {
            problems.add(
                "the checkpoint has a parameter '" + e.name + "' (" + shape(e.rows, e.dim)
                    + ") that the model does not have");
          }
        }
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "checkpoint " + file + " does not match the model: " + String.join("; ", problems)
                + (strict ? "" : " (strict = false)"));
      }

      Reader reader = new Reader(file, in);
      // The optimizer state first: if it is refused or cannot be read, no parameter has changed yet. An optimizer
      // grows the parameters its saved state is larger than (dynamic tables saved after they grew) once it has checked
      // the whole state; the parameters it did not grow reach the saved size here.
      try {
        sink.accept(savedOptimizer(layout, in, reader));
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      for (Map.Entry<Parameter, Long> g : growths.entrySet()) {
        if (g.getKey().value().rows() != g.getValue()) { // a table's weight and id map grow together
          g.getKey().growTo(g.getValue());
        }
      }
      for (Entry e : saved.values()) {
        Parameter p = byName.get(e.name);
        if (p != null) {
          reader.readInto(e, p.value());
        }
      }
      for (Parameter p : byName.values()) {
        p.value().flush();
      }
    }
  }

  /**
   * What a checkpoint's header says beyond its tensors.
   *
   * @param metadata the saved metadata
   * @param optimizerKind the saved optimizer's kind, or null if none was saved
   */
  record Summary(Map<String, String> metadata, String optimizerKind) {}

  /**
   * The metadata and optimizer kind of {@code file}, after checking its structure and sizes, and its checksum if
   * {@code checksum} (which reads the whole file).
   *
   * @throws CheckpointFormatException if the file is not an intact checkpoint
   */
  static Summary summary(Path file, boolean checksum) throws IOException {
    try (ContainerReader in = ContainerReader.open(file)) {
      Layout layout = verify(file, in, checksum);
      return new Summary(layout.metadata, layout.optimizerKind);
    }
  }

  private static String shape(long rows, int dim) {
    return rows + " x " + dim;
  }

  /** The saved optimizer state with its slots as views of the file, or null if none was saved. */
  private static OptimizerState savedOptimizer(Layout layout, ContainerReader in, Reader reader) throws IOException {
    if (layout.optimizerKind == null) {
      return null;
    }
    Map<String, RowStore> slots = new LinkedHashMap<>();
    for (Entry e : layout.entries) {
      if (e.role.equals(ROLE_SLOT)) { // a lazy slot (a custom state's) is read whole: its rows are not in place
        slots.put(e.name, e.lazyInit != null ? reader.readNew(e) : SavedRows.of(in, e.offset, e.rows, e.dim));
      }
    }
    return new OptimizerState(layout.optimizerKind, layout.scalars, slots);
  }

  private static OptimizerState readOptimizer(Layout layout, Reader reader) throws IOException {
    if (layout.optimizerKind == null) {
      return null;
    }
    Map<String, RowStore> slots = new LinkedHashMap<>();
    for (Entry e : layout.entries) {
      if (e.role.equals(ROLE_SLOT)) {
        slots.put(e.name, reader.readNew(e));
      }
    }
    return new OptimizerState(layout.optimizerKind, layout.scalars, slots);
  }

  /** One tensor of the header. */
  private record Entry(
      String name, String role, DType dtype, long rows, int dim, long offset, long length, RowInit lazyInit,
      long saved) {}

  /** A parsed and checked header. */
  private record Layout(
      int version,
      long dataEnd,
      List<Entry> entries,
      String optimizerKind,
      Map<String, Double> scalars,
      Map<String, String> metadata) {}

  private static CheckpointFormatException error(Path file, String what) {
    return new CheckpointFormatException(file, "checkpoint " + file + " " + what);
  }

  private static CheckpointFormatException corrupt(Path file, String what) {
    return error(file, "has a corrupted header: " + what);
  }

  /**
   * Checks everything about the file that does not depend on the caller: magic, version, header, sizes and the
   * checksum.
   */
  private static Layout verify(Path file, ContainerReader in, boolean checksum) throws IOException {
    long size = in.size();
    ContainerReader.Preamble pre = in.preamble();
    if (!pre.agreesWith(MAGIC)) {
      byte[] first = Arrays.copyOf(pre.bytes(), Math.min(pre.bytes().length, MAGIC.length));
      throw error(
          file, "is not an emb4j checkpoint: it starts with " + hex(first) + ", not the magic bytes \"EMB4JCKP\"");
    }
    if (!pre.complete()) {
      throw error(
          file,
          "is truncated: expected a " + Container.PREAMBLE_BYTES
              + "-byte preamble (magic, version, header length), file ends at " + size);
    }
    int version = pre.version();
    if (version != FORMAT_VERSION) {
      throw error(
          file, "has format version " + version + ", but this library reads only version " + FORMAT_VERSION);
    }
    int headerLength = pre.headerLength();
    if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
      throw corrupt(file, "header length " + headerLength + " is out of range");
    }
    long dataStart = Container.PREAMBLE_BYTES + (long) headerLength;
    if (dataStart > size) {
      throw error(
          file,
          "is truncated: expected " + headerLength + " bytes of header at offset " + Container.PREAMBLE_BYTES
              + ", file ends at " + size);
    }
    byte[] hb = in.read(Container.PREAMBLE_BYTES, headerLength);
    if (hb.length < headerLength) {
      throw error(file, "ended while its header was being read (was it modified?)");
    }
    String text;
    try {
      text = ContainerReader.utf8(hb, 0, hb.length);
    } catch (CharacterCodingException e) {
      throw new CheckpointFormatException(
          file, "checkpoint " + file + " has a corrupted header: it is not valid UTF-8", e);
    }
    Object root;
    try {
      root = Json.parse(text);
    } catch (Json.JsonException e) {
      throw new CheckpointFormatException(
          file, "checkpoint " + file + " has a corrupted header: " + e.getMessage(), e);
    }
    Layout layout;
    try {
      layout = parseLayout(root, version, dataStart);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new CheckpointFormatException(
          file, "checkpoint " + file + " has a corrupted header: " + e.getMessage(), e);
    }

    long expectedSize = layout.dataEnd + Container.CHECKSUM_BYTES;
    if (size < expectedSize) {
      for (Entry e : layout.entries) {
        if (e.offset + e.length > size) {
          throw error(
              file,
              "is truncated: expected " + e.length + " bytes of tensor '" + e.name + "' at offset " + e.offset
                  + ", file ends at " + size);
        }
      }
      throw error(
          file,
          "is truncated: expected the " + Container.CHECKSUM_BYTES + "-byte checksum at offset " + layout.dataEnd
              + ", file ends at " + size);
    }
    if (size > expectedSize) {
      throw error(
          file,
          "has " + (size - expectedSize) + " unexpected bytes after its checksum (it should end at " + expectedSize
              + ", but is " + size + " bytes long)");
    }

    if (!checksum) {
      return layout;
    }
    int stored;
    int computed;
    try {
      computed = in.computeChecksum(layout.dataEnd);
      stored = in.storedChecksum(layout.dataEnd);
    } catch (EOFException e) {
      throw error(file, "ended while its checksum was being computed (was it modified?)");
    }
    if (stored != computed) {
      throw error(
          file,
          String.format(
              "is corrupt: checksum mismatch: stored 0x%08x, computed 0x%08x over its first %d bytes",
              stored, computed, layout.dataEnd));
    }
    for (Entry e : layout.entries) {
      if (e.lazyInit != null && LazyTensor.countSaved(in, e.offset, e.rows) != e.saved) {
        throw corrupt(
            file,
            "the bitmap of tensor '" + e.name + "' does not mark the " + e.saved
                + " rows its \"initialized_rows\" says");
      }
    }
    return layout;
  }

  private static String hex(byte[] bytes) {
    if (bytes.length == 0) {
      return "nothing (the file is empty)";
    }
    StringBuilder sb = new StringBuilder("0x");
    for (byte b : bytes) {
      sb.append(String.format("%02x", b & 0xff));
    }
    return sb.toString();
  }

  /** Checks the header's structure; throws {@link IllegalArgumentException} with the problem. */
  private static Layout parseLayout(Object root, int version, long dataStart) {
    Map<?, ?> doc = asMap(root, "the header");
    List<?> tensors = asList(doc.get("tensors"), "\"tensors\"");
    List<Entry> entries = new ArrayList<>(tensors.size());
    Set<String> paramNames = new HashSet<>();
    Set<String> slotNames = new HashSet<>();
    long offset = dataStart;
    for (int i = 0; i < tensors.size(); i++) {
      String where = "tensor " + i;
      Map<?, ?> t = asMap(tensors.get(i), where);
      String name = asString(t.get("name"), where + " \"name\"");
      if (name.isEmpty()) {
        throw new IllegalArgumentException(where + " has an empty name");
      }
      where = "tensor '" + name + "'";
      String role = asString(t.get("role"), where + " \"role\"");
      Set<String> names;
      if (role.equals(ROLE_PARAM)) {
        names = paramNames;
      } else if (role.equals(ROLE_SLOT)) {
        names = slotNames;
      } else {
        throw new IllegalArgumentException(where + " has an unknown role \"" + role + "\"");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException("two tensors of role " + role + " are named '" + name + "'");
      }
      String label = asString(t.get("dtype"), where + " \"dtype\"");
      DType dtype =
          switch (label) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            case "int8" -> DType.INT8;
            case "int4" -> DType.INT4;
            default -> null;
          };
      if (dtype == null || dtype.quantized() && !role.equals(ROLE_PARAM)) {
        throw new IllegalArgumentException(
            where + " has an unsupported dtype \"" + label
                + "\" (expected \"f32\", \"f16\" or \"bf16\", or \"int8\" or \"int4\" for a parameter)");
      }
      long rows = asInteger(t.get("rows"), where + " \"rows\"", 0, MAX_JSON_INTEGER);
      int dim = (int) asInteger(t.get("dim"), where + " \"dim\"", 1, Integer.MAX_VALUE);
      long at = asInteger(t.get("offset"), where + " \"offset\"", 0, MAX_JSON_INTEGER);
      long length = asInteger(t.get("length"), where + " \"length\"", 0, MAX_JSON_INTEGER);
      RowInit lazyInit = null;
      long savedRows = rows;
      if (t.get("lazy_init") != null) {
        if (dtype != DType.F32) {
          throw new IllegalArgumentException(where + " has lazy rows of dtype \"" + label + "\" (only f32 ones are)");
        }
        lazyInit = RowInit.fromJson(asMap(t.get("lazy_init"), where + " \"lazy_init\""));
        savedRows = asInteger(t.get("initialized_rows"), where + " \"initialized_rows\"", 0, rows);
      }
      long expectedLength;
      try {
        expectedLength =
            lazyInit != null
                ? LazyTensor.bytes(rows, dim, savedRows)
                : Math.multiplyExact(rows, dtype.rowBytes(dim));
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(where + " has a shape " + shape(rows, dim) + " that is too large", e);
      }
      if (length != expectedLength) {
        throw new IllegalArgumentException(
            where + " has length " + length + ", but " + rows + " x " + dim
                + (dtype == DType.F32 ? " floats" : " " + label + " values") + " take " + expectedLength + " bytes");
      }
      if (at != offset) {
        throw new IllegalArgumentException(
            where + " is at offset " + at + ", expected " + offset + " (tensors are stored back to back)");
      }
      offset = Math.addExact(offset, length);
      if (offset > MAX_JSON_INTEGER) {
        throw new IllegalArgumentException("the tensors end past the format's limit of 2^53 bytes");
      }
      entries.add(new Entry(name, role, dtype, rows, dim, at, length, lazyInit, savedRows));
    }

    String kind = null;
    Map<String, Double> scalars = Map.of();
    Object opt = doc.get("optimizer");
    if (opt != null) {
      Map<?, ?> o = asMap(opt, "\"optimizer\"");
      kind = asString(o.get("kind"), "the optimizer \"kind\"");
      if (kind.isEmpty()) {
        throw new IllegalArgumentException("the optimizer kind is empty");
      }
      Map<String, Double> s = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : asMap(o.get("scalars"), "the optimizer \"scalars\"").entrySet()) {
        try {
          s.put((String) e.getKey(), scalarFromJson(e.getValue()));
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException("optimizer scalar \"" + e.getKey() + "\" " + ex.getMessage(), ex);
        }
      }
      scalars = s;
    } else if (!slotNames.isEmpty()) {
      throw new IllegalArgumentException("it has optimizer slots but no \"optimizer\"");
    }

    Map<String, String> metadata = new LinkedHashMap<>();
    Object meta = doc.get("metadata");
    if (meta != null) {
      for (Map.Entry<?, ?> e : asMap(meta, "\"metadata\"").entrySet()) {
        metadata.put((String) e.getKey(), asString(e.getValue(), "metadata \"" + e.getKey() + "\""));
      }
    }
    return new Layout(version, offset, List.copyOf(entries), kind, scalars, metadata);
  }

  static Map<?, ?> asMap(Object v, String what) {
    if (v instanceof Map<?, ?> m) {
      return m;
    }
    throw new IllegalArgumentException(what + " is " + describe(v) + ", expected an object");
  }

  static List<?> asList(Object v, String what) {
    if (v instanceof List<?> l) {
      return l;
    }
    throw new IllegalArgumentException(what + " is " + describe(v) + ", expected an array");
  }

  static String asString(Object v, String what) {
    if (v instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(what + " is " + describe(v) + ", expected a string");
  }

  static long asInteger(Object v, String what, long min, long max) {
    if (v instanceof Double d) {
      double x = d;
      if (x == Math.rint(x) && x >= min && x <= max) {
        return (long) x;
      }
      throw new IllegalArgumentException(what + " is " + d + ", expected an integer in " + min + ".." + max);
    }
    throw new IllegalArgumentException(what + " is " + describe(v) + ", expected an integer");
  }

  private static String describe(Object v) {
    if (v == null) {
      return "missing or null";
    }
    if (v instanceof String s) {
      return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
    if (v instanceof Double d) {
      return "the number " + d;
    }
    if (v instanceof Boolean b) {
      return "the boolean " + b;
    }
    if (v instanceof List<?>) {
      return "an array";
    }
    return "an object";
  }

  /** Streams the float data of verified tensors into row stores, a batch of rows at a time. */
  private static final class Reader {
    final Path file;
    final ContainerReader in;

    Reader(Path file, ContainerReader in) {
      this.file = file;
      this.in = in;
    }

    RowStore readNew(Entry e) throws IOException {
      if (e.dtype.quantized()) {
        ContainerReader.Cursor cursor = in.cursor(e.offset);
        byte[] batch = new byte[(int) Math.min(e.length, BATCH_FLOATS * (long) Float.BYTES)];
        return QuantizedRowStore.read(
            e.dtype,
            e.rows,
            e.dim,
            rows -> {
              for (long at = 0; at < e.length; at += batch.length) {
                int n = (int) Math.min(batch.length, e.length - at);
                readBytes(cursor, e, batch, n);
                MemorySegment.copy(MemorySegment.ofArray(batch), 0, rows, at, n);
              }
            });
      }
      HeapRowStore store = HeapRowStore.allocate(e.rows, e.dim, e.dtype);
      readInto(e, store);
      return store;
    }

    private void readBytes(ContainerReader.Cursor cursor, Entry e, byte[] dst, int n) throws IOException {
      try {
        cursor.readFully(dst, 0, n);
      } catch (EOFException x) {
        throw error(
            file, "ended at " + cursor.position() + " while tensor '" + e.name + "' was being read (was it modified?)");
      }
    }

    /**
     * Fills {@code dst} with the tensor's values: a quantized tensor is decoded (a float32 model loads an int8
     * checkpoint); a store of the tensor's 16-bit dtype gets the saved bits as they are; any other store gets the
     * values, converted as its {@code writeRow} does.
     */
    void readInto(Entry e, RowStore dst) throws IOException {
      if (e.dtype.quantized()) {
        byte[] row = new byte[(int) e.dtype.rowBytes(e.dim)];
        QuantizedRows one = new QuantizedRows(MemorySegment.ofArray(row), 1, e.dim, e.dtype.bits());
        float[] values = new float[e.dim];
        ContainerReader.Cursor cursor = in.cursor(e.offset);
        for (long r = 0; r < e.rows; r++) {
          readBytes(cursor, e, row, row.length);
          one.decodeRow(0, values, 0);
          dst.writeRow(r, values, 0);
        }
        return;
      }
      if (e.lazyInit != null) {
        try {
          LazyTensor.read(in, e.offset, e.rows, e.dim, e.lazyInit, dst);
        } catch (EOFException x) {
          throw error(file, "ended while tensor '" + e.name + "' was being read (was it modified?)");
        }
        return;
      }
      ContainerReader.Cursor cursor = in.cursor(e.offset);
      int dim = e.dim;
      int rowsPerBatch = (int) Math.max(1, Math.min(e.rows, BATCH_FLOATS / dim));
      if (e.dtype != DType.F32) {
        readHalfInto(e, dst, cursor, rowsPerBatch);
        return;
      }
      float[] batch = new float[rowsPerBatch * dim];
      for (long r = 0; r < e.rows; ) {
        int k = (int) Math.min(rowsPerBatch, e.rows - r);
        try {
          cursor.readFloats(batch, 0, k * dim);
        } catch (EOFException x) {
          throw error(
              file,
              "ended at " + cursor.position() + " while tensor '" + e.name + "' was being read (was it modified?)");
        }
        for (int i = 0; i < k; i++) {
          dst.writeRow(r + i, batch, i * dim);
        }
        r += k;
      }
    }

    private void readHalfInto(Entry e, RowStore dst, ContainerReader.Cursor cursor, int rowsPerBatch)
        throws IOException {
      int dim = e.dim;
      byte[] bytes = new byte[rowsPerBatch * dim * Short.BYTES];
      float[] row = new float[dim];
      RowMemory memory = dst.dtype() == e.dtype ? StoreMemory.of(dst).orElse(null) : null;
      for (long r = 0; r < e.rows; ) {
        int k = (int) Math.min(rowsPerBatch, e.rows - r);
        readBytes(cursor, e, bytes, k * dim * Short.BYTES);
        MemorySegment src = MemorySegment.ofArray(bytes);
        for (int i = 0; i < k; i++) {
          long from = (long) i * dim * Short.BYTES;
          if (memory != null) {
            MemorySegment.copy(src, LE_HALF, from, memory.segment(r + i), HALF, memory.offset(r + i), dim);
          } else {
            for (int j = 0; j < dim; j++) {
              row[j] = e.dtype.decode(src.get(LE_HALF, from + (long) j * Short.BYTES));
            }
            dst.writeRow(r + i, row, 0);
          }
        }
        r += k;
      }
    }
  }

  private static final ValueLayout.OfShort LE_HALF = HALF.withOrder(ByteOrder.LITTLE_ENDIAN);
}
