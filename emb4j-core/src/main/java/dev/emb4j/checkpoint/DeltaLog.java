package dev.emb4j.checkpoint;

import dev.emb4j.internal.format.AtomicOutput;
import dev.emb4j.internal.format.Container;
import dev.emb4j.internal.format.ContainerReader;
import dev.emb4j.internal.format.Json;
import dev.emb4j.optim.ChangedRows;
import dev.emb4j.store.RowStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The log of delta checkpoints that a {@link DeltaCheckpointer} appends beside its base checkpoint, and a reader of
 * it: what a serving copy tails to follow training (TorchRec's delta tracker, Monolith's incremental sync).
 *
 * <pre>{@code
 * try (DeltaLog log = DeltaLog.open(dir.resolve("delta.log"))) {
 *   while (serving) {
 *     Optional<DeltaRecord> r = log.next();          // the next complete record, or empty for now
 *     if (r.isPresent()) {
 *       log.readRows(r.get(), (tensor, row, values) -> { if (tensor.parameter()) table(tensor).writeRow(row, values, 0); });
 *     } else if (log.replaced()) {                   // compacted: reload the base, reopen the log
 *       ...
 *     } else {
 *       Thread.sleep(1000);
 *     }
 *   }
 * }
 * }</pre>
 *
 * <h2>File format (version 1)</h2>
 *
 * <p>All integers and floats are little-endian. The log starts with a header, written whole (atomically, as every
 * emb4j file) when the log is created or reset, in the {@link Container} layout with no sections:
 *
 * <pre>
 * offset     size  field
 * ---------  ----  ----------------------------------------------------------------------------------------
 * 0          8     magic: the ASCII bytes "EMB4JDLG"
 * 8          4     format version: int32, currently 1
 * 12         4     H: header length, int32
 * 16         H     header JSON, padded with spaces to a multiple of 64 bytes in all:
 *                  {"format": "emb4j-delta-log", "lineage": "3f09c1a2b4d5e6f7", "base_sequence": 12}
 * 16 + H     4     CRC32C of bytes [0, 16 + H)
 * 20 + H     ...   records, back to back, until the end of the file
 * </pre>
 *
 * <p>{@code lineage} names the run of checkpoints the log belongs to; the base checkpoint carries the same value in
 * its metadata ({@code emb4j.delta.lineage}). {@code base_sequence} is the number of the base checkpoint the log was
 * started after: its first record is checkpoint {@code base_sequence + 1}, and each next record's number is one more.
 *
 * <p>A record, at offset R:
 *
 * <pre>
 * offset      size  field
 * ----------  ----  --------------------------------------------------------------------------------------
 * R           8     magic: the ASCII bytes "EMB4JDRC"
 * R + 8       8     sequence: the checkpoint's number, int64
 * R + 16      8     B: body length in bytes, int64
 * R + 24      4     CRC32C of bytes [R, R + 24): the record header alone, so that a length is trusted only
 *                   when it was written whole
 * R + 28      4     J: JSON length, int32 (the body starts here)
 * R + 32      J     JSON (UTF-8), see below
 * R + 32 + J  ...   row data of each group, in JSON order:
 *                     a group of n listed rows: n row ids (int64, ascending), then for each of its tensors
 *                       n x dim float32 (the rows of those ids, in id order);
 *                     a group of all rows: for each of its tensors rows x dim float32
 * R + 28 + B  4     CRC32C of bytes [R, R + 28 + B): the whole record
 * R + 32 + B        the next record
 * </pre>
 *
 * <pre>{@code
 * {"metadata": {"step": "400"},
 *  "optimizer": {"kind": "RowWiseAdagrad", "scalars": {"lr": 0.1}, "slots": ["bag.weight/sum"]},
 *  "groups": [
 *    {"ids": 37, "tensors": [{"name": "bag.weight", "role": "param", "rows": 1000, "dim": 16},
 *                            {"name": "bag.weight/sum", "role": "optimizer_slot", "rows": 1000, "dim": 1}]},
 *    {"ids": "all", "tensors": [{"name": "fc.weight", "role": "param", "rows": 2, "dim": 16}]}]}
 * }</pre>
 *
 * <p>{@code scalars} are all of the optimizer's scalars at that checkpoint (written as {@link Checkpoint} writes
 * them); {@code slots} lists every state slot that exists then, whether or not the record holds rows of it. A group
 * lists the rows that changed of a parameter and of its state slots, which change together; a slot created since the
 * previous checkpoint comes whole, in a group of all rows.
 *
 * <h2>Which records count</h2>
 *
 * <p>A record counts once it is complete: its header checksum matches, the file holds its whole body and checksum,
 * and the checksum matches. The writer forces each record to disk before it reports the checkpoint done, and never
 * writes after a record that did not complete (it cuts the log back first), so only the last record of a log can be
 * incomplete, after a crash or while it is being written: {@link #next()} then returns nothing, and a reader that
 * tails the log tries the same offset again later. Corruption in the middle of the log is an error, {@link
 * CheckpointFormatException} naming the file and the record's offset: a record whose header checks out but whose
 * checksum does not, with more bytes after it; a record whose header does not check out, with an intact record
 * header after it; a record whose number does not follow the one before.
 *
 * <p>Not thread-safe; one reader per thread. Readers may run while a {@link DeltaCheckpointer} in another process
 * appends to the same file.
 */
public final class DeltaLog implements Closeable {

  /** The format version this class writes and the only one it reads. */
  public static final int FORMAT_VERSION = 1;

  private static final byte[] MAGIC = Container.magic("EMB4JDLG");
  private static final byte[] RECORD_MAGIC = Container.magic("EMB4JDRC");

  /** Magic, sequence, body length and the header's checksum. */
  static final int RECORD_HEADER_BYTES = 28;

  private static final int MAX_HEADER_BYTES = 1 << 20;
  private static final int MAX_JSON_BYTES = 1 << 30;
  private static final String ALL = "all";
  private static final int BUFFER_BYTES = 1 << 16;

  /** Floats of rows copied per batch when reading or writing. */
  private static final int BATCH_FLOATS = (1 << 18) / Float.BYTES;

  private final Path file;
  private final FileChannel channel;
  private final Object fileKey;
  private final String lineage;
  private final long baseSequence;
  private final long firstRecord;
  private long position;
  private long lastSequence;

  private DeltaLog(Path file, FileChannel channel, Object fileKey, String lineage, long baseSequence, long start) {
    this.file = file;
    this.channel = channel;
    this.fileKey = fileKey;
    this.lineage = lineage;
    this.baseSequence = baseSequence;
    this.firstRecord = start;
    this.position = start;
    this.lastSequence = baseSequence;
  }

  /** How to take the rows of a record, one at a time. */
  @FunctionalInterface
  public interface RowSink {
    /**
     * Takes one row of a tensor.
     *
     * @param tensor the tensor the row belongs to
     * @param row the row number
     * @param values its {@code tensor.dim()} floats (an array reused for the next row: copy what you keep)
     * @throws IOException if the row cannot be stored
     */
    void accept(DeltaRecord.Tensor tensor, long row, float[] values) throws IOException;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reading
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * Opens a log for reading and checks its header; {@link #next()} then reads its records from the first.
   *
   * @param file the log file
   * @return the reader; close it
   * @throws CheckpointFormatException if the file is not a delta log of a known version, or its header is corrupt
   * @throws IOException if the file cannot be opened or read
   */
  public static DeltaLog open(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
      Header h = readHeader(file);
      return new DeltaLog(file, ch, key, h.lineage, h.baseSequence, h.end);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The run of checkpoints this log belongs to (the base checkpoint's {@code emb4j.delta.lineage}). */
  public String lineage() {
    return lineage;
  }

  /** The number of the base checkpoint this log follows: its first record is {@code baseSequence() + 1}. */
  public long baseSequence() {
    return baseSequence;
  }

  /** The offset just past the last record {@link #next()} returned (the first record's offset before any). */
  public long position() {
    return position;
  }

  /** The number of the last record {@link #next()} returned, or {@link #baseSequence()} before any. */
  public long lastSequence() {
    return lastSequence;
  }

  /**
   * The next complete record, verified (see the class documentation), or empty if the log holds no complete record
   * past {@link #position()} yet. An empty answer does not move the reader: call again to see a record that was being
   * written.
   *
   * @throws CheckpointFormatException if the record at {@link #position()} is corrupt while more of the log follows
   *     it, or its number does not follow the previous one; the message names the file and the offset
   * @throws IOException if the file cannot be read
   */
  public Optional<DeltaRecord> next() throws IOException {
    long at = position;
    long size = channel.size();
    if (size - at < RECORD_HEADER_BYTES) {
      return Optional.empty();
    }
    ByteBuffer head = readAt(at, RECORD_HEADER_BYTES);
    byte[] magic = new byte[RECORD_MAGIC.length];
    head.get(0, magic);
    CRC32C headCrc = new CRC32C();
    headCrc.update(head.array(), 0, 24);
    if (!Arrays.equals(magic, RECORD_MAGIC) || (int) headCrc.getValue() != head.getInt(24)) {
      long later = nextValidHeader(at + 1, size);
      if (later >= 0) {
        throw error(at, "has a corrupt header, and a record header follows at offset " + later);
      }
      return Optional.empty(); // a header written in part: the last record's
    }
    long sequence = head.getLong(8);
    long body = head.getLong(16);
    if (body < Integer.BYTES || body > Long.MAX_VALUE / 2) {
      throw error(at, "has a body length of " + body + " bytes");
    }
    long end = at + RECORD_HEADER_BYTES + body + Container.CHECKSUM_BYTES;
    if (end > size) {
      return Optional.empty();
    }
    int computed = checksum(at, RECORD_HEADER_BYTES + body);
    int stored = readAt(end - Container.CHECKSUM_BYTES, Container.CHECKSUM_BYTES).getInt(0);
    if (computed != stored) {
      if (end == size) {
        return Optional.empty(); // a torn last record
      }
      throw error(
          at,
          String.format(
              "is corrupt: checksum mismatch: stored 0x%08x, computed 0x%08x over %d bytes, and %d more bytes of"
                  + " the log follow it",
              stored, computed, RECORD_HEADER_BYTES + body, size - end));
    }
    if (sequence != lastSequence + 1) {
      throw error(at, "is checkpoint " + sequence + ", but checkpoint " + (lastSequence + 1) + " should come next");
    }
    Layout layout = layout(at, body);
    DeltaRecord r =
        new DeltaRecord(
            sequence, at, end - at, layout.metadata, layout.kind, layout.scalars, layout.slots, layout.tensors());
    position = end;
    lastSequence = sequence;
    return Optional.of(r);
  }

  /**
   * Every complete record from the current position on, in order (see {@link #next()}).
   *
   * @throws CheckpointFormatException if a record in the middle of the log is corrupt
   * @throws IOException if the file cannot be read
   */
  public List<DeltaRecord> readAll() throws IOException {
    List<DeltaRecord> out = new ArrayList<>();
    for (Optional<DeltaRecord> r = next(); r.isPresent(); r = next()) {
      out.add(r.get());
    }
    return out;
  }

  /**
   * Hands every row of {@code record} to {@code sink}: group by group in file order, and within a group tensor by
   * tensor, rows in ascending order.
   *
   * @param record a record this reader returned
   * @param sink takes each row
   * @throws IOException if the file cannot be read, or the sink throws
   */
  public void readRows(DeltaRecord record, RowSink sink) throws IOException {
    Layout layout = layout(record.offset(), record.length() - RECORD_HEADER_BYTES - Container.CHECKSUM_BYTES);
    long at = layout.dataStart;
    for (Group g : layout.groups) {
      long idsAt = at;
      long count = g.all ? g.tensors.getFirst().rows() : g.count;
      at += g.all ? 0 : count * Long.BYTES;
      for (DeltaRecord.Tensor t : g.tensors) {
        Cursor values = new Cursor(at);
        Cursor ids = g.all ? null : new Cursor(idsAt);
        float[] row = new float[t.dim()];
        for (long k = 0; k < count; k++) {
          long r = ids == null ? k : ids.readLong();
          values.readFloats(row, t.dim());
          sink.accept(t, r, row);
        }
        at += count * t.dim() * Float.BYTES;
      }
    }
  }

  /**
   * Whether the file at this log's path is no longer the one this reader opened: a compaction wrote a new base and
   * started a new log. A tailing reader then loads the base and opens the log again.
   *
   * @throws IOException if the file's attributes cannot be read
   */
  public boolean replaced() throws IOException {
    if (!Files.exists(file)) {
      return true;
    }
    Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    return key == null ? channel.size() < firstRecord : !key.equals(fileKey);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * The offset of the first intact record header (magic and header checksum) at or after {@code from}, or -1: a bad
   * header followed by a good one is corruption in the middle, not a torn tail.
   */
  private long nextValidHeader(long from, long size) throws IOException {
    int overlap = RECORD_HEADER_BYTES - 1;
    for (long at = from; at + RECORD_HEADER_BYTES <= size; at += BUFFER_BYTES - overlap) {
      ByteBuffer chunk = readAt(at, (int) Math.min(BUFFER_BYTES, size - at));
      byte[] b = chunk.array();
      for (int i = 0; i + RECORD_HEADER_BYTES <= b.length; i++) {
        if (Arrays.equals(b, i, i + RECORD_MAGIC.length, RECORD_MAGIC, 0, RECORD_MAGIC.length)) {
          CRC32C crc = new CRC32C();
          crc.update(b, i, 24);
          if ((int) crc.getValue() == chunk.getInt(i + 24)) {
            return at + i;
          }
        }
      }
    }
    return -1;
  }

  private CheckpointFormatException error(long offset, String what) {
    return new CheckpointFormatException(file, "delta log " + file + ": the record at offset " + offset + " " + what);
  }

  private ByteBuffer readAt(long at, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (channel.read(b, at + b.position()) < 0) {
        throw new CheckpointFormatException(
            file, "delta log " + file + " ended at " + (at + b.position()) + " while it was being read (was it cut?)");
      }
    }
    return b.flip();
  }

  private int checksum(long at, long n) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
    for (long done = 0; done < n; ) {
      buf.clear().limit((int) Math.min(buf.capacity(), n - done));
      int got = channel.read(buf, at + done);
      if (got < 0) {
        throw new CheckpointFormatException(file, "delta log " + file + " ended while a record was being checked");
      }
      crc.update(buf.flip());
      done += got;
    }
    return (int) crc.getValue();
  }

  /** The parsed JSON of the record at {@code at} and where its data starts. */
  private Layout layout(long at, long body) throws IOException {
    int jsonLength = readAt(at + RECORD_HEADER_BYTES, Integer.BYTES).getInt(0);
    if (jsonLength < 2 || jsonLength > MAX_JSON_BYTES || jsonLength > body - Integer.BYTES) {
      throw error(at, "has a JSON length of " + jsonLength + " in a body of " + body + " bytes");
    }
    ByteBuffer json = readAt(at + RECORD_HEADER_BYTES + Integer.BYTES, jsonLength);
    Layout layout;
    try {
      layout = parseLayout(Json.parse(ContainerReader.utf8(json.array(), 0, jsonLength)));
    } catch (CharacterCodingException e) {
      throw error(at, "has a JSON header that is not valid UTF-8");
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw error(at, "has a corrupted JSON header: " + e.getMessage());
    }
    layout.dataStart = at + RECORD_HEADER_BYTES + Integer.BYTES + jsonLength;
    long expected = Integer.BYTES + (long) jsonLength + layout.dataBytes;
    if (expected != body) {
      throw error(at, "has a body of " + body + " bytes, but its JSON describes " + expected);
    }
    return layout;
  }

  private static Layout parseLayout(Object root) {
    Map<?, ?> doc = Checkpoint.asMap(root, "the record");
    Layout layout = new Layout();
    for (Map.Entry<?, ?> e : Checkpoint.asMap(doc.get("metadata"), "\"metadata\"").entrySet()) {
      layout.metadata.put((String) e.getKey(), Checkpoint.asString(e.getValue(), "metadata \"" + e.getKey() + "\""));
    }
    Map<?, ?> opt = Checkpoint.asMap(doc.get("optimizer"), "\"optimizer\"");
    layout.kind = Checkpoint.asString(opt.get("kind"), "the optimizer \"kind\"");
    for (Map.Entry<?, ?> e : Checkpoint.asMap(opt.get("scalars"), "the optimizer \"scalars\"").entrySet()) {
      layout.scalars.put((String) e.getKey(), Checkpoint.scalarFromJson(e.getValue()));
    }
    for (Object s : Checkpoint.asList(opt.get("slots"), "the optimizer \"slots\"")) {
      layout.slots.add(Checkpoint.asString(s, "a slot name"));
    }
    long bytes = 0;
    for (Object o : Checkpoint.asList(doc.get("groups"), "\"groups\"")) {
      Map<?, ?> g = Checkpoint.asMap(o, "a group");
      Object ids = g.get("ids");
      boolean all = ALL.equals(ids);
      long count = all ? -1 : Checkpoint.asInteger(ids, "a group's \"ids\"", 0, Long.MAX_VALUE / 8);
      List<DeltaRecord.Tensor> tensors = new ArrayList<>();
      for (Object t : Checkpoint.asList(g.get("tensors"), "a group's \"tensors\"")) {
        Map<?, ?> m = Checkpoint.asMap(t, "a tensor");
        String name = Checkpoint.asString(m.get("name"), "a tensor's \"name\"");
        String role = Checkpoint.asString(m.get("role"), "tensor '" + name + "' \"role\"");
        if (!role.equals(Checkpoint.ROLE_PARAM) && !role.equals(Checkpoint.ROLE_SLOT)) {
          throw new IllegalArgumentException("tensor '" + name + "' has an unknown role \"" + role + "\"");
        }
        long rows = Checkpoint.asInteger(m.get("rows"), "tensor '" + name + "' \"rows\"", 0, 1L << 53);
        int dim = (int) Checkpoint.asInteger(m.get("dim"), "tensor '" + name + "' \"dim\"", 1, Integer.MAX_VALUE);
        if (!all && count > rows) {
          throw new IllegalArgumentException("a group lists " + count + " rows of '" + name + "', which has " + rows);
        }
        long n = all ? rows : count;
        tensors.add(new DeltaRecord.Tensor(name, role.equals(Checkpoint.ROLE_PARAM), rows, dim, n));
        bytes = Math.addExact(bytes, Math.multiplyExact(Math.multiplyExact(n, (long) dim), (long) Float.BYTES));
      }
      if (tensors.isEmpty()) {
        throw new IllegalArgumentException("a group has no tensors");
      }
      if (all && tensors.stream().anyMatch(t -> t.rows() != tensors.getFirst().rows())) {
        throw new IllegalArgumentException("a group of all rows mixes tensors of different row counts");
      }
      bytes = Math.addExact(bytes, all ? 0 : count * Long.BYTES);
      layout.groups.add(new Group(all, count, tensors));
    }
    layout.dataBytes = bytes;
    return layout;
  }

  /** A record's JSON, parsed. */
  private static final class Layout {
    final Map<String, String> metadata = new LinkedHashMap<>();
    String kind;
    final Map<String, Double> scalars = new LinkedHashMap<>();
    final List<String> slots = new ArrayList<>();
    final List<Group> groups = new ArrayList<>();
    long dataBytes;
    long dataStart;

    List<DeltaRecord.Tensor> tensors() {
      List<DeltaRecord.Tensor> out = new ArrayList<>();
      for (Group g : groups) {
        out.addAll(g.tensors);
      }
      return out;
    }
  }

  /** A group as read: its tensors and how many listed rows ({@code all}: every row). */
  private record Group(boolean all, long count, List<DeltaRecord.Tensor> tensors) {}

  /** A sequential little-endian reader of the log from an offset. */
  private final class Cursor {
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private long next;

    Cursor(long at) {
      this.next = at;
      buf.limit(0);
    }

    private void require(int n) throws IOException {
      while (buf.remaining() < n) {
        buf.compact();
        int got = channel.read(buf, next);
        buf.flip();
        if (got < 0) {
          throw new CheckpointFormatException(file, "delta log " + file + " ended at " + next + " inside a record");
        }
        next += got;
      }
    }

    long readLong() throws IOException {
      require(Long.BYTES);
      return buf.getLong();
    }

    void readFloats(float[] dst, int n) throws IOException {
      for (int off = 0; off < n; ) {
        require(Float.BYTES);
        int k = Math.min(buf.remaining() / Float.BYTES, n - off);
        buf.asFloatBuffer().get(dst, off, k);
        buf.position(buf.position() + k * Float.BYTES);
        off += k;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The header
  // ---------------------------------------------------------------------------------------------------------------

  /** A log's header: its lineage, the base it follows and where its first record starts. */
  record Header(String lineage, long baseSequence, long end) {}

  /**
   * Reads and checks the header of {@code file}.
   *
   * @throws CheckpointFormatException if it is not a delta log's header
   */
  static Header readHeader(Path file) throws IOException {
    try (ContainerReader in = ContainerReader.open(file)) {
      ContainerReader.Preamble pre = in.preamble();
      if (!pre.complete() || !pre.agreesWith(MAGIC)) {
        throw new CheckpointFormatException(file, "delta log " + file + " does not start with \"EMB4JDLG\"");
      }
      if (pre.version() != FORMAT_VERSION) {
        throw new CheckpointFormatException(
            file,
            "delta log " + file + " has format version " + pre.version() + ", but this library reads only version "
                + FORMAT_VERSION);
      }
      int h = pre.headerLength();
      long end = Container.PREAMBLE_BYTES + (long) h;
      if (h < 2 || h > MAX_HEADER_BYTES || end + Container.CHECKSUM_BYTES > in.size()) {
        throw new CheckpointFormatException(file, "delta log " + file + " has a header length of " + h + " bytes");
      }
      if (in.computeChecksum(end) != in.storedChecksum(end)) {
        throw new CheckpointFormatException(file, "delta log " + file + " has a corrupt header (checksum mismatch)");
      }
      try {
        Map<?, ?> doc = Checkpoint.asMap(Json.parse(ContainerReader.utf8(in.read(Container.PREAMBLE_BYTES, h), 0, h)), "the header");
        String lineage = Checkpoint.asString(doc.get("lineage"), "\"lineage\"");
        long base = Checkpoint.asInteger(doc.get("base_sequence"), "\"base_sequence\"", 0, 1L << 53);
        return new Header(lineage, base, end + Container.CHECKSUM_BYTES);
      } catch (CharacterCodingException | IllegalArgumentException e) {
        throw new CheckpointFormatException(
            file, "delta log " + file + " has a corrupted header: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Creates (or replaces, atomically) {@code file} as an empty log of {@code lineage} after base checkpoint {@code
   * baseSequence}.
   *
   * @return the offset of the first record
   */
  static long create(Path file, String lineage, long baseSequence) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format", "emb4j-delta-log");
    root.put("lineage", lineage);
    root.put("base_sequence", baseSequence);
    byte[] header = Container.header(at -> Json.write(root));
    try (AtomicOutput out = Container.create(file, MAGIC, FORMAT_VERSION, header)) {
      Container.finish(out);
    }
    return Container.PREAMBLE_BYTES + (long) header.length + Container.CHECKSUM_BYTES;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Appending
  // ---------------------------------------------------------------------------------------------------------------

  /** A tensor whose rows a record holds. */
  record Source(String name, boolean parameter, RowStore store) {}

  /**
   * The rows of some tensors of equal row count that a record holds: those of {@code ids}, or all of them ({@code ids}
   * null).
   */
  record Rows(ChangedRows ids, List<Source> tensors) {}

  /**
   * Appends one record at {@code at} and forces it to disk (data and file size).
   *
   * @return the record's length in bytes
   * @throws IOException if it cannot be written; the bytes written past {@code at} are then garbage to cut off
   */
  static long append(
      FileChannel ch,
      long at,
      long sequence,
      Map<String, String> metadata,
      String kind,
      Map<String, Double> scalars,
      List<String> slots,
      List<Rows> groups)
      throws IOException {
    long[] counts = new long[groups.size()];
    List<Object> groupJson = new ArrayList<>();
    long dataBytes = 0;
    for (int i = 0; i < groups.size(); i++) {
      Rows g = groups.get(i);
      counts[i] = g.ids == null ? -1 : g.ids.count();
      List<Object> tensors = new ArrayList<>();
      for (Source s : g.tensors) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", s.name);
        t.put("role", s.parameter ? Checkpoint.ROLE_PARAM : Checkpoint.ROLE_SLOT);
        t.put("rows", s.store.rows());
        t.put("dim", s.store.dim());
        tensors.add(t);
        long n = counts[i] < 0 ? s.store.rows() : counts[i];
        dataBytes += n * s.store.dim() * Float.BYTES;
      }
      dataBytes += counts[i] < 0 ? 0 : counts[i] * Long.BYTES;
      Map<String, Object> gj = new LinkedHashMap<>();
      gj.put("ids", counts[i] < 0 ? ALL : (Object) counts[i]);
      gj.put("tensors", tensors);
      groupJson.add(gj);
    }
    TreeMap<String, Object> scalarJson = new TreeMap<>();
    scalars.forEach((k, v) -> scalarJson.put(k, Checkpoint.scalarToJson(v)));
    Map<String, Object> opt = new LinkedHashMap<>();
    opt.put("kind", kind);
    opt.put("scalars", scalarJson);
    opt.put("slots", List.copyOf(slots));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("metadata", new TreeMap<>(metadata));
    root.put("optimizer", opt);
    root.put("groups", groupJson);
    byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
    long body = Integer.BYTES + (long) json.length + dataBytes;

    ByteBuffer head = ByteBuffer.allocate(RECORD_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    head.put(RECORD_MAGIC).putLong(sequence).putLong(body);
    CRC32C headCrc = new CRC32C();
    headCrc.update(head.array(), 0, 24);
    head.putInt((int) headCrc.getValue());

    Appender out = new Appender(ch, at);
    out.write(head.array());
    out.writeInt(json.length);
    out.write(json);
    for (int i = 0; i < groups.size(); i++) {
      Rows g = groups.get(i);
      if (g.ids != null) {
        for (long r = g.ids.next(0); r >= 0; r = g.ids.next(r + 1)) {
          out.writeLong(r);
        }
      }
      for (Source s : g.tensors) {
        out.writeRows(s.store, g.ids);
      }
    }
    long written = out.position() - at;
    if (written != RECORD_HEADER_BYTES + body) {
      throw new IllegalStateException(
          "internal error: wrote " + written + " bytes of record " + sequence + ", its header promised "
              + (RECORD_HEADER_BYTES + body));
    }
    out.writeInt(out.checksum());
    out.flush();
    ch.force(true);
    return out.position() - at;
  }

  /** Buffered little-endian writes at a channel position, with a running CRC32C. */
  private static final class Appender {
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long flushed;

    Appender(FileChannel ch, long at) {
      this.ch = ch;
      this.flushed = at;
    }

    long position() {
      return flushed + buf.position();
    }

    int checksum() throws IOException {
      flush();
      return (int) crc.getValue();
    }

    void write(byte[] b) throws IOException {
      for (int off = 0; off < b.length; ) {
        room(1);
        int k = Math.min(b.length - off, buf.remaining());
        buf.put(b, off, k);
        off += k;
      }
    }

    void writeInt(int v) throws IOException {
      room(Integer.BYTES);
      buf.putInt(v);
    }

    void writeLong(long v) throws IOException {
      room(Long.BYTES);
      buf.putLong(v);
    }

    /** The rows of {@code ids} (all rows when null) of {@code store}, in ascending order. */
    void writeRows(RowStore store, ChangedRows ids) throws IOException {
      int dim = store.dim();
      int perBatch = Math.max(1, BATCH_FLOATS / dim);
      float[] batch = new float[perBatch * dim];
      long rows = store.rows();
      long r = ids == null ? (rows > 0 ? 0 : -1) : ids.next(0);
      while (r >= 0) {
        int k = 0;
        for (; k < perBatch && r >= 0; k++) {
          Checkpoint.readSavedRow(store, r, batch, k * dim);
          r = ids == null ? (r + 1 < rows ? r + 1 : -1) : ids.next(r + 1);
        }
        for (int off = 0, n = k * dim; off < n; ) {
          room(Float.BYTES);
          int m = Math.min(buf.remaining() / Float.BYTES, n - off);
          buf.asFloatBuffer().put(batch, off, m);
          buf.position(buf.position() + m * Float.BYTES);
          off += m;
        }
      }
    }

    private void room(int n) throws IOException {
      if (buf.remaining() < n) {
        flush();
      }
    }

    void flush() throws IOException {
      buf.flip();
      crc.update(buf.duplicate());
      while (buf.hasRemaining()) {
        flushed += ch.write(buf, flushed);
      }
      buf.clear();
    }
  }
}
