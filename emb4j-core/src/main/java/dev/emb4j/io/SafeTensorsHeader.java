package dev.emb4j.io;

import dev.emb4j.store.DType;
import dev.emb4j.internal.format.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a safetensors file: its tensors (name, dtype, shape, byte range) and its {@code __metadata__}.
 *
 * <pre>
 * offset   size  field
 * 0        8     N: header length, uint64 little-endian
 * 8        N     JSON object (UTF-8), possibly padded with spaces:
 *                {"__metadata__": {"k": "v", ...},
 *                 "name": {"dtype": "F32", "shape": [rows, dim], "data_offsets": [begin, end]}, ...}
 * 8 + N    ...   the data buffer; a tensor's bytes are [begin, end) of it, little-endian, row-major
 * </pre>
 *
 * <p>Checked as the reference implementation checks it: the header fits the file and is at most 100,000,000 bytes,
 * every dtype is known, {@code end - begin} equals the number of elements times the element size, and the tensors
 * cover the data buffer exactly, back to back, with nothing after the last one.
 *
 * @param file the file
 * @param headerLength N
 * @param tensors the tensors, in header order (unmodifiable)
 * @param metadata the {@code __metadata__} pairs (unmodifiable; empty when absent)
 */
public record SafeTensorsHeader(Path file, long headerLength, List<Tensor> tensors, Map<String, String> metadata) {

