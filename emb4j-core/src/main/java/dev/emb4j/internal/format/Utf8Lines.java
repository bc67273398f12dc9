package dev.emb4j.internal.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The lines of a UTF-8 text stream, each split off as bytes and then decoded on its own, so that a problem is
 * reported at its true line ({@code BufferedReader} decodes ahead of the line it returns, and its errors carry no
 * position). A line ends at {@code '\n'}; a {@code '\r'} before it is dropped. A byte-order mark at the very start is
 * skipped. The stream is read as lines are asked for, so that standard input can be answered line by line.
 */
public final class Utf8Lines {
  /** The longest line accepted. */
  public static final int MAX_LINE_BYTES = 256 << 20;

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /** Makes the exception for a problem at a line: each reader reports in its own exception type. */
  @FunctionalInterface
  public interface Problem {
    /**
     * The exception for a problem.
     *
     * @param line the 1-based line
     * @param what what is wrong, e.g. {@code "is not valid UTF-8 (byte 7 of the line is 0xFF)"}
     * @return the exception to throw
     */
    IOException at(long line, String what);
  }

  private final InputStream in;
  private final Problem problem;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int limit;
  private boolean eof;
  private byte[] line = new byte[256];
  private int length;
  private long lineNumber;
  private CharsetDecoder strict;

  /**
   * Lines of {@code in} (not closed here).
   *
   * @param in the stream
   * @param problem makes the exception for invalid UTF-8 or an overlong line
   */
  public Utf8Lines(InputStream in, Problem problem) {
    this.in = in;
    this.problem = problem;
  }

  /**
   * The 1-based number of the line last returned (or being read when an exception was thrown); 0 before the first.
   *
   * @return the line number
   */
  public long lineNumber() {
    return lineNumber;
  }

  /**
   * The next line, without its line end.
   *
   * @return the line, or null at the end of the stream
   * @throws IOException from the stream, or made by the {@link Problem} for invalid UTF-8 or a line longer than
   *     {@link #MAX_LINE_BYTES}
   */
  public String next() throws IOException {
    length = 0;
    boolean any = false;
    while (true) {
      if (pos == limit && !fill()) {
        if (!any) {
          return null;
        }
        break;
      }
      any = true;
      int i = pos;
      while (i < limit && buf[i] != '\n') {
        i++;
      }
      append(pos, i - pos);
      boolean found = i < limit;
      pos = found ? i + 1 : i;
      if (found) {
        break;
      }
    }
    lineNumber++;
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    int from = 0;
    if (lineNumber == 1 && length >= 3 && Arrays.equals(line, 0, 3, BOM, 0, 3)) {
      from = 3;
    }
    return decode(from);
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    int n = in.read(buf, 0, buf.length);
    if (n < 0) {
      eof = true;
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }

  private void append(int from, int n) throws IOException {
    if ((long) length + n > MAX_LINE_BYTES) {
      throw problem.at(lineNumber + 1, "is longer than " + (MAX_LINE_BYTES >> 20) + " MiB");
    }
    if (length + n > line.length) {
      line = Arrays.copyOf(line, (int) Math.min(MAX_LINE_BYTES, Math.max(2L * line.length, length + n)));
    }
    System.arraycopy(buf, from, line, length, n);
    length += n;
  }

  /**
   * Decodes the line. The JDK's own decoding is the fast path; it turns a malformed byte into U+FFFD, and only when
   * that character shows up is the line decoded again, strictly, to tell a malformed byte from a real U+FFFD.
   */
  private String decode(int from) throws IOException {
    String s = new String(line, from, length - from, StandardCharsets.UTF_8);
    if (s.indexOf('\uFFFD') < 0) {
      return s;
    }
    if (strict == null) {
      strict =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
    ByteBuffer bytes = ByteBuffer.wrap(line, from, length - from);
    CoderResult r = strict.reset().decode(bytes, CharBuffer.allocate(length - from), true);
    if (r.isError()) {
      int at = bytes.position();
      throw problem.at(
          lineNumber,
          String.format(
              Locale.ROOT, "is not valid UTF-8 (byte %d of the line is 0x%02X)", at + 1, line[at] & 0xFF));
    }
    return s;
  }
}
