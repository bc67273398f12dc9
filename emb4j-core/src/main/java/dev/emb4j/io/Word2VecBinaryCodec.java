package dev.emb4j.io;

import dev.emb4j.store.DType;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The binary format of the original word2vec tool ({@code -binary 1}), as gensim reads and writes it.
 *
 * <pre>
 * "&lt;rows&gt; &lt;dim&gt;\n"                          ASCII header line
 * rows times:
 *   token bytes (UTF-8), then ' '            the token ends at the first space
 *   dim float32, little-endian               4 * dim bytes
 *   '\n'                                     written after each row; readers skip newlines before a token
 * </pre>
 */
final class Word2VecBinaryCodec {
  /** The longest token a reader accepts. */
  static final int MAX_TOKEN_BYTES = 1 << 20;

  private Word2VecBinaryCodec() {}

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
    if (options.dtype() != DType.F32) {
      throw VectorFormatException.inFile(file, "word2vec binary holds float32 values only, not " + options.dtype());
    }
    return new Writer(file, rows, dim);
  }

  private static final class Reader extends BaseVectorReader {
    private byte[] token = new byte[256];

    Reader(ByteInput in) throws IOException {
      super(in);
      byte[] h = new byte[64];
      int n = 0;
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0 || n == h.length) {
          throw VectorFormatException.atOffset(
              in.file,
              0,
              c < 0 ? "file ends inside the header line; expected '<rows> <dim>\\n'" : "header line is longer than " + h.length + " bytes; expected '<rows> <dim>\\n'");
        }
        h[n++] = (byte) c;
      }
      int sp = -1;
      for (int i = 0; i < n; i++) {
        if (h[i] == ' ') {
          sp = i;
          break;
        }
      }
      int end = n > 0 && h[n - 1] == '\r' ? n - 1 : n;
      long rows = sp < 0 ? -1 : TextVectorCodec.parseCount(h, 0, sp);
      long dim = sp < 0 ? -1 : TextVectorCodec.parseCount(h, sp + 1, end);
      if (rows < 0 || dim <= 0 || dim > Integer.MAX_VALUE - 8) {
        throw VectorFormatException.atOffset(
            in.file,
            0,
            "expected a header '<rows> <dim>' (non-negative rows, positive dim), got '"
                + new String(h, 0, Math.min(n, 40), StandardCharsets.ISO_8859_1) + "'");
      }
      // Each row needs at least a 1-byte token, a space and 4 * dim bytes of values: a big table that the file
      // cannot hold is rejected before anything is allocated for it (small ones fail at the row that falls short).
      long remaining = in.size - in.position();
      if ((double) rows * dim > TextVectorCodec.SIZE_CHECK_FLOATS && rows * (2.0 + 4.0 * dim) > remaining) {
        throw VectorFormatException.atOffset(
            in.file,
            0,
            "header promises " + rows + " rows of " + dim + " float32, but the " + remaining
                + " bytes after it cannot hold them (each row needs at least " + (2 + 4 * dim) + ")");
      }
      this.info = new VectorInfo(in.file, VectorFormat.WORD2VEC_BINARY, rows, (int) dim, DType.F32, true, Map.of());
      in.reportProgress(0, true);
    }

    @Override
    String readRow(float[] row) throws IOException {
      while (in.peek() == '\n') {
        in.read();
      }
      long start = in.position();
      int n = 0;
      while (true) {
        int c = in.read();
        if (c < 0) {
          throw VectorFormatException.atOffset(
              in.file,
              start,
              "file is truncated: row " + rowsRead + " of " + info.rows() + " starts here but the file ends at " + in.size
                  + (n == 0 ? "" : " inside its token"));
        }
        if (c == ' ') {
          break;
        }
        if (c == '\n') {
          throw VectorFormatException.atOffset(in.file, in.position() - 1, "row " + rowsRead + ": newline inside the token");
        }
        if (n == MAX_TOKEN_BYTES) {
          throw VectorFormatException.atOffset(in.file, start, "row " + rowsRead + ": token longer than " + MAX_TOKEN_BYTES + " bytes");
        }
        if (n == token.length) {
          token = java.util.Arrays.copyOf(token, n * 2);
        }
        token[n++] = (byte) c;
      }
      if (n == 0) {
        throw VectorFormatException.atOffset(in.file, start, "row " + rowsRead + " has an empty token");
      }
      String t = decodeUtf8OrThrow(in.file, token, 0, n, start, "the token of row " + rowsRead);
      long valuesAt =
          in.readValues(row, info.dim(), DType.F32, ByteOrder.LITTLE_ENDIAN, "the values of row " + rowsRead + " ('" + t + "')");
      checkFinite(row, info.dim(), valuesAt, 4);
      checkUnique(t, rowsRead, false, start);
      return t;
    }

    @Override
    void finish() throws IOException {
      while (in.peek() == '\n') {
        in.read();
      }
      if (!in.atEnd()) {
        throw VectorFormatException.atOffset(
            in.file, in.position(), "unexpected bytes after the " + info.rows() + " rows the header promises");
      }
    }
  }

  private static final class Writer extends BaseVectorWriter {
    private final int[] bits;

    Writer(Path file, long rows, int dim) throws IOException {
      super(file, rows, dim, true, DType.F32, false);
      this.bits = new int[dim];
      out.write((rows + " " + dim + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    void checkToken(String token) throws VectorFormatException {
      super.checkToken(token);
      rejectSeparators(token, "word2vec binary", " \n");
    }

    @Override
    void writeRow(String token, float[] row) throws IOException {
      out.write(token.getBytes(StandardCharsets.UTF_8));
      out.writeByte(' ');
      encode(row, bits);
      out.writeElements(bits, dim, Float.BYTES, ByteOrder.LITTLE_ENDIAN);
      out.writeByte('\n');
    }
  }
}
