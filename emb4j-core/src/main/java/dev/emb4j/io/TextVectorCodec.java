package dev.emb4j.io;

import dev.emb4j.store.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The whitespace-separated text formats: word2vec text and fastText {@code .vec} (a header line {@code "<rows>
 * <dim>"}, then one row per line: the token and its values, separated by spaces), and GloVe (the same rows without a
 * header line). fastText writes a space after the last value; readers accept spaces and tabs between fields and at
 * the end of a line, {@code \r\n} line ends, and a UTF-8 byte-order mark at the start of the file.
 *
 * <p>Values are written in the shortest form that reads back to the same float ({@link Float#toString}), so text
 * round trips are exact. Readers accept decimal numbers only ({@code 0.25}, {@code -1e-5}), not {@code nan}, {@code
 * inf}, hexadecimal or Java suffixes.
 */
final class TextVectorCodec {
  /** The longest line a reader accepts (a row of 300 values needs about 4 KB). */
  static final int MAX_LINE_BYTES = 64 << 20;

  /** Tables of more floats than this are checked against the file size before the first row is read. */
  static final long SIZE_CHECK_FLOATS = 1 << 20;

  private TextVectorCodec() {}

  static VectorReader open(Path file, VectorFormat format, VectorReadOptions options) throws IOException {
    ByteInput in = new ByteInput(file, options.progress());
    try {
      return new Reader(in, format);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  static VectorWriter create(Path file, VectorFormat format, long rows, int dim) throws IOException {
    return new Writer(file, format, rows, dim);
  }

  /** Whether {@code b} separates fields. */
  private static boolean isSeparator(byte b) {
    return b == ' ' || b == '\t';
  }

  /** Parses a non-negative decimal integer, or returns -1. */
  static long parseCount(byte[] b, int from, int to) {
    if (from >= to || to - from > 18) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      if (b[i] < '0' || b[i] > '9') {
        return -1;
      }
      v = v * 10 + (b[i] - '0');
    }
    return v;
  }

  private static final class Reader extends BaseVectorReader {
    private final ByteInput.LineBuffer line = new ByteInput.LineBuffer();
    private final boolean header;
    private long lineNumber;

    Reader(ByteInput in, VectorFormat format) throws IOException {
      super(in);
      this.header = format != VectorFormat.GLOVE;
      long rows;
      int dim;
      in.skipUtf8Bom();
      if (header) {
        if (!in.readLine(line, MAX_LINE_BYTES, 1)) {
          throw VectorFormatException.atLine(in.file, 1, "file is empty; expected a header '<rows> <dim>'");
        }
        lineNumber = 1;
        long[] rd = parseHeader();
        rows = rd[0];
        dim = (int) rd[1];
        // Each row needs at least a 1-byte token and dim times a separator and a digit, plus a newline between
        // rows. A big table (the reader's caller allocates it from the header) that the file cannot possibly hold is
        // rejected now, before anything is allocated for it (found by fuzzing: "2626662 666" and nothing else ran
        // out of memory). Small ones fail at the row where the file falls short, with a more precise message.
        double minBytes = rows * (2.0 * dim + 2) - 1;
        long remaining = in.size - in.position();
        if ((double) rows * dim > SIZE_CHECK_FLOATS && minBytes > remaining) {
          throw VectorFormatException.atLine(
              in.file,
              1,
              "header promises " + rows + " rows of " + dim + " values, but the " + remaining
                  + " bytes after it cannot hold them (each row needs at least " + (2L * dim + 1) + ")");
        }
      } else {
        // GloVe has no header: one pass counts the rows and takes the width of the first one, then the real pass.
        long count = 0;
        int firstWidth = -1;
        while (in.readLine(line, MAX_LINE_BYTES, count + 1)) {
          count++;
          if (firstWidth < 0) {
            firstWidth = countFields() - 1;
            if (firstWidth <= 0) {
              throw VectorFormatException.atLine(
                  in.file, 1, "expected a token followed by its values, got " + preview() + " (no values)");
            }
          }
        }
        if (count == 0) {
          throw VectorFormatException.atLine(in.file, 1, "file is empty; expected one row per line");
        }
        in.seek(0);
        in.skipUtf8Bom();
        rows = count;
        dim = firstWidth;
      }
      this.info = new VectorInfo(in.file, format, rows, dim, DType.F32, true, Map.of());
      in.reportProgress(0, true);
    }

    private long[] parseHeader() throws VectorFormatException {
      byte[] b = line.bytes;
      int n = line.length;
      int p = 0;
      while (p < n && isSeparator(b[p])) {
        p++;
      }
      int s1 = p;
      while (p < n && !isSeparator(b[p])) {
        p++;
      }
      long rows = parseCount(b, s1, p);
      while (p < n && isSeparator(b[p])) {
        p++;
      }
      int s2 = p;
      while (p < n && !isSeparator(b[p])) {
        p++;
      }
      long dim = parseCount(b, s2, p);
      while (p < n && isSeparator(b[p])) {
        p++;
      }
      if (rows < 0 || dim < 0 || p != n) {
        throw VectorFormatException.atLine(
            in.file,
            1,
            "expected a header '<rows> <dim>' (two non-negative integers), got " + preview()
                + "; a file without a header line is GloVe (--from glove)");
      }
      if (dim == 0 || dim > Integer.MAX_VALUE - 8) {
        throw VectorFormatException.atLine(in.file, 1, "header dim " + dim + " is not in 1.." + (Integer.MAX_VALUE - 8));
      }
      return new long[] {rows, dim};
    }

    private int countFields() {
      int fields = 0;
      byte[] b = line.bytes;
      int p = 0;
      while (p < line.length) {
        while (p < line.length && isSeparator(b[p])) {
          p++;
        }
        if (p < line.length) {
          fields++;
        }
        while (p < line.length && !isSeparator(b[p])) {
          p++;
        }
      }
      return fields;
    }

    /** The start of the current line, quoted, for messages. */
    private String preview() {
      int n = Math.min(line.length, 60);
      String s = new String(line.bytes, 0, n, StandardCharsets.UTF_8);
      return "'" + s + (line.length > n ? "..." : "") + "'";
    }

    @Override
    String readRow(float[] row) throws IOException {
      long ln = lineNumber + 1;
      if (!in.readLine(line, MAX_LINE_BYTES, ln)) {
        throw VectorFormatException.atLine(
            in.file,
            ln,
            "file ends after " + rowsRead + " rows, but " + (header ? "the header promises " : "the first pass counted ")
                + info.rows());
      }
      lineNumber = ln;
      byte[] b = line.bytes;
      int n = line.length;
      if (n == 0) {
        throw VectorFormatException.atLine(in.file, ln, "line is empty; expected a token followed by " + info.dim() + " values");
      }
      if (isSeparator(b[0])) {
        throw VectorFormatException.atLine(in.file, ln, "line starts with whitespace; expected a token first");
      }
      int p = 0;
      while (p < n && !isSeparator(b[p])) {
        p++;
      }
      int[] bad = new int[1];
      String token = decodeUtf8(b, 0, p, bad);
      if (token == null) {
        throw VectorFormatException.atLine(
            in.file, ln, "invalid UTF-8 in the token at byte offset " + (line.start + bad[0]));
      }
      int dim = info.dim();
      int count = 0;
      while (true) {
        while (p < n && isSeparator(b[p])) {
          p++;
        }
        if (p == n) {
          break;
        }
        int s = p;
        while (p < n && !isSeparator(b[p])) {
          p++;
        }
        if (count == dim) {
          throw VectorFormatException.atLine(
              in.file, ln, "row '" + token + "' has more than " + dim + " values (" + (count + 1 + countRest(p)) + ")");
        }
        row[count] = parseValue(b, s, p, token, count, ln);
        count++;
      }
      if (count != dim) {
        throw VectorFormatException.atLine(in.file, ln, "row '" + token + "' has " + count + " values, expected " + dim);
      }
      checkUnique(token, ln, true, line.start);
      return token;
    }

    /** How many more fields follow position {@code p} of the current line. */
    private int countRest(int p) {
      int k = 0;
      byte[] b = line.bytes;
      while (p < line.length) {
        while (p < line.length && isSeparator(b[p])) {
          p++;
        }
        if (p < line.length) {
          k++;
        }
        while (p < line.length && !isSeparator(b[p])) {
          p++;
        }
      }
      return k;
    }

    private float parseValue(byte[] b, int from, int to, String token, int column, long ln) throws VectorFormatException {
      boolean digit = false;
      for (int i = from; i < to; i++) {
        byte c = b[i];
        if (c >= '0' && c <= '9') {
          digit = true;
        } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
          digit = false;
          break;
        }
      }
      String text = new String(b, from, to - from, StandardCharsets.UTF_8);
      if (!digit) {
        String lower = text.toLowerCase(java.util.Locale.ROOT).replace("+", "").replace("-", "");
        String why = lower.equals("nan") || lower.startsWith("inf") ? " is not finite" : " is not a decimal number";
        throw VectorFormatException.atLine(
            in.file, ln, "row '" + token + "', column " + column + ": value '" + text + "'" + why);
      }
      float v;
      try {
        v = Float.parseFloat(text);
      } catch (NumberFormatException e) {
        throw VectorFormatException.atLine(
            in.file, ln, "row '" + token + "', column " + column + ": value '" + text + "' is not a decimal number");
      }
      if (!Float.isFinite(v)) {
        throw VectorFormatException.atLine(
            in.file, ln, "row '" + token + "', column " + column + ": value '" + text + "' overflows float32 (not finite)");
      }
      return v;
    }

    @Override
    void finish() throws IOException {
      long ln = lineNumber;
      while (in.readLine(line, MAX_LINE_BYTES, ln + 1)) {
        ln++;
        for (int i = 0; i < line.length; i++) {
          if (!isSeparator(line.bytes[i])) {
            throw VectorFormatException.atLine(
                in.file, ln, "more rows than the " + info.rows() + (header ? " the header promises" : " counted"));
          }
        }
      }
    }
  }

  private static final class Writer extends BaseVectorWriter {
    private final VectorFormat format;
    private final StringBuilder sb = new StringBuilder();

    Writer(Path file, VectorFormat format, long rows, int dim) throws IOException {
      super(file, rows, dim, true, DType.F32, false);
      this.format = format;
      if (format != VectorFormat.GLOVE) {
        out.write((rows + " " + dim + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }

    @Override
    void checkToken(String token) throws VectorFormatException {
      super.checkToken(token);
      rejectSeparators(token, format.displayName(), " \t\n");
    }

    @Override
    void writeRow(String token, float[] row) throws IOException {
      sb.setLength(0);
      sb.append(token);
      for (int i = 0; i < dim; i++) {
        sb.append(' ').append(row[i]);
      }
      if (format == VectorFormat.FASTTEXT_VEC) {
        sb.append(' '); // as fastText's own writer does
      }
      sb.append('\n');
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
  }
}
