package dev.emb4j.internal.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * The one container of emb4j's own files: checkpoints ({@code EMB4JCKP}), tables ({@code EMB4JTBL}) and
 * vocabularies ({@code EMB4JVOC}). Each kind names its magic, numbers its own versions and describes its sections in
 * the header; the container gives them one layout, one checksum and one atomic write.
 *
 * <pre>
 * offset      size   field
 * 0           8      magic: 8 ASCII bytes naming the kind of file
 * 8           4      format version: int32 little-endian
 * 12          4      H: header length in bytes, int32 little-endian
 * 16          H      header: a JSON object in UTF-8, padded with spaces so that the sections start at a multiple of
 *                    64 bytes (rows can then be memory-mapped and used in place)
 * 16 + H      ...    the sections the header describes; rows are float32 little-endian
 * E           4      CRC32C (java.util.zip.CRC32C) of bytes [0, E), unsigned int32 little-endian
 * </pre>
 *
 * <p>Files are written through {@link AtomicOutput} (a temporary file renamed over the target, so a file appears whole
 * or not at all) and read through {@link ContainerReader}; offsets are {@code long}s and rows are streamed, so
 * sections may hold more than 2<sup>31</sup> floats.
 */
public final class Container {
  /** Magic, version and header length. */
  public static final int PREAMBLE_BYTES = 16;

  /** The CRC32C at the end of the file. */
  public static final int CHECKSUM_BYTES = 4;

  /** The sections start on a multiple of this many bytes. */
  public static final int ALIGNMENT = 64;

  private Container() {}

  /**
   * The 8 magic bytes of a kind of file.
   *
   * @param ascii 8 ASCII characters, e.g. {@code "EMB4JCKP"}
   * @return their bytes
   */
  public static byte[] magic(String ascii) {
    byte[] b = ascii.getBytes(StandardCharsets.US_ASCII);
    if (b.length != 8) {
      throw new IllegalArgumentException("a magic is 8 ASCII bytes, got '" + ascii + "'");
    }
    return b;
  }

  /**
   * {@code n} rounded up to a multiple of {@link #ALIGNMENT}.
   *
   * @param n a byte count or offset
   * @return the aligned value
   */
  public static long alignUp(long n) {
    return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  /**
   * The header bytes, padded with spaces so that the sections start on an {@link #ALIGNMENT} boundary. A header may
   * name absolute offsets of its sections, which depend on its own length: {@code jsonAt} gives the header for a
   * given start of the sections, and the start grows until the header fits before it.
   *
   * @param jsonAt the header JSON when the sections start at the given offset
   * @return the padded header ({@code H} bytes; the sections start at {@code 16 + H})
   */
  public static byte[] header(LongFunction<String> jsonAt) {
    long dataStart = 0;
    while (true) {
      byte[] json = jsonAt.apply(dataStart).getBytes(StandardCharsets.UTF_8);
      long need = alignUp(PREAMBLE_BYTES + (long) json.length);
      if (need <= dataStart) {
        long headerBytes = dataStart - PREAMBLE_BYTES;
        if (headerBytes > Integer.MAX_VALUE - 8) {
          throw new IllegalArgumentException("a header of " + headerBytes + " bytes is too large");
        }
        byte[] padded = Arrays.copyOf(json, (int) headerBytes);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
      }
      dataStart = need;
    }
  }

  /**
   * Starts a container file: opens its temporary file and writes the magic, the version and the header. Write the
   * sections next, then {@link #finish}; closing the output without finishing leaves no file behind.
   *
   * @param file the target
   * @param magic the 8 magic bytes
   * @param version the format version
   * @param paddedHeader the header from {@link #header}
   * @return the output, positioned at the first section
   * @throws IOException if the temporary file cannot be created or written
   */
  public static AtomicOutput create(Path file, byte[] magic, int version, byte[] paddedHeader) throws IOException {
    AtomicOutput out = new AtomicOutput(file, true);
    try {
      writePreamble(out, magic, version, paddedHeader);
      return out;
    } catch (IOException | RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /**
   * Writes the magic, the version and the header to an output that keeps a checksum.
   *
   * @param out the output, at offset 0
   * @param magic the 8 magic bytes
   * @param version the format version
   * @param paddedHeader the header from {@link #header}
   * @throws IOException if the file cannot be written
   */
  public static void writePreamble(AtomicOutput out, byte[] magic, int version, byte[] paddedHeader)
      throws IOException {
    out.write(magic);
    out.writeIntLE(version);
    out.writeIntLE(paddedHeader.length);
    out.write(paddedHeader);
  }

  /**
   * Writes the checksum of everything written so far (the end of the container).
   *
   * @param out the output
   * @throws IOException if the file cannot be written
   */
  public static void writeChecksum(AtomicOutput out) throws IOException {
    out.writeIntLE(out.checksum());
  }

  /**
   * Writes the checksum and renames the file into place.
   *
   * @param out the output
   * @throws IOException if the file cannot be written or renamed
   */
  public static void finish(AtomicOutput out) throws IOException {
    writeChecksum(out);
    out.commit();
  }
}
