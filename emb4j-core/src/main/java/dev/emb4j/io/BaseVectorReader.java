package dev.emb4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** What every reader shares: the input, the row count, duplicate-token and finiteness checks. */
abstract class BaseVectorReader implements VectorReader {
  final ByteInput in;
  VectorInfo info;
  long rowsRead;
  /** Each token seen and where: its line (text formats) or row. */
  private final Map<String, Long> seen = new HashMap<>();

  BaseVectorReader(ByteInput in) {
    this.in = in;
  }

  @Override
  public final VectorInfo info() {
    return info;
  }

  @Override
  public final long rowsRead() {
    return rowsRead;
  }

  @Override
  public final String next(float[] row) throws IOException {
    if (row.length < info.dim()) {
      throw new IllegalArgumentException("row buffer of " + row.length + " floats is shorter than dim " + info.dim());
    }
    return advance(() -> readRow(row));
  }

  /** Reads one row in some form and returns its token or null. */
  @FunctionalInterface
  interface RowRead {
    String read() throws IOException;
  }

  /** Reads row number {@link #rowsRead} with {@code read}, then counts it and reports progress. */
  final String advance(RowRead read) throws IOException {
    if (rowsRead >= info.rows()) {
      throw new IllegalStateException("all " + info.rows() + " rows of " + in.file + " were already read");
    }
    String token = read.read();
    rowsRead++;
    if (rowsRead == info.rows()) {
      finish();
      in.reportProgress(rowsRead, true);
    } else {
      in.reportProgress(rowsRead, false);
    }
    return token;
  }

  /** Reads row number {@link #rowsRead} into {@code row}; returns its token or null. */
  abstract String readRow(float[] row) throws IOException;

  /** Called after the last row: checks that nothing follows it. */
  abstract void finish() throws IOException;

  /** Rejects a token that was already seen; {@code where} is its line (text) or row (binary). */
  final void checkUnique(String token, long where, boolean isLine, long offset) throws VectorFormatException {
    Long first = seen.putIfAbsent(token, where);
    if (first != null) {
      String msg = "duplicate token '" + token + "': first at " + (isLine ? "line " : "row ") + first;
      throw isLine ? VectorFormatException.atLine(in.file, where, msg) : VectorFormatException.atOffset(in.file, offset, msg);
    }
  }

  /** Rejects a NaN or infinite value read from a binary file; element {@code i} starts at {@code start + i * width}. */
  final void checkFinite(float[] row, int n, long start, int width) throws VectorFormatException {
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(row[i])) {
        throw VectorFormatException.atOffset(
            in.file,
            start + (long) i * width,
            "row " + rowsRead + ", column " + i + " is " + row[i] + "; every value must be finite");
      }
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /**
   * Decodes {@code len} bytes of strict UTF-8, or returns null and puts the index of the first bad byte in {@code
   * badAt[0]}.
   */
  static String decodeUtf8(byte[] b, int off, int len, int[] badAt) {
    boolean ascii = true;
    for (int i = off; i < off + len; i++) {
      if (b[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }
    CharsetDecoder dec =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer src = ByteBuffer.wrap(b, off, len);
    CharBuffer dst = CharBuffer.allocate(len);
    CoderResult r = dec.decode(src, dst, true);
    if (r.isError()) {
      badAt[0] = src.position() - off;
      return null;
    }
    r = dec.flush(dst);
    if (r.isError()) {
      badAt[0] = src.position() - off;
      return null;
    }
    return dst.flip().toString();
  }

  /** Decodes strict UTF-8 or throws, naming the byte offset. */
  static String decodeUtf8OrThrow(Path file, byte[] b, int off, int len, long fileOffset, String what)
      throws VectorFormatException {
    int[] bad = new int[1];
    String s = decodeUtf8(b, off, len, bad);
    if (s == null) {
      throw VectorFormatException.atOffset(
          file, fileOffset + bad[0], "invalid UTF-8 in " + what + " (byte 0x" + Integer.toHexString(b[off + Math.min(bad[0], len - 1)] & 0xFF) + ")");
    }
    return s;
  }
}
