package dev.emb4j.internal.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A file written atomically: into a temporary file {@code .<name>.tmp-<pid>-<random>} beside the target, forced to
 * disk and renamed over the target ({@link StandardCopyOption#ATOMIC_MOVE}) by {@link #commit}. Closing without a
 * commit deletes the temporary file, so a failed write leaves nothing behind and any file already at the target
 * unchanged; {@link TempFiles} deletes it as well when the JVM is stopped mid-write. Every emb4j file (checkpoints,
 * tables, vocabularies, word-vector files) is written through this class. Its exceptions name the target and the
 * reason ({@code "cannot write x.model: no space left on the device"}).
 */
public final class AtomicOutput implements Closeable {
  private static final int BUFFER_BYTES = 1 << 20;

  private final Path target;
  private final Path tmp;
  private final FileChannel channel;
  private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private final CRC32C crc;
  private long flushed;
  private boolean done;

  /**
   * Opens the temporary file for {@code target}, first deleting what an interrupted write of the same file left
   * behind (see {@link TempFiles#removeLeftovers}).
   *
   * @param target the file to write
   * @param checksum whether to keep a CRC32C of every byte written (see {@link #checksum()})
   * @throws IOException if the temporary file cannot be created; the message names {@code target} and the reason
   */
  public AtomicOutput(Path target, boolean checksum) throws IOException {
    this.target = target;
    TempFiles.removeLeftovers(target);
    TempFiles.Created created;
    try {
      created = TempFiles.create(target, "tmp");
    } catch (NoSuchFileException e) {
      throw new IOException(
          "cannot write " + target + ": directory " + target.toAbsolutePath().getParent() + " does not exist", e);
    } catch (IOException e) {
      throw FileErrors.cannot("write", target, e);
    }
    this.tmp = created.path();
    this.channel = created.channel();
    this.crc = checksum ? new CRC32C() : null;
  }

  /** Bytes written so far. */
  public long position() {
    return flushed + buf.position();
  }

  /** The CRC32C of every byte written so far (flushes the buffer into it first). */
  public int checksum() throws IOException {
    flush();
    return (int) crc.getValue();
  }

  public void write(byte[] b) throws IOException {
    write(b, 0, b.length);
  }

  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (!buf.hasRemaining()) {
        flush();
      }
      int k = Math.min(len, buf.remaining());
      buf.put(b, off, k);
      off += k;
      len -= k;
    }
  }

  public void writeByte(int b) throws IOException {
    if (!buf.hasRemaining()) {
      flush();
    }
    buf.put((byte) b);
  }

  public void writeIntLE(int v) throws IOException {
    if (buf.remaining() < 4) {
      flush();
    }
    buf.order(ByteOrder.LITTLE_ENDIAN).putInt(v);
  }

  public void writeLongLE(long v) throws IOException {
    if (buf.remaining() < 8) {
      flush();
    }
    buf.order(ByteOrder.LITTLE_ENDIAN).putLong(v);
  }

  /**
   * Writes {@code n} elements already encoded as bits, each {@code width} bytes wide (2 or 4) in {@code order}.
   *
   * @param bits the encoded elements (the low 16 bits of each for width 2)
   * @param n how many of them to write
   * @param width bytes per element: 2 or 4
   * @param order the byte order of each element
   * @throws IOException if the file cannot be written
   */
  public void writeElements(int[] bits, int n, int width, ByteOrder order) throws IOException {
    buf.order(order);
    for (int i = 0; i < n; i++) {
      if (buf.remaining() < 4) {
        flush();
      }
      if (width == 4) {
        buf.putInt(bits[i]);
      } else {
        buf.putShort((short) bits[i]);
      }
    }
    buf.order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Writes {@code n} float32 values little-endian.
   *
   * @param src the values
   * @param off the first one to write
   * @param n how many to write
   * @throws IOException if the file cannot be written
   */
  public void writeFloatsLE(float[] src, int off, int n) throws IOException {
    buf.order(ByteOrder.LITTLE_ENDIAN);
    while (n > 0) {
      if (buf.remaining() < Float.BYTES) {
        flush();
      }
      int k = Math.min(buf.remaining() / Float.BYTES, n);
      buf.asFloatBuffer().put(src, off, k);
      buf.position(buf.position() + k * Float.BYTES);
      off += k;
      n -= k;
    }
  }

  private void flush() throws IOException {
    buf.flip();
    if (crc != null) {
      crc.update(buf.duplicate());
    }
    try {
      while (buf.hasRemaining()) {
        flushed += channel.write(buf);
      }
    } catch (IOException e) {
      throw FileErrors.cannot("write", target, e);
    }
    buf.clear();
  }

  /** Flushes, forces the file to disk and renames it over the target. */
  public void commit() throws IOException {
    flush();
    try {
      channel.force(true);
      channel.close();
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw FileErrors.cannot("write", target, e);
    }
    TempFiles.committed(tmp);
    done = true;
    try (FileChannel dc = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
      dc.force(true);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // Not supported here (e.g. Windows cannot open a directory): the rename is still atomic.
    }
  }

  /** Without a {@link #commit}: deletes the temporary file. */
  @Override
  public void close() throws IOException {
    if (done) {
      return;
    }
    done = true;
    try {
      channel.close();
    } finally {
      TempFiles.release(tmp);
    }
  }
}