  /** The largest header the reference implementation accepts. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** Copies the lists. */
  public SafeTensorsHeader {
    tensors = List.copyOf(tensors);
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /**
   * One tensor of the file.
   *
   * @param name its name
   * @param dtype its safetensors dtype name, e.g. {@code "F32"}, {@code "BF16"}, {@code "I64"}
   * @param shape its shape (empty for a scalar)
   * @param begin the offset of its first byte in the data buffer
   * @param end the offset after its last byte
   */
  public record Tensor(String name, String dtype, List<Long> shape, long begin, long end) {
    /** Copies the shape. */
    public Tensor {
      shape = List.copyOf(shape);
    }

    /**
     * The element type, for the three float types emb4j reads.
     *
     * @return the dtype, or null for any other one
     */
    public DType floatType() {
      return switch (dtype) {
        case "F32" -> DType.F32;
        case "F16" -> DType.F16;
        case "BF16" -> DType.BF16;
        default -> null;
      };
    }
  }

  /** The file offset of the data buffer. */
  long dataStart() {
    return 8 + headerLength;
  }

  /**
   * Reads and checks the header of {@code file}.
   *
   * @param file a safetensors file
   * @return its header
   * @throws VectorFormatException if the header is malformed (the message names the byte offset)
   * @throws IOException if the file cannot be read
   */
  public static SafeTensorsHeader read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw VectorFormatException.atOffset(file, 0, "file is truncated: the 8-byte header length needs 8 bytes, the file has " + size);
      }
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, b, 0);
      long n = b.getLong(0);
      if (n < 0 || n > MAX_HEADER_BYTES) {
        throw VectorFormatException.atOffset(
            file, 0, "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
      }
      if (n > size - 8) {
        throw VectorFormatException.atOffset(
            file, 8, "file is truncated: the header needs " + n + " bytes from offset 8, the file ends at " + size);
      }
      ByteBuffer hb = ByteBuffer.allocate((int) n);
      readFully(ch, hb, 8);
      byte[] bytes = hb.array();
      String text = BaseVectorReader.decodeUtf8OrThrow(file, bytes, 0, bytes.length, 8, "the JSON header");
      return parse(file, text, n, size);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position()) < 0) {
        throw new java.io.EOFException("unexpected end of file");
      }
    }
  }

  private static SafeTensorsHeader parse(Path file, String text, long n, long size) throws VectorFormatException {
    Object root;
    try {
      root = Json.parse(text);
    } catch (Json.JsonException e) {
      throw VectorFormatException.atOffset(file, 8 + Math.max(0, e.offset()), "header is not valid JSON: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw VectorFormatException.atOffset(file, 8, "header is not a JSON object");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Tensor> tensors = new ArrayList<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = (String) e.getKey();
      if (name.equals("__metadata__")) {
        if (!(e.getValue() instanceof Map<?, ?> m)) {
          throw VectorFormatException.atOffset(file, 8, "__metadata__ is not a JSON object");
        }
        for (Map.Entry<?, ?> me : m.entrySet()) {
          if (!(me.getValue() instanceof String v)) {
            throw VectorFormatException.atOffset(file, 8, "__metadata__ value of '" + me.getKey() + "' is not a string");
          }
          metadata.put((String) me.getKey(), v);
        }
        continue;
      }
      tensors.add(tensor(file, name, e.getValue()));
    }
    long dataLength = size - 8 - n;
    List<Tensor> sorted = new ArrayList<>(tensors);
    sorted.sort(Comparator.comparingLong(Tensor::begin).thenComparingLong(Tensor::end));
    long expect = 0;
    for (Tensor t : sorted) {
      if (t.begin() != expect) {
        throw VectorFormatException.atOffset(
            file,
            8,
            "tensor '" + t.name() + "' starts at data offset " + t.begin() + ", expected " + expect
                + " (tensors must cover the data buffer back to back)");
      }
      expect = t.end();
    }
    if (expect > dataLength) {
      throw VectorFormatException.atOffset(
          file, 8 + n, "file is truncated: the tensors need " + expect + " bytes of data from offset " + (8 + n) + ", the file ends at " + size);
    }
    if (expect < dataLength) {
      throw VectorFormatException.atOffset(
          file, 8 + n + expect, (dataLength - expect) + " unexpected bytes after the last tensor's data");
    }
    return new SafeTensorsHeader(file, n, tensors, metadata);
  }

  private static Tensor tensor(Path file, String name, Object value) throws VectorFormatException {
    if (!(value instanceof Map<?, ?> t)) {
      throw VectorFormatException.atOffset(file, 8, "tensor '" + name + "' is not a JSON object");
    }
    if (!(t.get("dtype") instanceof String dtype)) {
      throw VectorFormatException.atOffset(file, 8, "tensor '" + name + "' has no string 'dtype'");
    }
    int width = elementBytes(dtype);
    if (width < 0) {
      throw VectorFormatException.atOffset(file, 8, "tensor '" + name + "' has unknown dtype '" + dtype + "'");
    }
    List<Long> shape = integers(file, name, "shape", t.get("shape"), -1);
    List<Long> offsets = integers(file, name, "data_offsets", t.get("data_offsets"), 2);
    long begin = offsets.get(0);
    long end = offsets.get(1);
    if (end < begin) {
      throw VectorFormatException.atOffset(file, 8, "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "] with end < begin");
    }
    long numel = 1;
    try {
      for (long d : shape) {
        numel = Math.multiplyExact(numel, d);
      }
      numel = Math.multiplyExact(numel, width);
    } catch (ArithmeticException e) {
      throw VectorFormatException.atOffset(file, 8, "tensor '" + name + "' has shape " + shape + " too large to address");
    }
    if (numel != end - begin) {
      throw VectorFormatException.atOffset(
          file,
          8,
          "tensor '" + name + "' of shape " + shape + " and dtype " + dtype + " needs " + numel + " bytes, but data_offsets ["
              + begin + ", " + end + "] span " + (end - begin));
    }
    return new Tensor(name, dtype, shape, begin, end);
  }

  private static List<Long> integers(Path file, String name, String key, Object value, int length) throws VectorFormatException {
    if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
      throw VectorFormatException.atOffset(
          file, 8, "tensor '" + name + "' needs '" + key + "' as an array of " + (length >= 0 ? length + " " : "") + "integers, got " + value);
    }
    List<Long> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Double d) || d < 0 || d != Math.rint(d) || d > (1L << 53)) {
        throw VectorFormatException.atOffset(file, 8, "tensor '" + name + "' has '" + key + "' " + list + " with a value that is not a non-negative integer");
      }
      out.add(d.longValue());
    }
    return out;
  }

  /** Bytes per element of a safetensors dtype, or -1 if unknown. */
  static int elementBytes(String dtype) {
    return switch (dtype) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
      default -> -1;
    };
  }
}
