package dev.emb4j.io;

import dev.emb4j.store.DType;
import dev.emb4j.internal.format.AtomicOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * What every writer shares: the atomic output, the declared shape, and the checks on each row (count, width, finite
 * values, tokens present exactly when declared and unique).
 */
abstract class BaseVectorWriter implements VectorWriter {
  final AtomicOutput out;
  final Path file;
  final long rows;
  final int dim;
  final boolean hasTokens;
  final DType dtype;
  long written;
  private final Set<String> tokens = new HashSet<>();
  private boolean committed;

  BaseVectorWriter(Path file, long rows, int dim, boolean hasTokens, DType dtype, boolean checksum) throws IOException {
    if (rows < 0 || dim <= 0) {
      throw new IllegalArgumentException("vectors need rows >= 0 and dim > 0, got " + rows + " x " + dim);
    }
    this.file = file;
    this.rows = rows;
    this.dim = dim;
    this.hasTokens = hasTokens;
    this.dtype = dtype;
    this.out = new AtomicOutput(file, checksum);
  }

  @Override
  public final void write(String token, float[] row) throws IOException {
    if (row.length < dim) {
      throw new IllegalArgumentException("row " + written + " has " + row.length + " values, expected " + dim);
    }
    checkNext(token);
    for (int i = 0; i < dim; i++) {
      if (!Float.isFinite(row[i])) {
        throw VectorFormatException.inFile(
            file, rowName(token) + ", column " + i + " is " + row[i] + "; only finite values can be written");
      }
    }
    writeRow(token, row);
    written++;
  }

  /** {@code row 12}, or {@code row 12 ('frog')} when the row has a token: how messages name the row being written. */
  final String rowName(String token) {
    return "row " + written + (token == null ? "" : " ('" + token + "')");
  }

  /**
   * Appends one row already encoded in the file's dtype (the rows of a quantized store, copied as they are rather
   * than decoded and quantized again), after the checks {@link #write} makes of the count and the token.
   */
  final void writeEncodedRow(String token, MemorySegment row) throws IOException {
    checkNext(token);
    writeEncoded(token, row);
    written++;
  }

  /** Writes one row of encoded bytes; only formats that hold encoded rows override it. */
  void writeEncoded(String token, MemorySegment row) throws IOException {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " takes float rows only");
  }

  /** Checks that another row with this token may be written. */
  private void checkNext(String token) throws IOException {
    if (committed) {
      throw new IllegalStateException(file + " was already committed");
    }
    if (written >= rows) {
      throw new IllegalStateException("all " + rows + " declared rows of " + file + " were already written");
    }
    if (hasTokens != (token != null)) {
      throw new IllegalArgumentException(
          "row " + written + (hasTokens ? " has no token but the writer was created with tokens" : " has a token but the writer was created without tokens"));
    }
    if (token != null) {
      checkToken(token);
      if (!tokens.add(token)) {
        throw VectorFormatException.inFile(file, "row " + written + ": duplicate token '" + token + "'");
      }
    }
  }

  /** Rejects a token the format cannot hold (for example with whitespace in a text format). */
  void checkToken(String token) throws VectorFormatException {
    if (token.isEmpty()) {
      throw VectorFormatException.inFile(file, "row " + written + " has an empty token");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c) ? i + 1 < token.length() && Character.isLowSurrogate(token.charAt(++i)) : !Character.isLowSurrogate(c);
      if (!paired) {
        throw VectorFormatException.inFile(
            file, "row " + written + ": token has an unpaired surrogate at char " + i + ", which UTF-8 cannot hold");
      }
    }
  }

  /**
   * Rejects tokens holding one of the {@code separators} of a format. Exactly the characters its reader splits on, so
   * that every token a reader returns can be written back (fuzzing found the mismatch when this was {@link
   * Character#isWhitespace}).
   */
  final void rejectSeparators(String token, String format, String separators) throws VectorFormatException {
    for (int i = 0; i < token.length(); i++) {
      if (separators.indexOf(token.charAt(i)) >= 0) {
        throw VectorFormatException.inFile(
            file,
            "row " + written + ": token '" + token + "' contains a separator (U+" + String.format("%04X", (int) token.charAt(i))
                + "), which " + format + " cannot hold");
      }
    }
  }

  /** Encodes a checked row into {@code bits}, failing if a value does not fit the dtype. */
  final void encode(float[] row, int[] bits) throws VectorFormatException {
    for (int i = 0; i < dim; i++) {
      bits[i] = dtype.encode(row[i]);
      if (dtype != DType.F32 && Float.isInfinite(dtype.decode(bits[i]))) {
        throw VectorFormatException.inFile(
            file, "row " + written + ", column " + i + ": " + row[i] + " is beyond the range of " + dtype);
      }
    }
  }

  /** Writes one checked row. */
  abstract void writeRow(String token, float[] row) throws IOException;

  /** Writes whatever follows the rows (a trailer, tokens, a checksum). */
  void finish() throws IOException {}

  @Override
  public final void commit() throws IOException {
    if (committed) {
      throw new IllegalStateException(file + " was already committed");
    }
    if (written != rows) {
      throw new IllegalStateException("only " + written + " of the " + rows + " declared rows of " + file + " were written");
    }
    finish();
    out.commit();
    committed = true;
  }

  /** Deletes whatever else the writer created besides the output (called by {@link #close}). */
  void cleanup() throws IOException {}

  @Override
  public final void close() throws IOException {
    try {
      cleanup();
    } finally {
      out.close();
    }
  }
}
