package dev.emb4j.store;

import dev.emb4j.internal.format.Container;
import dev.emb4j.internal.format.ContainerReader;
import dev.emb4j.internal.format.Json;
import dev.emb4j.internal.store.MemoryBacked;
import dev.emb4j.internal.store.RowMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rows in a file mapped into memory read-write (FFM: {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}),
 * so that a table is limited by the disk rather than by RAM: pages are read on first touch and written back by the
 * kernel, and the file's pages stay in the page cache rather than in the process's anonymous memory. The kernels work
 * on the mapping exactly as on an off-heap table.
 *
 * <p><b>File.</b> An emb4j table ({@code EMB4JTBL}, see {@code Emb4jTableCodec}) without a vocabulary: the header,
 * then the rows as packed little-endian float32 (format version 1), or float16 or bfloat16 bits (version 2, {@code
 * "dtype": "f16"} or {@code "bf16"}: half the disk and page cache; trained with stochastic rounding, as on the heap),
 * from a 64-byte aligned offset, then a CRC32C. A mapped table's header
 * has two more members:
 *
 * <ul>
 *   <li>{@code "state"}: {@code "dirty"} while the file is mapped (and after a process died with it mapped): the
 *       checksum is then stale, and emb4j's vector readers refuse the file; {@code "clean"} after {@link #close()},
 *       which forces the rows to disk, computes the checksum over the whole file and writes it. A clean file without
 *       {@code lazy_init} is an ordinary emb4j table.
 *   <li>{@code "lazy_init"} for a table with lazy rows ({@link LazyRowStore}): the {@link RowInit} (distribution,
 *       {@code a}, {@code b}, seed as a decimal string) and {@code "initialized"}, the name of the file beside it that
 *       holds one bit per row ({@code ceil(rows / 64)} little-endian 64-bit words; bit {@code r % 64} of word {@code r
 *       / 64} is row r), mapped as well. A row whose bit is clear reads as zeros in the file and is drawn from the
 *       initializer on first touch.
 * </ul>
 *
 * <p><b>Opening</b> ({@link #open}) takes constant time whatever the size: it checks the structure (magic, version,
 * header), the shape, the element type and the file's length against the header, and does not read the rows or the
 * checksum; a dirty file opens as it is. <b>Creating</b> ({@link #create}) checks the free space of the file system
 * for the whole table first, then writes the header and sets the length without writing the rows (a sparse file: the
 * rows read as zeros until written). {@link #flush()} forces the rows to disk; the file stays dirty. The file is
 * locked while mapped, so a second process or a second open in this JVM is refused. If the file is replaced,
 * truncated, extended or its header rewritten while mapped, {@link #flush()} and {@link #close()} say so (reading
 * rows of a file truncated underneath may crash the JVM: do not).
 *
 * <p>Durability: pages are written back by the operating system in no particular order, so after a crash a dirty file
 * may hold any mix of old and new rows; checkpoints are the way to a consistent state.
 */
// MemoryBacked and RowMemory are internal: the kernels' direct access to the rows, not API.
@SuppressWarnings("exports")
public final class MappedRowStore implements RowStore, MemoryBacked {
  private static final byte[] MAGIC = Container.magic("EMB4JTBL");
  /** The format version of float32 tables; 16-bit tables are written as {@link #VERSION_DTYPES}. */
  private static final int VERSION = 1;
  private static final int VERSION_DTYPES = 2;
  private static final int MAX_HEADER = 1 << 24;
  /** The suffix of the bitmap of initialised rows, after the table's file name. */
  static final String INITIALIZED_SUFFIX = ".initialized";

  private static final String DIRTY = "dirty";
  private static final String CLEAN = "clean";

  private final Path file;
  private final long rows;
  private final int dim;
  private final DType dtype;
  private final long dataOffset;
  private final long fileSize;
  private final Map<String, Object> header;
  private final int headerBytes;
  private final RowInit lazyInit;
  private final FileChannel channel;
  private final FileLock lock;
  private final Object fileKey;
  private final Arena arena;
  private final MemorySegment mapping;
  private final MemorySegment bitmap;
  private final OffHeapRowStore view;
  private final List<RowStore> siblings = new ArrayList<>();
  private boolean closed;

  private MappedRowStore(
      Path file, Map<String, Object> header, int headerBytes, long rows, int dim, DType dtype, RowInit lazyInit,
      FileChannel channel, FileLock lock, Path bitmapFile) throws IOException {
    this.file = file;
    this.dtype = dtype;
    this.header = header;
    this.headerBytes = headerBytes;
    this.rows = rows;
    this.dim = dim;
    this.lazyInit = lazyInit;
    this.channel = channel;
    this.lock = lock;
    this.dataOffset = Container.PREAMBLE_BYTES + (long) headerBytes;
    this.fileSize = channel.size();
    this.fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    this.arena = Arena.ofShared();
    try {
      this.mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileSize, arena);
      this.view = OffHeapRowStore.wrapPacked(mapping.asSlice(dataOffset, rowBytes(rows, dim, dtype)), rows, dim, dtype);
      if (bitmapFile != null) {
        try (FileChannel bc = FileChannel.open(bitmapFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          this.bitmap = bc.map(FileChannel.MapMode.READ_WRITE, 0, bc.size(), arena);
        }
      } else {
        this.bitmap = null;
      }
      writeHeader(DIRTY);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /**
   * Creates a new table file of {@code rows x dim} zeros, and with {@code lazyInit} its bitmap of initialised rows
   * beside it ({@code file + ".initialized"}), and maps it. Nothing is written unless the file system has room for the
   * whole table.
   *
   * @param file the new file; it must not exist
   * @param rows the number of rows
   * @param dim floats per row
   * @param lazyInit the initial values of lazy rows, or null for a table of zeros
   * @return the store, open (close it to seal the file)
   * @throws FileAlreadyExistsException if the file exists
   * @throws IOException if the file system has too little free space, or the file cannot be written
   */
  public static MappedRowStore create(Path file, long rows, int dim, RowInit lazyInit) throws IOException {
    return create(file, rows, dim, DType.F32, lazyInit);
  }

  /**
   * {@link #create(Path, long, int, RowInit)} with rows of {@code dtype}: F32, F16 or BF16.
   *
   * @param file the new file; it must not exist
   * @param rows the number of rows
   * @param dim elements per row
   * @param dtype the element type
   * @param lazyInit the initial values of lazy rows, or null for a table of zeros
   * @return the store, open (close it to seal the file)
   * @throws IllegalArgumentException if the shape is invalid or {@code dtype} is quantized
   * @throws FileAlreadyExistsException if the file exists
   * @throws IOException if the file system has too little free space, or the file cannot be written
   */
  public static MappedRowStore create(Path file, long rows, int dim, DType dtype, RowInit lazyInit)
      throws IOException {
    StoreChecks.checkShape(rows, dim);
    StoreChecks.checkTrainable(dtype);
    requireLittleEndian();
    Objects.requireNonNull(file, "file");
    if (Files.exists(file)) {
      throw new FileAlreadyExistsException(
          file.toString(), null, "a mapped table is created in a new file; open the existing one or delete it");
    }
    Path bitmapFile = lazyInit == null ? null : bitmapFileOf(file);
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("format", "emb4j-table");
    header.put("dtype", dtype.label());
    header.put("byte_order", "little");
    header.put("rows", rows);
    header.put("dim", (long) dim);
    header.put("data_offset", 0L);
    header.put("vocabulary", "none");
    header.put("checksum", "crc32c");
    header.put("state", DIRTY);
    if (lazyInit != null) {
      Map<String, Object> lazy = lazyInit.toJson();
      lazy.put("initialized", bitmapFile.getFileName().toString());
      header.put("lazy_init", lazy);
    }
    header.put("metadata", new LinkedHashMap<>());
    byte[] padded =
        Container.header(
            offset -> {
              header.put("data_offset", offset);
              return Json.write(header);
            });
    long size =
        Math.addExact(Container.PREAMBLE_BYTES + (long) padded.length, rowBytes(rows, dim, dtype))
            + Container.CHECKSUM_BYTES;
    long bitmapBytes = lazyInit == null ? 0 : LazyRowStore.bitmapBytes(rows);
    requireFreeSpace(file, rows, dim, dtype, size + bitmapBytes);
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      FileLock lock = lockOrThrow(file, channel);
      ByteBuffer pre = ByteBuffer.allocate(Container.PREAMBLE_BYTES + padded.length).order(ByteOrder.LITTLE_ENDIAN);
      pre.put(MAGIC).putInt(dtype == DType.F32 ? VERSION : VERSION_DTYPES).putInt(padded.length).put(padded).flip();
      writeFully(channel, pre, 0);
      extend(channel, size); // sparse: the rows are not written
      if (bitmapFile != null) {
        try (FileChannel bc =
            FileChannel.open(
                bitmapFile,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
          extend(bc, Math.max(bitmapBytes, Long.BYTES));
        }
      }
      return new MappedRowStore(file, header, padded.length, rows, dim, dtype, lazyInit, channel, lock, bitmapFile);
    } catch (IOException | RuntimeException e) {
      channel.close();
      Files.deleteIfExists(file);
      if (bitmapFile != null) {
        Files.deleteIfExists(bitmapFile);
      }
      throw e;
    }
  }

  /**
   * Maps an existing table file, whatever its shape; see {@link #open(Path, long, int)}.
   *
   * @param file the file
   * @return the store, open
   * @throws MappedTableException if the file is not a table that can be mapped (the message says why)
   * @throws IOException if the file cannot be read, or is open elsewhere
   */
  public static MappedRowStore open(Path file) throws IOException {
    return open(file, -1, -1);
  }

  /**
   * Maps an existing table file in constant time: checks its structure, shape, element type and length, not its
   * rows.
   *
   * @param file the file
   * @param rows the rows it must have, or -1 for any
   * @param dim the floats per row it must have, or -1 for any
   * @return the store, open
   * @throws MappedTableException if the file is not an emb4j table, is truncated, holds another shape or element type,
   *     or its bitmap of initialised rows is missing or of the wrong size
   * @throws IOException if the file cannot be read, or is open elsewhere
   */
  public static MappedRowStore open(Path file, long rows, int dim) throws IOException {
    requireLittleEndian();
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      FileLock lock = lockOrThrow(file, channel);
      Opened o = readHeader(file, channel);
      if ((rows >= 0 && o.rows != rows) || (dim >= 0 && o.dim != dim)) {
        throw new MappedTableException(
            file, "holds a " + o.rows + " x " + o.dim + " table, not the " + rows + " x " + dim + " asked for");
      }
      Path bitmapFile = null;
      if (o.lazyInit != null) {
        bitmapFile = file.resolveSibling(o.bitmapName);
        long need = Math.max(LazyRowStore.bitmapBytes(o.rows), Long.BYTES);
        if (!Files.exists(bitmapFile)) {
          throw new MappedTableException(file, "its bitmap of initialised rows " + bitmapFile + " is missing");
        }
        if (Files.size(bitmapFile) != need) {
          throw new MappedTableException(
              file, "its bitmap of initialised rows " + bitmapFile + " has " + Files.size(bitmapFile) + " bytes, not "
                  + need);
        }
      }
      return new MappedRowStore(
          file, o.header, o.headerBytes, o.rows, o.dim, o.dtype, o.lazyInit, channel, lock, bitmapFile);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** What the header of an existing file says. */
  private record Opened(
      Map<String, Object> header, int headerBytes, long rows, int dim, DType dtype, RowInit lazyInit,
      String bitmapName) {}

  private static Opened readHeader(Path file, FileChannel channel) throws IOException {
    long size = channel.size();
    ByteBuffer pre = ByteBuffer.allocate(Container.PREAMBLE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    channel.read(pre, 0);
    byte[] magic = new byte[8];
    pre.get(0, magic, 0, Math.min(8, pre.position()));
    if (pre.position() < 8 || !java.util.Arrays.equals(magic, MAGIC)) {
      throw new MappedTableException(file, "not an emb4j table (it does not start with the magic EMB4JTBL)");
    }
    if (pre.position() < Container.PREAMBLE_BYTES) {
      throw truncated(file, size, Container.PREAMBLE_BYTES, "the preamble");
    }
    int version = pre.getInt(8);
    if (version != VERSION && version != VERSION_DTYPES) {
      throw new MappedTableException(
          file,
          "emb4j table format version " + version + " is not supported (only " + VERSION + " and " + VERSION_DTYPES
              + ")");
    }
    int h = pre.getInt(12);
    if (h < 2 || h > MAX_HEADER) {
      throw new MappedTableException(file, "header length " + h + " is not in 2.." + MAX_HEADER);
    }
    if (size < Container.PREAMBLE_BYTES + (long) h) {
      throw truncated(file, size, Container.PREAMBLE_BYTES + (long) h, "the header");
    }
    ByteBuffer hb = ByteBuffer.allocate(h);
    while (hb.hasRemaining() && channel.read(hb, Container.PREAMBLE_BYTES + hb.position()) >= 0) {
      // read the whole header
    }
    Map<String, Object> header = new LinkedHashMap<>();
    try {
      if (!(Json.parse(ContainerReader.utf8(hb.array(), 0, h)) instanceof Map<?, ?> m)) {
        throw new MappedTableException(file, "the header is not a JSON object");
      }
      m.forEach((k, v) -> header.put((String) k, v));
    } catch (Json.JsonException | java.nio.charset.CharacterCodingException e) {
      throw new MappedTableException(file, "the header is not valid JSON in UTF-8: " + e.getMessage());
    }
    requireMember(file, header, "format", "emb4j-table");
    DType dtype = mappableDtype(file, header.get("dtype"), version);
    requireMember(file, header, "byte_order", "little");
    if (!"none".equals(header.get("vocabulary"))) {
      throw new MappedTableException(
          file, "has a vocabulary (\"vocabulary\": " + header.get("vocabulary") + "); a mapped table holds rows only");
    }
    Object state = header.get("state");
    if (state != null && !DIRTY.equals(state) && !CLEAN.equals(state)) {
      throw new MappedTableException(file, "header state is " + state + ", expected \"clean\" or \"dirty\"");
    }
    long rows = integer(file, header, "rows");
    long dim = integer(file, header, "dim");
    header.put("rows", rows); // integers as they were written (the parser gives doubles), for the header's rewrites
    header.put("dim", dim);
    if (dim <= 0 || dim > Integer.MAX_VALUE - 8) {
      throw new MappedTableException(file, "header dim " + dim + " is not in 1.." + (Integer.MAX_VALUE - 8));
    }
    long dataOffset = integer(file, header, "data_offset");
    header.put("data_offset", dataOffset);
    if (dataOffset != Container.PREAMBLE_BYTES + (long) h || dataOffset % Container.ALIGNMENT != 0) {
      throw new MappedTableException(
          file,
          "header data_offset " + dataOffset + " must be 16 + header length (" + (16L + h) + ") and a multiple of "
              + Container.ALIGNMENT);
    }
    long expected;
    try {
      expected = Math.addExact(dataOffset, rowBytes(rows, (int) dim, dtype)) + Container.CHECKSUM_BYTES;
    } catch (ArithmeticException e) {
      throw new MappedTableException(file, "a " + rows + " x " + dim + " table is too large for a file");
    }
    if (size < expected) {
      throw truncated(file, size, expected, "the " + rows + " x " + dim + " rows and the checksum");
    }
    if (size > expected) {
      throw new MappedTableException(
          file, "has " + size + " bytes, " + (size - expected) + " more than a " + rows + " x " + dim + " table");
    }
    RowInit lazyInit = null;
    String bitmapName = null;
    if (header.get("lazy_init") instanceof Map<?, ?> lazy) {
      try {
        lazyInit = RowInit.fromJson(lazy);
        bitmapName = (String) Objects.requireNonNull(lazy.get("initialized"));
      } catch (RuntimeException e) {
        throw new MappedTableException(
            file, "header lazy_init " + Json.write(lazy) + " is not valid: " + e.getMessage());
      }
      if (bitmapName.contains("/") || bitmapName.contains("\\") || bitmapName.startsWith(".")) {
        throw new MappedTableException(
            file, "header lazy_init names the bitmap '" + bitmapName + "', not a file beside it");
      }
    } else if (header.containsKey("lazy_init")) {
      throw new MappedTableException(file, "header lazy_init is " + header.get("lazy_init") + ", expected an object");
    }
    return new Opened(header, h, rows, (int) dim, dtype, lazyInit, bitmapName);
  }

  /** The element type a header names, if a mapped table may hold it: f32 in version 1, f16 or bf16 in version 2. */
  private static DType mappableDtype(Path file, Object label, int version) throws MappedTableException {
    DType dtype = null;
    for (DType t : DType.values()) {
      if (t.label().equals(label)) {
        dtype = t;
      }
    }
    if (dtype == null || (dtype == DType.F32) != (version == VERSION)) {
      throw new MappedTableException(
          file, "header dtype is " + label + ", not one of format version " + version + "'s");
    }
    if (dtype.quantized()) {
      throw new MappedTableException(
          file,
          "holds " + dtype.label() + " rows, quantized for inference; mapped tables hold f32, f16 or bf16 rows (read"
              + " it with the vector readers)");
    }
    return dtype;
  }

  private static void requireMember(Path file, Map<String, Object> header, String key, String expected)
      throws MappedTableException {
    if (!expected.equals(header.get(key))) {
      throw new MappedTableException(
          file, "header " + key + " is " + header.get(key) + ", expected \"" + expected + "\"");
    }
  }

  private static long integer(Path file, Map<String, Object> header, String key) throws MappedTableException {
    if (!(header.get(key) instanceof Double d) || d < 0 || d != Math.rint(d) || d > (1L << 53)) {
      throw new MappedTableException(
          file, "header " + key + " is " + header.get(key) + ", expected a non-negative integer");
    }
    return d.longValue();
  }

  private static MappedTableException truncated(Path file, long size, long need, String what) {
    return new MappedTableException(
        file, "is truncated: it has " + size + " bytes, " + what + " need " + need + " (was the file cut short?)");
  }

  /** The bytes of {@code rows} packed rows of {@code dim} elements of {@code dtype}. */
  static long rowBytes(long rows, int dim, DType dtype) {
    return Math.multiplyExact(rows, (long) dim * dtype.bytes());
  }

  /** The bitmap file of a lazy table: its name plus {@value #INITIALIZED_SUFFIX}. */
  static Path bitmapFileOf(Path file) {
    return file.resolveSibling(file.getFileName() + INITIALIZED_SUFFIX);
  }

  private static void requireLittleEndian() {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new UnsupportedOperationException(
          "mapped tables hold little-endian rows and are used in place: this machine is big-endian");
    }
  }

  private static void requireFreeSpace(Path file, long rows, int dim, DType dtype, long bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    long free = Files.getFileStore(dir).getUsableSpace();
    if (bytes > free) {
      throw new IOException(
          file + ": a " + rows + " x " + dim + " " + dtype.label() + " table needs " + bytes + " bytes ("
              + gigabytes(bytes)
              + " GB) but the file system of " + dir + " has " + free + " bytes (" + gigabytes(free)
              + " GB) free; nothing was written");
    }
  }

  private static String gigabytes(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.2f", bytes / 1e9);
  }

  private static FileLock lockOrThrow(Path file, FileChannel channel) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      throw new IOException(file + ": the table is already open in this JVM; close it first", e);
    }
    if (lock == null) {
      throw new IOException(file + ": the table is open in another process (the file is locked)");
    }
    return lock;
  }

  private static void extend(FileChannel channel, long size) throws IOException {
    writeFully(channel, ByteBuffer.allocate(1), size - 1);
  }

  private static void writeFully(FileChannel channel, ByteBuffer b, long at) throws IOException {
    long pos = at;
    while (b.hasRemaining()) {
      pos += channel.write(b, pos);
    }
  }

  /** Writes the header with the given state into the file (same length: "dirty" and "clean" have 5 letters). */
  private void writeHeader(String state) throws IOException {
    header.put("state", state);
    byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
    if (json.length > headerBytes) {
      throw new MappedTableException(
          file, "its header has no room for the mapped state (" + json.length + " bytes needed, " + headerBytes
              + " there): it was not written as a mapped table; copy its rows into one made by MappedRowStore.create");
    }
    byte[] padded = java.util.Arrays.copyOf(json, headerBytes);
    java.util.Arrays.fill(padded, json.length, headerBytes, (byte) ' ');
    writeFully(channel, ByteBuffer.wrap(padded), Container.PREAMBLE_BYTES);
    channel.force(false);
  }

  /** Fails if the file was replaced, resized or had its header rewritten since it was mapped. */
  private void checkUnchanged() throws IOException {
    BasicFileAttributes now;
    try {
      now = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new MappedTableException(file, "was deleted or renamed while mapped");
    }
    if (!Objects.equals(now.fileKey(), fileKey)) {
      throw new MappedTableException(file, "was replaced by another file while mapped");
    }
    if (now.size() != fileSize || channel.size() != fileSize) {
      throw new MappedTableException(
          file, "changed underneath: it has " + channel.size() + " bytes now, " + fileSize + " when it was mapped");
    }
    byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
    byte[] in = mapping.asSlice(Container.PREAMBLE_BYTES, json.length).toArray(ValueLayout.JAVA_BYTE);
    byte[] magic = mapping.asSlice(0, MAGIC.length).toArray(ValueLayout.JAVA_BYTE);
    if (!java.util.Arrays.equals(json, in) || !java.util.Arrays.equals(magic, MAGIC)) {
      throw new MappedTableException(file, "changed underneath: its header was rewritten while mapped");
    }
  }

  /**
   * The file.
   *
   * @return the path as given
   */
  public Path file() {
    return file;
  }

  /**
   * The initial values of lazy rows, recorded in the header, or null for a table without lazy rows.
   *
   * @return the initializer, or null
   */
  public RowInit lazyInit() {
    return lazyInit;
  }

  /** The mapped bitmap of initialised rows (lazy tables), or null. */
  MemorySegment initializedBitmap() {
    return bitmap;
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public float get(long row, int col) {
    return view.get(row, col);
  }

  @Override
  public void set(long row, int col, float value) {
    view.set(row, col, value);
  }

  @Override
  public void readRow(long row, float[] dst, int dstOffset) {
    view.readRow(row, dst, dstOffset);
  }

  @Override
  public void writeRow(long row, float[] src, int srcOffset) {
    view.writeRow(row, src, srcOffset);
  }

  @Override
  public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
    view.accumulateRow(row, scale, dst, dstOffset);
  }

  @Override
  public void addToRow(long row, float scale, float[] src, int srcOffset) {
    view.addToRow(row, scale, src, srcOffset);
  }

  @Override
  public void scaleRow(long row, float factor) {
    view.scaleRow(row, factor);
  }

  /** The mapped rows as one chunk of packed rows; for emb4j's kernels, not API. */
  @Override
  public RowMemory rowMemory() {
    return view.rowMemory();
  }

  /** The size of the file's rows (held by the page cache, not by this process's own memory). */
  @Override
  public long sizeInBytes() {
    return view.sizeInBytes();
  }

  /**
   * Forces the rows (and the bitmap of a lazy table, and the state of an optimizer kept beside it) to disk. The file
   * stays dirty until {@link #close()}.
   *
   * @throws UncheckedIOException if the file changed underneath the store (a {@link MappedTableException}) or cannot
   *     be written
   */
  @Override
  public void flush() {
    requireOpen();
    try {
      checkUnchanged();
      mapping.force();
      if (bitmap != null) {
        bitmap.force();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
    for (RowStore s : siblings) {
      s.flush();
    }
  }

  /**
   * A new mapped table of zeros in {@code file + "." + role}, closed with this one. A file of that name left by an
   * earlier run is replaced: optimizer state starts anew with the optimizer (restore a checkpoint to resume it).
   *
   * @throws UncheckedIOException if the file cannot be created (too little free space included)
   */
  @Override
  public RowStore allocateSibling(String role, long rows, int dim) {
    requireOpen();
    if (!role.matches("[a-z0-9][a-z0-9_-]*")) {
      throw new IllegalArgumentException(
          "a sibling role is lower-case letters, digits, '_' and '-', got '" + role + "'");
    }
    Path sibling = file.resolveSibling(file.getFileName() + "." + role);
    try {
      Files.deleteIfExists(sibling);
      MappedRowStore s = create(sibling, rows, dim, null);
      siblings.add(s);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException(file + ": the mapped table is closed");
    }
  }

  /**
   * Seals the file: forces the rows to disk, marks the header clean, computes and writes the checksum (one read of the
   * whole file), unmaps it and releases the lock; closes the state stores beside it. Idempotent.
   *
   * <p>The read costs the file's size at the disk's read speed where its pages are not cached (tens of seconds for a
   * 10<sup>8</sup> x 64 table). It cannot be made incremental without weakening the check: the kernels write into the
   * mapping directly, so nothing records which pages changed since the file was last sealed, and a checksum kept up to
   * date from such a record would trust it. A training run whose state is kept by checkpoints ({@code
   * DeltaCheckpointer}) does not need the seal to be safe: it keeps the table open and pays the read once, at its end.
   *
   * @throws UncheckedIOException if the file changed underneath (it is then unmapped and left as it is) or cannot be
   *     written
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    IOException failure = null;
    try {
      checkUnchanged();
      mapping.force();
      if (bitmap != null) {
        bitmap.force();
      }
      writeHeader(CLEAN);
      long end = fileSize - Container.CHECKSUM_BYTES;
      int crc;
      try (ContainerReader reader = ContainerReader.open(file)) {
        crc = reader.computeChecksum(end);
      }
      writeFully(channel, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, crc), end);
      channel.force(true);
    } catch (IOException e) {
      failure = e;
    } finally {
      arena.close();
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        failure = failure != null ? failure : e;
      }
    }
    for (RowStore s : siblings) {
      try {
        s.close();
      } catch (UncheckedIOException e) {
        failure = failure != null ? failure : e.getCause();
      }
    }
    if (failure != null) {
      throw new UncheckedIOException(failure.getMessage(), failure);
    }
  }

  @Override
  public String toString() {
    return "MappedRowStore(" + file + ", " + rows + " x " + dim + (lazyInit != null ? ", lazy)" : ")");
  }
}
