package dev.emb4j.internal.format;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reads a {@link Container} file: the preamble, the header, the checksum and the sections, in bounded memory. It
 * reports what it finds and leaves the judging to each kind of file, which phrases its own errors (a checkpoint
 * throws {@code CheckpointFormatException}, a table {@code VectorFormatException}, a vocabulary {@code
 * VocabularyFormatException}); reads past the end of the file throw {@link EOFException}.
 */
public final class ContainerReader implements Closeable {
  private static final int BUFFER_BYTES = 1 << 20;

  private final Path file;
  private final FileChannel channel;
  private final long size;

  private ContainerReader(Path file, FileChannel channel) throws IOException {
    this.file = file;
    this.channel = channel;
    this.size = channel.size();
  }

  /**
   * Opens a file for reading.
   *
   * @param file the file
   * @return the reader; close it
   * @throws IOException if the file cannot be opened
   */
  public static ContainerReader open(Path file) throws IOException {
    return new ContainerReader(file, FileChannel.open(file, StandardOpenOption.READ));
  }

  /**
   * The file as given to {@link #open}.
   *
   * @return the path
   */
  public Path file() {
    return file;
  }

  /**
   * The file's length when it was opened.
   *
   * @return its size in bytes
   */
  public long size() {
    return size;
  }

  /**
   * The first {@link Container#PREAMBLE_BYTES} bytes, or as many as the file holds.
   *
   * @return the preamble
   * @throws IOException if the file cannot be read
   */
  public Preamble preamble() throws IOException {
    return new Preamble(read(0, Container.PREAMBLE_BYTES));
  }

  /**
   * The bytes {@code [offset, offset + length)}, or as many of them as the file holds.
   *
   * @param offset where to start
   * @param length how many bytes to read
   * @return the bytes read (shorter than {@code length} when the file ends first)
   * @throws IOException if the file cannot be read
   */
  public byte[] read(long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    long pos = offset;
    while (b.hasRemaining()) {
      int n = channel.read(b, pos);
      if (n < 0) {
        break;
      }
      pos += n;
    }
    return b.hasRemaining() ? java.util.Arrays.copyOf(b.array(), b.position()) : b.array();
  }

  /**
   * The CRC32C of bytes {@code [0, end)}.
   *
   * @param end where the checksummed bytes end (where the stored checksum starts)
   * @return the checksum as an int
   * @throws EOFException if the file ends before {@code end}
   * @throws IOException if the file cannot be read
   */
  public int computeChecksum(long end) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(BUFFER_BYTES, Math.max(end, 1)));
    for (long pos = 0; pos < end; ) {
      buf.clear();
      if (end - pos < buf.capacity()) {
        buf.limit((int) (end - pos));
      }
      int n = channel.read(buf, pos);
      if (n < 0) {
        throw new EOFException(file + " ended at " + pos + " while its checksum was being computed");
      }
      buf.flip();
      crc.update(buf);
      pos += n;
    }
    return (int) crc.getValue();
  }

  /**
   * The checksum stored at {@code end}.
   *
   * @param end the offset of the stored checksum
   * @return the stored value
   * @throws EOFException if the file ends before the 4 bytes do
   * @throws IOException if the file cannot be read
   */
  public int storedChecksum(long end) throws IOException {
    byte[] b = read(end, Container.CHECKSUM_BYTES);
    if (b.length < Container.CHECKSUM_BYTES) {
      throw new EOFException(file + " ended while its checksum was being read");
    }
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  /**
   * A sequential, buffered reader of the file from {@code offset} on.
   *
   * @param offset where to start
   * @return the cursor
   */
  public Cursor cursor(long offset) {
    return new Cursor(offset);
  }

  /**
   * Decodes strict UTF-8 (malformed input is an error, not a replacement character).
   *
   * @param bytes the encoded text
   * @param off where it starts
   * @param len its length in bytes
   * @return the text
   * @throws CharacterCodingException if the bytes are not valid UTF-8
   */
  public static String utf8(byte[] bytes, int off, int len) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes, off, len))
        .toString();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * The start of a container file, as read.
   *
   * @param bytes the first 16 bytes, or fewer when the file is shorter
   */
  public record Preamble(byte[] bytes) {

    /**
     * Whether the bytes present agree with {@code magic} (a file shorter than the magic may still be truncated one).
     *
     * @param magic the 8 magic bytes
     * @return true if every byte present equals the magic's byte at its position
     */
    public boolean agreesWith(byte[] magic) {
      for (int i = 0; i < Math.min(bytes.length, magic.length); i++) {
        if (bytes[i] != magic[i]) {
          return false;
        }
      }
      return true;
    }

    /**
     * Whether the file holds the whole preamble.
     *
     * @return true if 16 bytes were read
     */
    public boolean complete() {
      return bytes.length == Container.PREAMBLE_BYTES;
    }

    /**
     * The format version (only when {@link #complete()}).
     *
     * @return the int32 at offset 8
     */
    public int version() {
      return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
    }

    /**
     * The header length H (only when {@link #complete()}).
     *
     * @return the int32 at offset 12
     */
    public int headerLength() {
      return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
    }
  }

  /** Reads a section front to back through one buffer. */
  public final class Cursor {
    private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    /** The file offset of the next byte to load into the buffer. */
    private long loaded;

    private Cursor(long offset) {
      this.loaded = offset;
      buf.limit(0);
    }

    /**
     * The file offset of the next byte to be read.
     *
     * @return the offset
     */
    public long position() {
      return loaded - buf.remaining();
    }

    /** Makes at least {@code n} bytes (at most the buffer size) readable, or throws at the end of the file. */
    private void require(int n) throws IOException {
      while (buf.remaining() < n) {
        buf.compact();
        int got = channel.read(buf, loaded);
        buf.flip();
        if (got < 0) {
          throw new EOFException(file + " ended at " + loaded);
        }
        loaded += got;
      }
    }

    /**
     * A little-endian int32.
     *
     * @return the value
     * @throws EOFException if the file ends first
     * @throws IOException if the file cannot be read
     */
    public int readIntLE() throws IOException {
      require(Integer.BYTES);
      return buf.getInt();
    }

    /**
     * Exactly {@code len} bytes into {@code dst[off ..]}.
     *
     * @param dst the destination
     * @param off where to put the first byte
     * @param len how many bytes to read
     * @throws EOFException if the file ends first
     * @throws IOException if the file cannot be read
     */
    public void readFully(byte[] dst, int off, int len) throws IOException {
      while (len > 0) {
        require(1);
        int k = Math.min(len, buf.remaining());
        buf.get(dst, off, k);
        off += k;
        len -= k;
      }
    }

    /**
     * Exactly {@code n} little-endian float32 values into {@code dst[off ..]}.
     *
     * @param dst the destination
     * @param off where to put the first value
     * @param n how many values to read
     * @throws EOFException if the file ends first
     * @throws IOException if the file cannot be read
     */
    public void readFloats(float[] dst, int off, int n) throws IOException {
      while (n > 0) {
        require(Float.BYTES);
        int k = Math.min(buf.remaining() / Float.BYTES, n);
        buf.asFloatBuffer().get(dst, off, k);
        buf.position(buf.position() + k * Float.BYTES);
        off += k;
        n -= k;
      }
    }
  }
}
