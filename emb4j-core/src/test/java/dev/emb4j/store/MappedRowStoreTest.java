package dev.emb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapped file: round trips, persistence, the header's state and checksum, and every error with its message. */
class MappedRowStoreTest {
  @TempDir Path dir;

  private static float[] randomRow(SplittableRandom rng, int dim) {
    float[] row = new float[dim];
    for (int j = 0; j < dim; j++) {
      row[j] = (float) rng.nextGaussian();
    }
    return row;
  }

  private static float[][] fill(RowStore s, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] rows = new float[(int) s.rows()][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = randomRow(rng, s.dim());
      s.writeRow(r, rows[r], 0);
    }
    return rows;
  }

  @Test
  void rowsWrittenAndClosedReadBackTheSameBitsAfterReopening() throws IOException {
    Path file = dir.resolve("t.emb4j");
    float[][] rows;
    try (MappedRowStore s = MappedRowStore.create(file, 37, 13, null)) {
      rows = fill(s, 1);
    }
    try (MappedRowStore s = MappedRowStore.open(file)) {
      assertEquals(37, s.rows());
      assertEquals(13, s.dim());
      for (int r = 0; r < rows.length; r++) {
        float[] got = new float[13];
        s.readRow(r, got, 0);
        assertArrayEquals(rows[r], got, "row " + r);
      }
      s.set(5, 2, 42f); // a second session's change persists too
    }
    try (MappedRowStore s = MappedRowStore.open(file, 37, 13)) {
      assertEquals(42f, s.get(5, 2));
    }
  }

  @Test
  void aNewTableIsZerosAndTheFileHasExactlyTheTableLayout() throws IOException {
    Path file = dir.resolve("z.emb4j");
    try (MappedRowStore s = MappedRowStore.create(file, 1000, 16, null)) {
      assertArrayEquals(new float[16 * 1000], s.toTensor().data());
      // header, 1000 rows of 64 bytes from a 64-byte aligned offset, checksum
      long size = Files.size(file);
      assertEquals(4, (size - 1000 * 64L) % 64, "rows start on a 64-byte boundary and a 4-byte checksum follows");
    }
  }

  @Test
  void headerSaysDirtyWhileMappedAndCleanWithAValidChecksumAfterClose() throws IOException {
    Path file = dir.resolve("c.emb4j");
    MappedRowStore s = MappedRowStore.create(file, 10, 4, null);
    fill(s, 2);
    assertTrue(header(file).contains("\"state\":\"dirty\""), header(file));
    s.flush();
    assertTrue(header(file).contains("\"state\":\"dirty\""), "flush keeps the file dirty: " + header(file));
    s.close();
    assertTrue(header(file).contains("\"state\":\"clean\""), header(file));
    byte[] all = Files.readAllBytes(file);
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 4);
    int stored =
        java.nio.ByteBuffer.wrap(all, all.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    assertEquals((int) crc.getValue(), stored, "close writes the CRC32C of everything before it");
  }

  @Test
  void flushWritesTheRowsToTheFileWhileItStaysMapped() throws IOException {
    Path file = dir.resolve("f.emb4j");
    try (MappedRowStore s = MappedRowStore.create(file, 3, 2, null)) {
      s.writeRow(2, new float[] {1.5f, -2f}, 0);
      s.flush();
      byte[] all = Files.readAllBytes(file);
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      int rowsAt = all.length - 4 - 3 * 2 * 4;
      assertEquals(1.5f, b.getFloat(rowsAt + 2 * 8));
      assertEquals(-2f, b.getFloat(rowsAt + 2 * 8 + 4));
    }
  }

  @Test
  void creatingOverAnExistingFileIsRefused() throws IOException {
    Path file = dir.resolve("e.emb4j");
    Files.writeString(file, "precious");
    assertThrows(FileAlreadyExistsException.class, () -> MappedRowStore.create(file, 2, 2, null));
    assertEquals("precious", Files.readString(file), "nothing was written");
  }

  @Test
  void aTableLargerThanTheFreeSpaceIsRefusedBeforeAnythingIsWritten() {
    Path file = dir.resolve("huge.emb4j");
    IOException e = assertThrows(IOException.class, () -> MappedRowStore.create(file, 1L << 50, 1024, null));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("free"), e.getMessage());
    assertTrue(e.getMessage().contains("1125899906842624 x 1024"), e.getMessage());
    assertFalse(Files.exists(file), "nothing was written");
  }

  @Test
  void aTruncatedFileIsNamedWithItsSizes() throws IOException {
    Path file = dir.resolve("tr.emb4j");
    MappedRowStore.create(file, 100, 8, null).close();
    long size = Files.size(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size - 100);
    }
    MappedTableException e = assertThrows(MappedTableException.class, () -> MappedRowStore.open(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(String.valueOf(size - 100)), e.getMessage());
  }

  @Test
  void aFileOfAnotherShapeIsRefused() throws IOException {
    Path file = dir.resolve("s.emb4j");
    MappedRowStore.create(file, 100, 8, null).close();
    MappedTableException e = assertThrows(MappedTableException.class, () -> MappedRowStore.open(file, 100, 16));
    assertTrue(e.getMessage().contains("holds a 100 x 8 table, not the 100 x 16 asked for"), e.getMessage());
    UncheckedIOException u =
        assertThrows(UncheckedIOException.class, () -> Storage.mapped(file).open(50, 8).close());
    assertInstanceOf(MappedTableException.class, u.getCause());
    assertTrue(u.getMessage().contains(file.toString()), u.getMessage());
  }

  @Test
  void aFileOfAnotherElementTypeIsRefused() throws IOException {
    Path file = dir.resolve("d.emb4j");
    MappedRowStore.create(file, 4, 8, null).close();
    replaceInHeader(file, "\"dtype\":\"f32\"", "\"dtype\":\"f16\"");
    MappedTableException e = assertThrows(MappedTableException.class, () -> MappedRowStore.open(file));
    assertTrue(e.getMessage().contains("header dtype is f16, not one of format version 1's"), e.getMessage());
    Path half = dir.resolve("h.emb4j");
    MappedRowStore.create(half, 4, 8, DType.BF16, null).close();
    replaceInHeader(half, "\"dtype\":\"bf16\"", "\"dtype\":\"int8\"");
    e = assertThrows(MappedTableException.class, () -> MappedRowStore.open(half));
    assertTrue(e.getMessage().contains("holds int8 rows, quantized for inference"), e.getMessage());
  }

  /**
   * A bfloat16 table: version 2 of the format, 2 bytes per element, each value rounded to nearest as the off-heap
   * store rounds it; closed, it is an ordinary emb4j table that the vector readers read.
   */
  @Test
  void aBf16TableHoldsTheRoundedRowsInHalfTheBytes() throws IOException {
    Path file = dir.resolve("b.emb4j");
    float[][] rows;
    long f32Size;
    try (MappedRowStore s = MappedRowStore.create(dir.resolve("f.emb4j"), 37, 13, null)) {
      f32Size = s.sizeInBytes();
    }
    try (MappedRowStore s = MappedRowStore.create(file, 37, 13, DType.BF16, null);
        OffHeapRowStore reference = OffHeapRowStore.allocate(37, 13, DType.BF16)) {
      assertEquals(DType.BF16, s.dtype());
      assertEquals(f32Size / 2, s.sizeInBytes());
      rows = fill(s, 3);
      fill(reference, 3);
      for (int r = 0; r < rows.length; r++) {
        float[] got = new float[13];
        float[] want = new float[13];
        s.readRow(r, got, 0);
        reference.readRow(r, want, 0);
        assertArrayEquals(want, got, "row " + r);
        rows[r] = want;
      }
    }
    byte[] all = Files.readAllBytes(file);
    assertEquals(2, all[8], "format version 2");
    try (MappedRowStore s = MappedRowStore.open(file, 37, 13)) {
      assertEquals(DType.BF16, s.dtype());
      float[] got = new float[13];
      s.readRow(36, got, 0);
      assertArrayEquals(rows[36], got);
    }
    try (dev.emb4j.io.Vectors read = dev.emb4j.io.Vectors.read(file)) {
      for (int r = 0; r < rows.length; r++) {
        float[] got = new float[13];
        read.table().readRow(r, got, 0);
        assertArrayEquals(rows[r], got, "read back, row " + r);
      }
    }
  }

  @Test
  void aFileThatIsNotAnEmb4jTableIsRefused() throws IOException {
    Path file = dir.resolve("n.emb4j");
    Files.writeString(file, "the quick brown fox jumps over the lazy dog");
    MappedTableException e = assertThrows(MappedTableException.class, () -> MappedRowStore.open(file));
    assertTrue(e.getMessage().contains(file + ": not an emb4j table"), e.getMessage());
    Path empty = dir.resolve("empty.emb4j");
    Files.createFile(empty);
    assertThrows(MappedTableException.class, () -> MappedRowStore.open(empty));
  }

  @Test
  void aFileResizedUnderneathIsReportedAtFlushAndAtClose() throws IOException {
    Path file = dir.resolve("u.emb4j");
    MappedRowStore s = MappedRowStore.create(file, 16, 16, null);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() + 4096); // growing is safe to do under a mapping; shrinking would fault
    }
    UncheckedIOException e = assertThrows(UncheckedIOException.class, s::flush);
    assertTrue(e.getMessage().contains(file + ": changed underneath"), e.getMessage());
    assertThrows(UncheckedIOException.class, s::close);
  }

  @Test
  void aFileReplacedUnderneathIsReported() throws IOException {
    Path file = dir.resolve("r.emb4j");
    Path other = dir.resolve("other");
    Files.writeString(other, "x");
    MappedRowStore s = MappedRowStore.create(file, 4, 4, null);
    Files.move(other, file, StandardCopyOption.REPLACE_EXISTING);
    UncheckedIOException e = assertThrows(UncheckedIOException.class, s::close);
    assertTrue(e.getMessage().contains("replaced"), e.getMessage());
    assertEquals("x", Files.readString(file), "the other file is left as it is");
  }

  @Test
  void aSecondOpenOfAMappedFileIsRefused() throws IOException {
    Path file = dir.resolve("l.emb4j");
    MappedRowStore s = MappedRowStore.create(file, 4, 4, null);
    IOException e = assertThrows(IOException.class, () -> MappedRowStore.open(file));
    assertTrue(e.getMessage().contains("already open"), e.getMessage());
    s.close();
    MappedRowStore.open(file).close(); // free again after close
  }

  @Test
  void siblingsLiveBesideTheTableAndAreClosedWithIt() throws IOException {
    Path file = dir.resolve("p.emb4j");
    MappedRowStore s = MappedRowStore.create(file, 8, 4, null);
    RowStore sum = s.allocateSibling("adagrad-sum", 8, 1);
    sum.set(3, 0, 7f);
    assertTrue(Files.exists(dir.resolve("p.emb4j.adagrad-sum")));
    s.close();
    try (MappedRowStore reopened = MappedRowStore.open(dir.resolve("p.emb4j.adagrad-sum"), 8, 1)) {
      assertEquals(7f, reopened.get(3, 0));
    }
    assertInstanceOf(HeapRowStore.class, Storage.OFF_HEAP.allocate(1, 1).allocateSibling("adagrad-sum", 1, 1));
  }

  @Test
  void aDirtyFileLeftByACrashOpensWithItsRows() throws IOException {
    Path file = dir.resolve("crash.emb4j");
    float[][] rows;
    try (MappedRowStore s = MappedRowStore.create(file, 5, 3, null)) {
      rows = fill(s, 3);
    }
    replaceInHeader(file, "\"state\":\"clean\"", "\"state\":\"dirty\"");
    try (MappedRowStore s = MappedRowStore.open(file)) {
      float[] got = new float[3];
      s.readRow(4, got, 0);
      assertArrayEquals(rows[4], got);
    }
  }

  private static String header(Path file) throws IOException {
    byte[] head = new byte[512];
    try (var in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, head.length);
      return new String(head, 16, n - 16, StandardCharsets.UTF_8);
    }
  }

  /** Rewrites part of the header in place (same length). */
  static void replaceInHeader(Path file, String from, String to) throws IOException {
    assertEquals(from.length(), to.length());
    byte[] all = Files.readAllBytes(file);
    String text = new String(all, 0, Math.min(all.length, 1024), StandardCharsets.ISO_8859_1);
    int at = text.indexOf(from);
    assertTrue(at > 0, "header has " + from);
    byte[] b = to.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(b, 0, all, at, b.length);
    Files.write(file, all);
  }
}
