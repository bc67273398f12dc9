package dev.emb4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.emb4j.checkpoint.CheckpointTest.StoreParam;
import dev.emb4j.nn.DenseParameter;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.RowStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint of a tensor of more than 2^31 floats (an 8.6 GB file), with no big allocation: the saved table computes
 * its values from their position and the loaded one checks each row as it arrives. Opt-in: {@code mvn -Pbig}.
 */
class CheckpointBigTest {

  @TempDir Path dir;

  private static final int DIM = 64;
  private static final long ROWS = (1L << 31) / DIM + 5; // 2^31 + 320 floats

  /** The value at a flat position: a well-mixed bit pattern, so misplaced bytes cannot go unnoticed. */
  static float valueAt(long index) {
    long z = index * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
    return Float.intBitsToFloat((int) (z ^ (z >>> 29)));
  }

  /** A read-only view of generated values; writes are checked against them. */
  private static final class GeneratedStore implements RowStore {
    final long rows;
    final int dim;
    final boolean verifyWrites;
    long rowsWritten;
    long nextRow;

    GeneratedStore(long rows, int dim, boolean verifyWrites) {
      this.rows = rows;
      this.dim = dim;
      this.verifyWrites = verifyWrites;
    }

    @Override
    public long rows() {
      return rows;
    }

    @Override
    public int dim() {
      return dim;
    }

    @Override
    public float get(long row, int col) {
      return valueAt(row * dim + col);
    }

    @Override
    public void set(long row, int col, float value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void readRow(long row, float[] dst, int dstOffset) {
      long base = row * dim;
      for (int j = 0; j < dim; j++) {
        dst[dstOffset + j] = valueAt(base + j);
      }
    }

    @Override
    public void writeRow(long row, float[] src, int srcOffset) {
      if (!verifyWrites) {
        throw new UnsupportedOperationException();
      }
      if (row != nextRow) {
        throw new AssertionError("row " + row + " written out of order, expected " + nextRow);
      }
      long base = row * dim;
      for (int j = 0; j < dim; j++) {
        if (Float.floatToRawIntBits(src[srcOffset + j]) != Float.floatToRawIntBits(valueAt(base + j))) {
          throw new AssertionError("row " + row + " col " + j + " differs");
        }
      }
      nextRow++;
      rowsWritten++;
    }

    @Override
    public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void addToRow(long row, float scale, float[] src, int srcOffset) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void scaleRow(long row, float factor) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long sizeInBytes() {
      return 0;
    }

    @Override
    public void close() {}
  }

  @Test
  @Tag("big")
  void aTensorOfMoreThanTwoToThe31FloatsRoundTrips() throws IOException {
    long bytes = ROWS * DIM * 4L;
    assumeTrue(
        Files.getFileStore(dir).getUsableSpace() > bytes + (2L << 30),
        "needs " + (bytes >> 30) + " GiB + 2 of free disk space in " + dir);
    Path file = dir.resolve("big.ckpt");
    // A small parameter after the big one: its offset is past 2^33 bytes.
    DenseParameter after = new DenseParameter("after", 3, 5);
    CheckpointTest.fill(after.value(), 77);
    Checkpoint.save(file, List.of(new StoreParam("big", new GeneratedStore(ROWS, DIM, false)), after), null, Map.of());
    assertTrue(Files.size(file) > bytes);

    // Spot check: the last float of the big tensor sits at the documented (long) offset.
    int h;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, 12);
      h = b.getInt(0);
      long last = 16L + h + bytes - 4;
      b.clear();
      ch.read(b, last);
      assertEquals(Float.floatToRawIntBits(valueAt(ROWS * DIM - 1)), b.getInt(0));
    }

    GeneratedStore target = new GeneratedStore(ROWS, DIM, true);
    DenseParameter afterTarget = new DenseParameter("after", 3, 5);
    List<Parameter> params = List.of(new StoreParam("big", target), afterTarget);
    Checkpoint.load(file, params);
    assertEquals(ROWS, target.rowsWritten);
    assertArrayEquals(CheckpointTest.bits(after.value()), CheckpointTest.bits(afterTarget.value()));
  }
}
