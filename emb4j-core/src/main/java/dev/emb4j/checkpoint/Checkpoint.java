package dev.emb4j.checkpoint;

import dev.emb4j.internal.format.Json;
import dev.emb4j.nn.Parameter;
import dev.emb4j.optim.OptimizerState;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * Checkpoints: the values of a model's parameters and the state of its optimizer, saved together in one file so that
 * training can resume exactly where it stopped.
 *
 * <pre>{@code
 * Checkpoint.save(Path.of("model.ckpt"), model.parameters(), optimizer.exportState(), Map.of("epoch", "3"));
 * ...
 * OptimizerState state = Checkpoint.load(Path.of("model.ckpt"), model.parameters());
 * if (state != null) {
 *   optimizer.importState(state);
 * }
 * }</pre>
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
 *                      rows x dim float32 values, row-major (row 0, then row 1, ...), no padding
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
 * "<parameter name>/<slot>"}). {@code length} is {@code rows * dim * 4}; the first tensor starts at {@code 16 + H} and
 * each next one where the previous one ends, so {@code E} is the end of the last tensor (or {@code 16 + H} when there
 * is none). Scalars are JSON numbers, written in their shortest exact form (so they round-trip bit for bit); the
 * non-finite values are written as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}. Parameters
 * keep the order of the list given to {@link #save}; optimizer slots, scalars and metadata are sorted by name, so that
 * the same state always gives the same bytes.
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
  private static final byte[] MAGIC = "EMB4JCKP".getBytes(StandardCharsets.US_ASCII);

  /** Magic, version and header length. */
  static final int PREAMBLE_BYTES = 16;

  /** The CRC32C at the end of the file. */
  static final int CHECKSUM_BYTES = 4;

  /** Tensor data starts on a multiple of this (the header is padded with spaces). */
  private static final int DATA_ALIGNMENT = 64;

  /** The largest header a reader accepts (a corrupted length field must not allocate gigabytes). */
  private static final int MAX_HEADER_BYTES = 1 << 30;

  /** Integers above 2^53 do not survive a trip through a JSON number read as a double. */
  private static final long MAX_JSON_INTEGER = 1L << 53;

  /** I/O buffer size; also the number of bytes of rows copied per batch. */
  private static final int BUFFER_BYTES = 1 << 20;

  private static final int BATCH_FLOATS = BUFFER_BYTES / Float.BYTES;

  private Checkpoint() {}

  /**
   * What a checkpoint holds, as returned by {@link #read}.
   *
   * @param formatVersion the file's format version
   * @param metadata the saved metadata (sorted by key; unmodifiable)
   * @param parameters the saved parameter values by name, in the order they were saved, each as a {@link
   *     HeapRowStore} (unmodifiable map)
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

    byte[] header = buildHeader(sources, optimizerJson, meta);
    long dataStart = PREAMBLE_BYTES + (long) header.length;
    long dataEnd = dataStart;
    for (Source s : sources) {
      dataEnd += s.bytes();
    }

    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    String baseName = target.getFileName().toString();
    Path tmp = null;
    FileChannel ch = null;
    for (int attempt = 0; ch == null; attempt++) {
      tmp = dir.resolve("." + baseName + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      try {
        ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 16) {
          throw e;
        }
      }
    }
    try {
      CRC32C crc = new CRC32C();
      Sink sink = new Sink(ch, crc);
      sink.putBytes(MAGIC);
      sink.putInt(FORMAT_VERSION);
      sink.putInt(header.length);
      sink.putBytes(header);
      for (Source s : sources) {
        writeTensor(sink, s);
      }
      sink.flush();
      if (sink.position != dataEnd) {
        throw new IllegalStateException(
            "internal error: wrote " + sink.position + " bytes of data, the header promised " + dataEnd);
      }
      ByteBuffer sum = ByteBuffer.allocate(CHECKSUM_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      sum.putInt((int) crc.getValue()).flip();
      while (sum.hasRemaining()) {
        ch.write(sum);
      }
      ch.force(true);
      ch.close();
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (Throwable t) {
      try {
        ch.close();
      } catch (IOException e) {
        t.addSuppressed(e);
      }
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        t.addSuppressed(e);
      }
      throw t;
    }
    forceDirectory(dir);
  }

  private static String checkName(String name, String what) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a " + what + " name must not be " + (name == null ? "null" : "empty"));
    }
    return name;
  }

  private static Object scalarToJson(Double v) {
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

  private static double scalarFromJson(Object v) {
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

  /** The header JSON, padded with spaces so that the data after it starts on a {@link #DATA_ALIGNMENT} boundary. */
  private static byte[] buildHeader(List<Source> sources, Map<String, Object> optimizer, Map<String, String> meta) {
    // Offsets are absolute, so they depend on the header length: grow the assumed data start until the header fits.
    long dataStart = 0;
    while (true) {
      List<Object> tensors = new ArrayList<>();
      long offset = dataStart;
      for (Source s : sources) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", s.name);
        t.put("role", s.role);
        t.put("dtype", "f32");
        t.put("rows", s.rows);
        t.put("dim", s.dim);
        t.put("offset", offset);
        t.put("length", s.bytes());
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
      byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
      long need = alignUp(PREAMBLE_BYTES + (long) json.length, DATA_ALIGNMENT);
      if (need <= dataStart) {
        long headerBytes = dataStart - PREAMBLE_BYTES;
        if (headerBytes > MAX_HEADER_BYTES) {
          throw new IllegalArgumentException("checkpoint header of " + headerBytes + " bytes is too large");
        }
        byte[] padded = Arrays.copyOf(json, (int) headerBytes);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
      }
      dataStart = need;
    }
  }

  private static long alignUp(long n, int alignment) {
    return (n + alignment - 1) / alignment * alignment;
  }

  private static void writeTensor(Sink sink, Source s) throws IOException {
    int dim = s.dim;
    int rowsPerBatch = (int) Math.max(1, Math.min(s.rows, BATCH_FLOATS / dim));
    float[] batch = new float[rowsPerBatch * dim];
    for (long r = 0; r < s.rows; ) {
      int k = (int) Math.min(rowsPerBatch, s.rows - r);
      for (int i = 0; i < k; i++) {
        s.store.readRow(r + i, batch, i * dim);
      }
      sink.putFloats(batch, k * dim);
      r += k;
    }
  }

  /** Forces the directory entry of the renamed file to disk where the platform allows it (not on Windows). */
  private static void forceDirectory(Path dir) {
    try (FileChannel dc = FileChannel.open(dir, StandardOpenOption.READ)) {
      dc.force(true);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // Not supported here (e.g. Windows cannot open a directory): the rename is still atomic.
    }
  }

  /** A tensor to save. */
  private static final class Source {
    final String name;
    final String role;
    final RowStore store;
    final long rows;
    final int dim;

    Source(String name, String role, RowStore store) {
      this.name = name;
      this.role = role;
      this.store = Objects.requireNonNull(store, () -> "the store of " + name + " is null");
      this.rows = store.rows();
      this.dim = store.dim();
      if (rows < 0 || dim <= 0) {
        throw new IllegalArgumentException("tensor '" + name + "' has an invalid shape " + rows + " x " + dim);
      }
    }

    long bytes() {
      return Math.multiplyExact(Math.multiplyExact(rows, (long) dim), (long) Float.BYTES);
    }
  }

  /** Buffered sequential writes that also feed the checksum. */
  private static final class Sink {
    final FileChannel ch;
    final CRC32C crc;
    final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long position;

    Sink(FileChannel ch, CRC32C crc) {
      this.ch = ch;
      this.crc = crc;
    }

    void putBytes(byte[] b) throws IOException {
      int off = 0;
      while (off < b.length) {
        if (!buf.hasRemaining()) {
          flush();
        }
        int k = Math.min(buf.remaining(), b.length - off);
        buf.put(b, off, k);
        off += k;
      }
    }

    void putInt(int v) throws IOException {
      if (buf.remaining() < Integer.BYTES) {
        flush();
      }
      buf.putInt(v);
    }

    void putFloats(float[] a, int n) throws IOException {
      int off = 0;
      while (off < n) {
        if (buf.remaining() < Float.BYTES) {
          flush();
        }
        int k = Math.min(buf.remaining() / Float.BYTES, n - off);
        buf.asFloatBuffer().put(a, off, k);
        buf.position(buf.position() + k * Float.BYTES);
        off += k;
      }
    }

    void flush() throws IOException {
      buf.flip();
      crc.update(buf.duplicate());
      while (buf.hasRemaining()) {
        position += ch.write(buf);
      }
      buf.clear();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reading
  // ---------------------------------------------------------------------------------------------------------------

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
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Layout layout = verify(file, ch);
      Reader reader = new Reader(file, ch);
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
   * <p>Everything is checked before anything is written: the whole file (structure, sizes, checksum), then that every
   * parameter in {@code params} is in the checkpoint with the same shape and, when {@code strict}, that the
   * checkpoint holds no parameter missing from {@code params}. When {@code strict} is false, such extra parameters of
   * the checkpoint are skipped (a parameter of {@code params} missing from the checkpoint is an error either way).
   *
   * @param file the checkpoint file
   * @param params the parameters to fill, with unique names (typically {@code model.parameters()})
   * @param strict whether a parameter of the checkpoint that is not in {@code params} is an error
   * @return the saved optimizer state (slots as {@link HeapRowStore}s), or null if the checkpoint has none; pass it
   *     to the optimizer's {@code importState}
   * @throws CheckpointFormatException if the file is not an intact checkpoint; no parameter has changed then
   * @throws IllegalArgumentException if the checkpoint does not match {@code params} (the message lists every
   *     mismatch) or two parameters share a name; no parameter has changed then
   * @throws IOException if the file cannot be read
   */
  public static OptimizerState load(Path file, List<? extends Parameter> params, boolean strict) throws IOException {
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
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Layout layout = verify(file, ch);

      Map<String, Entry> saved = new LinkedHashMap<>();
      for (Entry e : layout.entries) {
        if (e.role.equals(ROLE_PARAM)) {
          saved.put(e.name, e);
        }
      }
      List<String> problems = new ArrayList<>();
      for (Parameter p : byName.values()) {
        RowStore v = p.value();
        Entry e = saved.get(p.name());
        if (e == null) {
          problems.add(
              "parameter '" + p.name() + "' (" + shape(v.rows(), v.dim()) + ") is missing from the checkpoint");
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

      Reader reader = new Reader(file, ch);
      // The optimizer state first: if it cannot be read (out of memory, I/O error) no parameter has changed yet.
      OptimizerState state = readOptimizer(layout, reader);
      for (Entry e : saved.values()) {
        Parameter p = byName.get(e.name);
        if (p != null) {
          reader.readInto(e, p.value());
        }
      }
      return state;
    }
  }

  private static String shape(long rows, int dim) {
    return rows + " x " + dim;
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
  private record Entry(String name, String role, long rows, int dim, long offset, long length) {}

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
  private static Layout verify(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    ByteBuffer pre = ByteBuffer.allocate(PREAMBLE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, pre, 0);
    int got = pre.position();
    int magicBytes = Math.min(got, MAGIC.length);
    for (int i = 0; i < magicBytes; i++) {
      if (pre.get(i) != MAGIC[i]) {
        byte[] first = new byte[magicBytes];
        pre.get(0, first);
        throw error(
            file, "is not an emb4j checkpoint: it starts with " + hex(first) + ", not the magic bytes \"EMB4JCKP\"");
      }
    }
    if (got < PREAMBLE_BYTES) {
      throw error(
          file,
          "is truncated: expected a " + PREAMBLE_BYTES + "-byte preamble (magic, version, header length), file ends at "
              + size);
    }
    int version = pre.getInt(8);
    if (version != FORMAT_VERSION) {
      throw error(
          file, "has format version " + version + ", but this library reads only version " + FORMAT_VERSION);
    }
    int headerLength = pre.getInt(12);
    if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
      throw corrupt(file, "header length " + headerLength + " is out of range");
    }
    long dataStart = PREAMBLE_BYTES + (long) headerLength;
    if (dataStart > size) {
      throw error(
          file,
          "is truncated: expected " + headerLength + " bytes of header at offset " + PREAMBLE_BYTES
              + ", file ends at " + size);
    }
    ByteBuffer hb = ByteBuffer.allocate(headerLength);
    readFully(ch, hb, PREAMBLE_BYTES);
    if (hb.hasRemaining()) {
      throw error(file, "ended while its header was being read (was it modified?)");
    }
    hb.flip();
    String text;
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(hb);
      text = chars.toString();
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

    long expectedSize = layout.dataEnd + CHECKSUM_BYTES;
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
          "is truncated: expected the " + CHECKSUM_BYTES + "-byte checksum at offset " + layout.dataEnd
              + ", file ends at " + size);
    }
    if (size > expectedSize) {
      throw error(
          file,
          "has " + (size - expectedSize) + " unexpected bytes after its checksum (it should end at " + expectedSize
              + ", but is " + size + " bytes long)");
    }

    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(BUFFER_BYTES, Math.max(layout.dataEnd, 1)));
    for (long pos = 0; pos < layout.dataEnd; ) {
      buf.clear();
      if (layout.dataEnd - pos < buf.capacity()) {
        buf.limit((int) (layout.dataEnd - pos));
      }
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw error(file, "ended at " + pos + " while its checksum was being computed (was it modified?)");
      }
      buf.flip();
      crc.update(buf);
      pos += n;
    }
    ByteBuffer sum = ByteBuffer.allocate(CHECKSUM_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, sum, layout.dataEnd);
    if (sum.hasRemaining()) {
      throw error(file, "ended while its checksum was being read (was it modified?)");
    }
    int stored = sum.getInt(0);
    int computed = (int) crc.getValue();
    if (stored != computed) {
      throw error(
          file,
          String.format(
              "is corrupt: checksum mismatch: stored 0x%08x, computed 0x%08x over its first %d bytes",
              stored, computed, layout.dataEnd));
    }
    return layout;
  }

  /** Reads into {@code buf} from {@code position} until it is full or the file ends. */
  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        return;
      }
      pos += n;
    }
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
      String dtype = asString(t.get("dtype"), where + " \"dtype\"");
      if (!dtype.equals("f32")) {
        throw new IllegalArgumentException(where + " has an unsupported dtype \"" + dtype + "\" (expected \"f32\")");
      }
      long rows = asInteger(t.get("rows"), where + " \"rows\"", 0, MAX_JSON_INTEGER);
      int dim = (int) asInteger(t.get("dim"), where + " \"dim\"", 1, Integer.MAX_VALUE);
      long at = asInteger(t.get("offset"), where + " \"offset\"", 0, MAX_JSON_INTEGER);
      long length = asInteger(t.get("length"), where + " \"length\"", 0, MAX_JSON_INTEGER);
      long expectedLength;
      try {
        expectedLength = Math.multiplyExact(Math.multiplyExact(rows, (long) dim), (long) Float.BYTES);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(where + " has a shape " + shape(rows, dim) + " that is too large", e);
      }
      if (length != expectedLength) {
        throw new IllegalArgumentException(
            where + " has length " + length + ", but " + rows + " x " + dim + " floats take " + expectedLength
                + " bytes");
      }
      if (at != offset) {
        throw new IllegalArgumentException(
            where + " is at offset " + at + ", expected " + offset + " (tensors are stored back to back)");
      }
      offset = Math.addExact(offset, length);
      if (offset > MAX_JSON_INTEGER) {
        throw new IllegalArgumentException("the tensors end past the format's limit of 2^53 bytes");
      }
      entries.add(new Entry(name, role, rows, dim, at, length));
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

  private static Map<?, ?> asMap(Object v, String what) {
    if (v instanceof Map<?, ?> m) {
      return m;
    }
    throw new IllegalArgumentException(what + " is " + describe(v) + ", expected an object");
  }

  private static List<?> asList(Object v, String what) {
    if (v instanceof List<?> l) {
      return l;
    }
    throw new IllegalArgumentException(what + " is " + describe(v) + ", expected an array");
  }

  private static String asString(Object v, String what) {
    if (v instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(what + " is " + describe(v) + ", expected a string");
  }

  private static long asInteger(Object v, String what, long min, long max) {
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
    final FileChannel ch;
    final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long position;

    Reader(Path file, FileChannel ch) {
      this.file = file;
      this.ch = ch;
    }

    HeapRowStore readNew(Entry e) throws IOException {
      HeapRowStore store = HeapRowStore.allocate(e.rows, e.dim);
      readInto(e, store);
      return store;
    }

    void readInto(Entry e, RowStore dst) throws IOException {
      position = e.offset;
      buf.clear().limit(0);
      int dim = e.dim;
      int rowsPerBatch = (int) Math.max(1, Math.min(e.rows, BATCH_FLOATS / dim));
      float[] batch = new float[rowsPerBatch * dim];
      for (long r = 0; r < e.rows; ) {
        int k = (int) Math.min(rowsPerBatch, e.rows - r);
        readFloats(batch, k * dim, e);
        for (int i = 0; i < k; i++) {
          dst.writeRow(r + i, batch, i * dim);
        }
        r += k;
      }
    }

    private void readFloats(float[] dst, int n, Entry e) throws IOException {
      int off = 0;
      while (off < n) {
        if (buf.remaining() < Float.BYTES) {
          buf.compact();
          int got = ch.read(buf, position);
          if (got < 0) {
            throw error(
                file, "ended at " + position + " while tensor '" + e.name + "' was being read (was it modified?)");
          }
          position += got;
          buf.flip();
          continue;
        }
        int k = Math.min(buf.remaining() / Float.BYTES, n - off);
        buf.asFloatBuffer().get(dst, off, k);
        buf.position(buf.position() + k * Float.BYTES);
        off += k;
      }
    }
  }
}
