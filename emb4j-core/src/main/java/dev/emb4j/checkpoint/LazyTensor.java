package dev.emb4j.checkpoint;

import dev.emb4j.internal.format.AtomicOutput;
import dev.emb4j.internal.format.ContainerReader;
import dev.emb4j.store.LazyRowStore;
import dev.emb4j.store.RowInit;
import dev.emb4j.store.RowStore;
import java.io.IOException;

/**
 * How a checkpoint holds a table with lazy rows ({@link LazyRowStore}): only the rows that were initialised, so that
 * the base checkpoint of a large table of which a few rows were trained costs those rows. The tensor's header entry
 * carries two more members, {@code "lazy_init"} (the {@link RowInit}, as {@link RowInit#toJson()} writes it) and
 * {@code "initialized_rows"} (n); its data is a bitmap of the saved rows ({@code ceil(rows / 64)} little-endian 64-bit
 * words, bit {@code r % 64} of word {@code r / 64} for row r), then the n saved rows in ascending order, float32
 * little-endian. A row not saved had never been touched: it holds its initial values.
 */
final class LazyTensor {
  private LazyTensor() {}

  /** Bytes of the bitmap of a tensor of {@code rows} rows. */
  static long bitmapBytes(long rows) {
    return (rows + 63) / 64 * Long.BYTES;
  }

  /** Bytes of a lazy tensor's data. */
  static long bytes(long rows, int dim, long saved) {
    return Math.addExact(
        bitmapBytes(rows), Math.multiplyExact(Math.multiplyExact(saved, (long) dim), (long) Float.BYTES));
  }

  /**
   * Writes the bitmap and the initialised rows of {@code store}, a batch of rows at a time.
   *
   * @return the number of rows written
   */
  static long write(AtomicOutput out, LazyRowStore store, int batchFloats) throws IOException {
    long rows = store.rows();
    int dim = store.dim();
    for (long w = 0, words = (rows + 63) / 64; w < words; w++) {
      long word = 0;
      for (long r = w * 64, end = Math.min(rows, r + 64); r < end; r++) {
        word |= store.isInitialized(r) ? 1L << r : 0;
      }
      out.writeLongLE(word);
    }
    RowStore raw = store.rawStore();
    int perBatch = Math.max(1, batchFloats / dim);
    float[] batch = new float[perBatch * dim];
    long saved = 0;
    int k = 0;
    for (long r = 0; r < rows; r++) {
      if (store.isInitialized(r)) {
        raw.readRow(r, batch, k * dim);
        saved++;
        if (++k == perBatch) {
          out.writeFloatsLE(batch, 0, k * dim);
          k = 0;
        }
      }
    }
    out.writeFloatsLE(batch, 0, k * dim);
    return saved;
  }

  /**
   * The number of rows the bitmap at {@code offset} marks as saved, with a check that it marks no row past the
   * last.
   */
  static long countSaved(ContainerReader in, long offset, long rows) throws IOException {
    ContainerReader.Cursor bits = in.cursor(offset);
    long count = 0;
    for (long w = 0, words = (rows + 63) / 64; w < words; w++) {
      long word = readLong(bits);
      long valid = rows - w * 64 >= 64 ? -1L : (1L << (rows - w * 64)) - 1;
      if ((word & ~valid) != 0) {
        return -1;
      }
      count += Long.bitCount(word);
    }
    return count;
  }

  /**
   * Loads a lazy tensor into {@code dst}: the saved rows as they are; the others, never touched when it was saved,
   * uninitialised again in a lazy store with the same initializer, else written with their initial values.
   */
  static void read(ContainerReader in, long offset, long rows, int dim, RowInit init, RowStore dst)
      throws IOException {
    ContainerReader.Cursor bits = in.cursor(offset);
    ContainerReader.Cursor values = in.cursor(offset + bitmapBytes(rows));
    LazyRowStore sameInit = dst instanceof LazyRowStore l && l.init().equals(init) ? l : null;
    float[] row = new float[dim];
    for (long w = 0, words = (rows + 63) / 64; w < words; w++) {
      long word = readLong(bits);
      for (long r = w * 64, end = Math.min(rows, r + 64); r < end; r++) {
        if ((word & (1L << r)) != 0) {
          values.readFloats(row, 0, dim);
          dst.writeRow(r, row, 0);
        } else if (sameInit != null) {
          sameInit.uninitialize(r);
        } else {
          init.fill(r, row, 0, dim);
          dst.writeRow(r, row, 0);
        }
      }
    }
  }

  private static long readLong(ContainerReader.Cursor c) throws IOException {
    long lo = c.readIntLE() & 0xFFFF_FFFFL;
    return lo | (long) c.readIntLE() << 32;
  }
}
