package dev.emb4j.io;

import dev.emb4j.internal.format.Container;
import dev.emb4j.internal.format.ContainerReader;
import dev.emb4j.internal.format.Json;
import dev.emb4j.internal.store.QuantizedRows;
import dev.emb4j.store.DType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * emb4j's own table format, in the emb4j {@link Container}: a small self-describing header, then the rows starting
 * on a 64-byte boundary (so that the rows can be memory-mapped and used in place), then the tokens, then a checksum.
 *
 * <pre>
 * offset      size   field
 * 0           8      magic: the ASCII bytes "EMB4JTBL"
 * 8           4      format version: int32 little-endian: 1 for float32 rows, 2 for the other dtypes
 * 12          4      H: header length in bytes, int32 little-endian
 * 16          H      header: a JSON object in UTF-8, padded with spaces so that the rows start at a multiple of 64
 * 16 + H      R*RB   the rows: row 0, row 1, ..., each RB bytes, no padding; RB = DType.rowBytes(D):
 *                    "f32" D float32, "f16" D float16, "bf16" D bfloat16, all little-endian;
 *                    "int8" D uint8 then scale and bias as float32; "int4" ceil(D/2) bytes (two 4-bit values per
 *                    byte, the first in the low bits) then scale and bias as float16: PyTorch's prepacked rows
 * T           ...    when "vocabulary" is "inline": R tokens, each an int32 little-endian byte length then that
 *                    many bytes of UTF-8; nothing when it is "none"
 * E           4      CRC32C (java.util.zip.CRC32C) of bytes [0, E), unsigned int32 little-endian
 * </pre>
 *
 * <p>The header (readers ignore members they do not know):
 *
 * <pre>{@code
 * {"format": "emb4j-table", "dtype": "f32", "byte_order": "little", "rows": 3, "dim": 4,
 *  "data_offset": 128, "vocabulary": "inline", "checksum": "crc32c", "metadata": {"source": "glove.6B.50d"}}
 * }</pre>
 *
 * <p>Version 2 added the {@code "dtype"} values other than {@code "f32"}; a float32 table is still written as version 1,
 * so that its bytes do not change, and both versions are read. A reader checks the whole file (structure, sizes, then
 * the checksum) before it returns the first row; rows of every dtype are returned decoded to float32 ({@link
 * Reader#readEncoded} gives a quantized row's bytes as they are).
 *
 * <p>A file written by {@code MappedRowStore} has a member {@code "state"}: {@code "clean"} files read as any other,
 * {@code "dirty"} ones (mapped now, or not closed) and those with {@code "lazy_init"} (lazy rows) are refused with a
 * message that says so.
 */
final class Emb4jTableCodec {
  private static final byte[] MAGIC = Container.magic("EMB4JTBL");
  /** The version of float32 tables, the only dtype of version 1. */
  static final int VERSION = 1;
  /** The version of tables of the other dtypes. */
  static final int VERSION_DTYPES = 2;
  private static final int ALIGNMENT = Container.ALIGNMENT;
  private static final int MAX_HEADER = 1 << 24;
  private static final int MAX_TOKEN_BYTES = 1 << 20;

  private Emb4jTableCodec() {}

  static VectorReader open(Path file, VectorReadOptions options) throws IOException {
    ByteInput in = new ByteInput(file, options.progress());
    try {
      return new Reader(in);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  static VectorWriter create(Path file, long rows, int dim, boolean withTokens, VectorWriteOptions options)
      throws IOException {
    return new Writer(file, rows, dim, withTokens, options.dtype(), options.metadata());
  }

  /** The dtype of a header's {@code "dtype"} value, or null if it names none. */
  private static DType dtypeOf(Object label) {
    for (DType t : DType.values()) {
      if (t.label().equals(label)) {
        return t;
      }
    }
    return null;
  }

  /** A quantized row of {@code dim} values in a buffer of its own, to encode or decode one row at a time. */
  private static QuantizedRows oneRow(DType type, byte[] buffer, int dim) {
    return new QuantizedRows(MemorySegment.ofArray(buffer), 1, dim, type.bits());
  }

  static final class Reader extends BaseVectorReader {
    private List<String> tokens;
    private DType dtype;
    private byte[] encoded;
    private QuantizedRows quantized;

    Reader(ByteInput in) throws IOException {
      super(in);
      try (ContainerReader container = ContainerReader.open(in.file)) {
        readStructure(container);
      }
    }

    /** Checks the preamble, the header, the sizes and the checksum, then reads the tokens. */
    private void readStructure(ContainerReader container) throws IOException {
      ContainerReader.Preamble pre = container.preamble();
      int got = pre.bytes().length;
      if (!pre.agreesWith(MAGIC)) {
        throw VectorFormatException.atOffset(in.file, 0, "not an emb4j table: the magic is not EMB4JTBL");
      }
      if (got < 8) {
        throw in.truncated(0, 8, "the magic");
      }
      if (got < 12) {
        throw in.truncated(8, 4, "the format version");
      }
      int version = pre.version();
      if (version != VERSION && version != VERSION_DTYPES) {
        throw VectorFormatException.atOffset(
            in.file, 8, "emb4j table format version " + version + " is not supported (only " + VERSION + " and " + VERSION_DTYPES + ")");
      }
      if (!pre.complete()) {
        throw in.truncated(12, 4, "the header length");
      }
      int h = pre.headerLength();
      if (h < 2 || h > MAX_HEADER) {
        throw VectorFormatException.atOffset(in.file, 12, "header length " + h + " is not in 2.." + MAX_HEADER);
      }
      byte[] hb = container.read(Container.PREAMBLE_BYTES, h);
      if (hb.length < h) {
        throw in.truncated(16, h, "the header");
      }
      String text = decodeUtf8OrThrow(in.file, hb, 0, h, 16, "the header");
      Map<?, ?> header;
      try {
        if (!(Json.parse(text) instanceof Map<?, ?> m)) {
          throw VectorFormatException.atOffset(in.file, 16, "header is not a JSON object");
        }
        header = m;
      } catch (Json.JsonException e) {
        throw VectorFormatException.atOffset(in.file, 16 + Math.max(0, e.offset()), "header is not valid JSON: " + e.getMessage());
      }
      requireString(header, "format", "emb4j-table");
      if (version == VERSION) {
        requireString(header, "dtype", "f32");
      }
      dtype = dtypeOf(header.get("dtype"));
      if (dtype == null) {
        throw VectorFormatException.atOffset(
            in.file, 16, "header dtype is " + header.get("dtype") + ", expected one of f32, f16, bf16, int8, int4");
      }
      requireString(header, "byte_order", "little");
      requireString(header, "checksum", "crc32c");
      if ("dirty".equals(header.get("state"))) {
        throw VectorFormatException.atOffset(
            in.file, 16, "a mapped table that is open, or was not closed (header state \"dirty\"): its checksum is"
                + " stale; open it with Storage.mapped and close it to seal it");
      }
      if (header.containsKey("lazy_init")) {
        throw VectorFormatException.atOffset(
            in.file, 16, "a mapped table with lazy rows (header lazy_init): rows never touched are not in the file;"
                + " open it with Storage.mapped");
      }
      long rows = integer(header, "rows");
      long dim = integer(header, "dim");
      long dataOffset = integer(header, "data_offset");
      if (dim <= 0 || dim > Integer.MAX_VALUE - 8) {
        throw VectorFormatException.atOffset(in.file, 16, "header dim " + dim + " is not in 1.." + (Integer.MAX_VALUE - 8));
      }
      if (dataOffset != 16L + h || dataOffset % ALIGNMENT != 0) {
        throw VectorFormatException.atOffset(
            in.file, 16, "header data_offset " + dataOffset + " must be 16 + header length (" + (16L + h) + ") and a multiple of " + ALIGNMENT);
      }
      Object vocab = header.get("vocabulary");
      boolean inline = "inline".equals(vocab);
      if (!inline && !"none".equals(vocab)) {
        throw VectorFormatException.atOffset(in.file, 16, "header vocabulary is " + vocab + ", expected \"inline\" or \"none\"");
      }
      Map<String, String> metadata = new LinkedHashMap<>();
      if (header.get("metadata") instanceof Map<?, ?> m) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!(e.getValue() instanceof String v)) {
            throw VectorFormatException.atOffset(in.file, 16, "metadata value of '" + e.getKey() + "' is not a string");
          }
          metadata.put((String) e.getKey(), v);
        }
      }
      long end = in.size - 4;
      long dataBytes;
      try {
        dataBytes = Math.multiplyExact(rows, dtype.rowBytes((int) dim));
      } catch (ArithmeticException e) {
        dataBytes = Long.MAX_VALUE;
      }
      if (dataBytes > end - dataOffset) {
        throw in.truncated(
            dataOffset,
            dataBytes + 4,
            "the " + rows + " x " + dim + (dtype == DType.F32 ? "" : " " + dtype.label()) + " rows and the checksum");
      }
      verifyChecksum(container, end);
      long tokensAt = dataOffset + dataBytes;
      in.seek(tokensAt);
      if (inline) {
        tokens = new ArrayList<>();
        byte[] tb = new byte[256];
        for (long r = 0; r < rows; r++) {
          long at = in.position();
          if (at + 4 > end) {
            throw VectorFormatException.atOffset(in.file, at, "token section ends after " + r + " of " + rows + " tokens");
          }
          int len = in.readIntLE("the length of token " + r);
          if (len <= 0 || len > MAX_TOKEN_BYTES || at + 4 + len > end) {
            throw VectorFormatException.atOffset(
                in.file, at, "token " + r + " has length " + len + ", not in 1.." + Math.min(MAX_TOKEN_BYTES, end - at - 4));
          }
          if (tb.length < len) {
            tb = new byte[len];
          }
          in.readFully(tb, 0, len, "token " + r);
          tokens.add(decodeUtf8OrThrow(in.file, tb, 0, len, at + 4, "token " + r));
        }
      } else {
        tokens = null;
      }
      if (in.position() != end) {
        throw VectorFormatException.atOffset(in.file, in.position(), (end - in.position()) + " unexpected bytes before the checksum");
      }
      in.seek(dataOffset);
      this.info = new VectorInfo(in.file, VectorFormat.EMB4J, rows, (int) dim, dtype, inline, metadata);
      if (dtype.quantized()) {
        encoded = new byte[(int) dtype.rowBytes((int) dim)];
        quantized = oneRow(dtype, encoded, (int) dim);
      }
      in.reportProgress(0, true);
    }

    private void verifyChecksum(ContainerReader container, long end) throws IOException {
      int computed = container.computeChecksum(end);
      int stored = container.storedChecksum(end);
      if (stored != computed) {
        throw VectorFormatException.atOffset(
            in.file,
            end,
            "checksum mismatch: the file says " + Integer.toUnsignedString(stored, 16) + ", the contents give "
                + Integer.toUnsignedString(computed, 16) + " (the file is corrupted)");
      }
    }

    private void requireString(Map<?, ?> header, String key, String expected) throws VectorFormatException {
      Object v = header.get(key);
      if (!expected.equals(v)) {
        throw VectorFormatException.atOffset(in.file, 16, "header " + key + " is " + v + ", expected \"" + expected + "\"");
      }
    }

    private long integer(Map<?, ?> header, String key) throws VectorFormatException {
      if (!(header.get(key) instanceof Double d) || d < 0 || d != Math.rint(d) || d > (1L << 53)) {
        throw VectorFormatException.atOffset(in.file, 16, "header " + key + " is " + header.get(key) + ", expected a non-negative integer");
      }
      return d.longValue();
    }

    @Override
    String readRow(float[] row) throws IOException {
      long at;
      if (quantized == null) {
        at = in.readValues(row, info.dim(), dtype, ByteOrder.LITTLE_ENDIAN, "row " + rowsRead);
        checkFinite(row, info.dim(), at, dtype.bytes());
      } else {
        at = in.position();
        in.readFully(encoded, 0, encoded.length, "row " + rowsRead);
        quantized.decodeRow(0, row, 0);
        checkFinite(row, info.dim(), at, 0);
      }
      return token(at);
    }

    /** The token of the row just read, checked for duplicates, or null. */
    private String token(long at) throws VectorFormatException {
      if (tokens == null) {
        return null;
      }
      String t = tokens.get((int) rowsRead);
      checkUnique(t, rowsRead, false, at);
      return t;
    }

    /**
     * Reads the next row of a quantized table as it is stored (PyTorch's prepacked bytes) into {@code dst}, which must
     * hold {@code info().dtype().rowBytes(dim)} bytes; the row is not decoded, so a table read this way keeps its
     * exact bytes.
     *
     * @return the row's token, or null
     */
    String readEncoded(MemorySegment dst) throws IOException {
      if (quantized == null) {
        throw new IllegalStateException(in.file + " holds " + dtype.label() + " rows, which are not quantized");
      }
      return advance(
          () -> {
            long at = in.position();
            in.readFully(encoded, 0, encoded.length, "row " + rowsRead);
            MemorySegment.copy(MemorySegment.ofArray(encoded), 0, dst, 0, encoded.length);
            return token(at);
          });
    }

    @Override
    void finish() {
      // The structure and the checksum were checked when the file was opened.
    }
  }

  private static final class Writer extends BaseVectorWriter {
    private final int[] bits;
    private final List<String> tokens;
    private final byte[] encoded;

    Writer(Path file, long rows, int dim, boolean withTokens, DType dtype, Map<String, String> metadata)
        throws IOException {
      super(file, rows, dim, withTokens, dtype, true);
      this.bits = new int[dim];
      this.tokens = withTokens ? new ArrayList<>() : null;
      this.encoded = dtype.quantized() ? new byte[(int) dtype.rowBytes(dim)] : null;
      Map<String, Object> header = new LinkedHashMap<>();
      header.put("format", "emb4j-table");
      header.put("dtype", dtype.label());
      header.put("byte_order", "little");
      header.put("rows", rows);
      header.put("dim", (long) dim);
      header.put("data_offset", 0L);
      header.put("vocabulary", withTokens ? "inline" : "none");
      header.put("checksum", "crc32c");
      header.put("metadata", new LinkedHashMap<>(metadata));
      // The data offset is written in the header, so its length depends on itself.
      byte[] padded =
          Container.header(
              dataOffset -> {
                header.put("data_offset", dataOffset);
                return Json.write(header);
              });
      if (padded.length > MAX_HEADER) {
        throw VectorFormatException.inFile(file, "header of " + padded.length + " bytes is over the limit of " + MAX_HEADER + " (metadata too large)");
      }
      Container.writePreamble(out, MAGIC, dtype == DType.F32 ? VERSION : VERSION_DTYPES, padded);
    }

    @Override
    void writeRow(String token, float[] row) throws IOException {
      if (encoded == null) {
        encode(row, bits);
        out.writeElements(bits, dim, dtype.bytes(), ByteOrder.LITTLE_ENDIAN);
      } else {
        String problem = QuantizedRows.problem(row, 0, dim, dtype.bits());
        if (problem != null) {
          throw VectorFormatException.inFile(
              file, rowName(token) + " cannot be quantized to " + dtype.label() + ": " + problem);
        }
        QuantizedRows.encodeRow(row, 0, dim, dtype.bits(), MemorySegment.ofArray(encoded), 0);
        out.write(encoded);
      }
      addToken(token);
    }

    @Override
    void writeEncoded(String token, MemorySegment row) throws IOException {
      if (encoded == null || row.byteSize() != encoded.length) {
        throw new IllegalArgumentException(
            "an encoded " + dtype.label() + " row of " + dim + " values has " + dtype.rowBytes(dim) + " bytes, got "
                + row.byteSize());
      }
      MemorySegment.copy(row, 0, MemorySegment.ofArray(encoded), 0, encoded.length);
      out.write(encoded);
      addToken(token);
    }

    private void addToken(String token) throws VectorFormatException {
      if (tokens != null) {
        if (token.length() * 3L > MAX_TOKEN_BYTES && token.getBytes(StandardCharsets.UTF_8).length > MAX_TOKEN_BYTES) {
          throw VectorFormatException.inFile(file, "row " + written + ": token longer than " + MAX_TOKEN_BYTES + " bytes");
        }
        tokens.add(token);
      }
    }

    @Override
    void finish() throws IOException {
      if (tokens != null) {
        for (String t : tokens) {
          byte[] b = t.getBytes(StandardCharsets.UTF_8);
          out.writeIntLE(b.length);
          out.write(b);
        }
      }
      Container.writeChecksum(out);
    }
  }
}
