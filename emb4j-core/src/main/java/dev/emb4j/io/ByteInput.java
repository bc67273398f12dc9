package dev.emb4j.io;

import dev.emb4j.store.DType;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file read front to back through one fixed buffer, so that files of any size are read in bounded memory. Knows its
 * byte offset for error messages and reports progress about once per mebibyte.
 */
final class ByteInput implements Closeable {
  /** Buffer size; also the progress reporting interval. */
  static final int BUFFER_BYTES = 1 << 20;

  final Path file;
  final long size;
  private final FileChannel channel;
  private final byte[] buf = new byte[BUFFER_BYTES];
  private final ByteBuffer window = ByteBuffer.wrap(buf);
  private final ProgressListener progress;
  /** The file offset of buf[0]. */
  private long bufStart;
  private int pos;
  private int limit;
  private long nextReport = BUFFER_BYTES;

  ByteInput(Path file, ProgressListener progress) throws IOException {
    this.file = file;
    this.channel = FileChannel.open(file, StandardOpenOption.READ);
    this.size = channel.size();
    this.progress = progress == null ? ProgressListener.NONE : progress;
  }

  /** The file offset of the next byte to be read. */
  long position() {
    return bufStart + pos;
  }

  /** Whether every byte has been read. */
  boolean atEnd() throws IOException {
    return pos >= limit && !fill();
  }

  /** Moves to an absolute offset (at most the file size). */
  void seek(long offset) {
    if (offset >= bufStart && offset <= bufStart + limit) {
      pos = (int) (offset - bufStart);
      return;
    }
    bufStart = offset;
    pos = 0;
    limit = 0;
  }

  /** Reads more bytes after the unread ones; false at the end of the file. */
  private boolean fill() throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      bufStart += pos;
      limit -= pos;
      pos = 0;
    }
    if (limit == buf.length) {
      return true;
    }
    window.clear().position(limit);
    int n = channel.read(window, bufStart + limit);
    if (n <= 0) {
      return false;
    }
    limit += n;
    return true;
  }

  /** The next byte (0..255) without consuming it, or -1 at the end of the file. */
  int peek() throws IOException {
    if (pos >= limit && !fill()) {
      return -1;
    }
    return buf[pos] & 0xFF;
  }

  /** The next byte (0..255), or -1 at the end of the file. */
  int read() throws IOException {
    if (pos >= limit && !fill()) {
      return -1;
    }
    return buf[pos++] & 0xFF;
  }

  /** Reads exactly {@code len} bytes, or fails naming {@code what} as truncated. */
  void readFully(byte[] dst, int off, int len, String what) throws IOException {
    long start = position();
    while (len > 0) {
      if (pos >= limit && !fill()) {
        throw truncated(start, (long) len + (position() - start), what);
      }
      int k = Math.min(len, limit - pos);
      System.arraycopy(buf, pos, dst, off, k);
      pos += k;
      off += k;
      len -= k;
    }
  }

  /** Makes at least {@code n} (at most the buffer size) bytes readable at {@code pos}, or fails as truncated. */
  private void require(int n, long start, long total, String what) throws IOException {
    while (limit - pos < n) {
      if (!fill()) {
        throw truncated(start, total, what);
      }
    }
  }

  /**
   * Reads {@code n} elements of {@code type} in {@code order} into {@code dst[0 .. n)}.
   *
   * @return the file offset of the first element
   */
  long readValues(float[] dst, int n, DType type, ByteOrder order, String what) throws IOException {
    long start = position();
    long total = (long) n * type.bytes();
    int width = type.bytes();
    boolean little = order == ByteOrder.LITTLE_ENDIAN;
    int i = 0;
    while (i < n) {
      require(Math.min(width * (n - i), width * 1024), start, total, what);
      int k = Math.min(n - i, (limit - pos) / width);
      for (int j = 0; j < k; j++, pos += width) {
        int bits;
        if (width == 4) {
          bits =
              little
                  ? (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | buf[pos + 3] << 24
                  : buf[pos] << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | (buf[pos + 3] & 0xFF);
        } else {
          bits = little ? (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 : (buf[pos] & 0xFF) << 8 | (buf[pos + 1] & 0xFF);
        }
        dst[i + j] = type.decode(bits);
      }
      i += k;
    }
    return start;
  }

  /** A little-endian int32, or fails as truncated. */
  int readIntLE(String what) throws IOException {
    long start = position();
    require(4, start, 4, what);
    int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | buf[pos + 3] << 24;
    pos += 4;
    return v;
  }

  /** A little-endian int64, or fails as truncated. */
  long readLongLE(String what) throws IOException {
    long lo = readIntLE(what) & 0xFFFFFFFFL;
    long hi = readIntLE(what) & 0xFFFFFFFFL;
    return lo | hi << 32;
  }

  /**
   * Reads up to and including the next {@code '\n'} (or to the end of the file) into {@code line}, without the
   * {@code '\n'} and a {@code '\r'} before it.
   *
   * @return false if the file was already at its end
   */
  boolean readLine(LineBuffer line, int maxBytes, long lineNumber) throws IOException {
    line.length = 0;
    line.start = position();
    if (pos >= limit && !fill()) {
      return false;
    }
    while (true) {
      int i = pos;
      while (i < limit && buf[i] != '\n') {
        i++;
      }
      line.append(buf, pos, i - pos);
      if (line.length > maxBytes) {
        throw VectorFormatException.atLine(file, lineNumber, "line is longer than " + maxBytes + " bytes");
      }
      boolean found = i < limit;
      pos = found ? i + 1 : i;
      if (found || !fill()) {
        break;
      }
    }
    if (line.length > 0 && line.bytes[line.length - 1] == '\r') {
      line.length--;
    }
    return true;
  }

  /** Skips a UTF-8 byte-order mark when the next three bytes are one (text formats call this at offset 0). */
  void skipUtf8Bom() throws IOException {
    while (limit - pos < 3 && fill()) {
      // reads until three bytes are there or the file ends
    }
    if (limit - pos >= 3 && buf[pos] == (byte) 0xEF && buf[pos + 1] == (byte) 0xBB && buf[pos + 2] == (byte) 0xBF) {
      pos += 3;
    }
  }

  /** Tells the listener where the read is, when a mebibyte has passed since the last report or {@code force}. */
  void reportProgress(long rowsRead, boolean force) {
    long at = position();
    if (force || at >= nextReport) {
      nextReport = at + BUFFER_BYTES;
      progress.progress(at, size, rowsRead);
    }
  }

  /** The error for {@code total} bytes of {@code what} that start at {@code start} but run past the file's end. */
  VectorFormatException truncated(long start, long total, String what) {
    return VectorFormatException.atOffset(
        file,
        start,
        "file is truncated: " + what + ": " + total + " bytes needed from offset " + start + ", the file ends at "
            + size);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** A growable line of bytes and the file offset where it starts. */
  static final class LineBuffer {
    byte[] bytes = new byte[4096];
    int length;
    long start;

    void append(byte[] src, int off, int len) {
      if (length + len > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + len));
      }
      System.arraycopy(src, off, bytes, length, len);
      length += len;
    }
  }
}
