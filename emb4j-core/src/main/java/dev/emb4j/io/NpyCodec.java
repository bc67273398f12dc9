package dev.emb4j.io;

import dev.emb4j.store.DType;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy's {@code .npy} format (versions 1.0, 2.0 and 3.0), for one 2-D array of float32 or float16 in C order.
 *
 * <pre>
 * offset  size  field
 * 0       6     magic "\x93NUMPY"
 * 6       1     major version (1, 2 or 3)
 * 7       1     minor version (0)
 * 8       2|4   header length HLEN: uint16 (1.0) or uint32 (2.0, 3.0), little-endian
 * 10|12   HLEN  a Python dict literal, e.g. {'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }
 *               padded with spaces and ended by '\n' so that the data starts on a 64-byte boundary
 * ...           rows * dim elements, row-major, in the byte order of descr ('&lt;' little, '&gt;' big)
 * </pre>
 *
 * <p>Readers accept {@code <f4 >f4 <f2 >f2}; writers write version 1.0, little-endian {@code <f4} or {@code <f2}.
 */
final class NpyCodec {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int ALIGNMENT = 64;
  /** The largest header a reader accepts. */
  private static final int MAX_HEADER = 1 << 20;

  private NpyCodec() {}

  static VectorReader open(Path file, VectorReadOptions options) throws IOException {
    ByteInput in = new ByteInput(file, options.progress());
    try {
      return new Reader(in);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  static VectorWriter create(Path file, long rows, int dim, VectorWriteOptions options) throws IOException {
    if (options.dtype() == DType.BF16) {
      throw VectorFormatException.inFile(file, "NumPy .npy has no bfloat16 dtype; write F32 or F16, or use safetensors");
    }
    return new Writer(file, rows, dim, options.dtype());
  }

  private static final class Reader extends BaseVectorReader {
    private ByteOrder order;
    private long dataStart;

    Reader(ByteInput in) throws IOException {
      super(in);
      byte[] pre = new byte[8];
      in.readFully(pre, 0, 8, "the .npy magic and version");
      for (int i = 0; i < MAGIC.length; i++) {
        if (pre[i] != MAGIC[i]) {
          throw VectorFormatException.atOffset(in.file, i, "not a .npy file: the magic is not \\x93NUMPY");
        }
      }
      int major = pre[6] & 0xFF;
      long hlen;
      if (major == 1) {
        byte[] l = new byte[2];
        in.readFully(l, 0, 2, "the header length");
        hlen = (l[0] & 0xFF) | (l[1] & 0xFF) << 8;
      } else if (major == 2 || major == 3) {
        hlen = in.readIntLE("the header length") & 0xFFFFFFFFL;
      } else {
        throw VectorFormatException.atOffset(in.file, 6, ".npy format version " + major + "." + (pre[7] & 0xFF) + " is not supported (1, 2 or 3)");
      }
      long headerStart = in.position();
      if (hlen > MAX_HEADER) {
        throw VectorFormatException.atOffset(in.file, headerStart - 4, "header length " + hlen + " exceeds " + MAX_HEADER + " bytes");
      }
      byte[] h = new byte[(int) hlen];
      in.readFully(h, 0, h.length, "the .npy header");
      String text =
          major == 3
              ? decodeUtf8OrThrow(in.file, h, 0, h.length, headerStart, "the header")
              : new String(h, StandardCharsets.ISO_8859_1);
      Map<String, Object> dict = new PyLiteral(in.file, text, headerStart).dict();
      Object descr = dict.get("descr");
      Object fortran = dict.get("fortran_order");
      Object shape = dict.get("shape");
      if (!(descr instanceof String d) || !(fortran instanceof Boolean f) || !(shape instanceof List<?> s)) {
        throw VectorFormatException.atOffset(
            in.file, headerStart, "header needs 'descr' (a string), 'fortran_order' (a bool) and 'shape' (a tuple), got " + text.strip());
      }
      if (dict.size() != 3) {
        throw VectorFormatException.atOffset(in.file, headerStart, "header has keys " + dict.keySet() + ", expected exactly descr, fortran_order, shape");
      }
      DType type;
      switch (d) {
        case "<f4" -> { type = DType.F32; order = ByteOrder.LITTLE_ENDIAN; }
        case ">f4" -> { type = DType.F32; order = ByteOrder.BIG_ENDIAN; }
        case "<f2" -> { type = DType.F16; order = ByteOrder.LITTLE_ENDIAN; }
        case ">f2" -> { type = DType.F16; order = ByteOrder.BIG_ENDIAN; }
        default -> throw VectorFormatException.atOffset(
            in.file, headerStart, "dtype '" + d + "' is not supported; vectors must be float32 or float16 ('<f4', '>f4', '<f2', '>f2')");
      }
      if (f) {
        throw VectorFormatException.atOffset(in.file, headerStart, "array is in Fortran order; only C order is supported (np.ascontiguousarray)");
      }
      if (s.size() != 2) {
        throw VectorFormatException.atOffset(in.file, headerStart, "shape " + s + " is not a table (rows, dim): it has " + s.size() + " dimensions");
      }
      long rows = (Long) s.get(0);
      long dim = (Long) s.get(1);
      if (dim <= 0 || dim > Integer.MAX_VALUE - 8) {
        throw VectorFormatException.atOffset(in.file, headerStart, "shape " + s + ": dim " + dim + " is not in 1.." + (Integer.MAX_VALUE - 8));
      }
      dataStart = in.position();
      long need;
      try {
        need = Math.multiplyExact(rows, dim * type.bytes());
      } catch (ArithmeticException e) {
        need = Long.MAX_VALUE;
      }
      if (need > in.size - dataStart) {
        throw in.truncated(dataStart, need, "shape " + s + " of '" + d + "'");
      }
      if (need < in.size - dataStart) {
        throw VectorFormatException.atOffset(
            in.file, dataStart + need, (in.size - dataStart - need) + " unexpected bytes after the data of shape " + s);
      }
      this.info = new VectorInfo(in.file, VectorFormat.NPY, rows, (int) dim, type, false, Map.of());
      in.reportProgress(0, true);
    }

    @Override
    String readRow(float[] row) throws IOException {
      long at = in.readValues(row, info.dim(), info.dtype(), order, "row " + rowsRead);
      checkFinite(row, info.dim(), at, info.dtype().bytes());
      return null;
    }

    @Override
    void finish() throws IOException {
      if (!in.atEnd()) {
        throw VectorFormatException.atOffset(in.file, in.position(), "unexpected bytes after the last row");
      }
    }
  }

  /** The subset of Python literals that .npy headers use: a dict of strings to strings, booleans and int tuples. */
  private static final class PyLiteral {
    private final Path file;
    private final String s;
    private final long base;
    private int p;

    PyLiteral(Path file, String s, long base) {
      this.file = file;
      this.s = s;
      this.base = base;
    }

    private VectorFormatException error(String what) {
      return VectorFormatException.atOffset(file, base + p, "malformed .npy header: " + what + " in " + s.strip());
    }

    private void ws() {
      while (p < s.length() && (s.charAt(p) == ' ' || s.charAt(p) == '\n' || s.charAt(p) == '\t')) {
        p++;
      }
    }

    private void expect(char c) throws VectorFormatException {
      ws();
      if (p >= s.length() || s.charAt(p) != c) {
        throw error("expected '" + c + "'");
      }
      p++;
    }

    Map<String, Object> dict() throws VectorFormatException {
      Map<String, Object> out = new LinkedHashMap<>();
      expect('{');
      while (true) {
        ws();
        if (p < s.length() && s.charAt(p) == '}') {
          p++;
          break;
        }
        String key = string();
        expect(':');
        Object v = value();
        if (out.put(key, v) != null) {
          throw error("duplicate key '" + key + "'");
        }
        ws();
        if (p < s.length() && s.charAt(p) == ',') {
          p++;
        } else {
          expect('}');
          break;
        }
      }
      ws();
      if (p != s.length()) {
        throw error("unexpected text after the dict");
      }
      return out;
    }

    private String string() throws VectorFormatException {
      ws();
      if (p >= s.length() || (s.charAt(p) != '\'' && s.charAt(p) != '"')) {
        throw error("expected a string");
      }
      char q = s.charAt(p++);
      int start = p;
      while (p < s.length() && s.charAt(p) != q) {
        if (s.charAt(p) == '\\') {
          throw error("escapes in strings are not supported");
        }
        p++;
      }
      if (p >= s.length()) {
        throw error("unterminated string");
      }
      return s.substring(start, p++);
    }

    private Object value() throws VectorFormatException {
      ws();
      if (p >= s.length()) {
        throw error("expected a value");
      }
      char c = s.charAt(p);
      if (c == '\'' || c == '"') {
        return string();
      }
      if (s.startsWith("True", p)) {
        p += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", p)) {
        p += 5;
        return Boolean.FALSE;
      }
      if (c == '(') {
        p++;
        List<Long> dims = new ArrayList<>();
        while (true) {
          ws();
          if (p < s.length() && s.charAt(p) == ')') {
            p++;
            return dims;
          }
          dims.add(integer());
          ws();
          if (p < s.length() && s.charAt(p) == ',') {
            p++;
          } else {
            expect(')');
            return dims;
          }
        }
      }
      throw error("unexpected '" + c + "'");
    }

    private long integer() throws VectorFormatException {
      int start = p;
      while (p < s.length() && Character.isDigit(s.charAt(p)) && s.charAt(p) < 128) {
        p++;
      }
      if (p == start || p - start > 18) {
        throw error("expected a non-negative integer (at most 18 digits)");
      }
      return Long.parseLong(s.substring(start, p));
    }
  }

  private static final class Writer extends BaseVectorWriter {
    private final int[] bits;

    Writer(Path file, long rows, int dim, DType type) throws IOException {
      super(file, rows, dim, false, type, false);
      this.bits = new int[dim];
      String dict =
          "{'descr': '<" + (type == DType.F32 ? "f4" : "f2") + "', 'fortran_order': False, 'shape': (" + rows + ", "
              + dim + "), }";
      int total = 10 + dict.length() + 1;
      int padded = (total + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
      String header = dict + " ".repeat(padded - total) + "\n";
      out.write(MAGIC);
      out.writeByte(1);
      out.writeByte(0);
      out.writeByte(header.length() & 0xFF);
      out.writeByte(header.length() >>> 8);
      out.write(header.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    void writeRow(String token, float[] row) throws IOException {
      encode(row, bits);
      out.writeElements(bits, dim, dtype.bytes(), ByteOrder.LITTLE_ENDIAN);
    }
  }
}
