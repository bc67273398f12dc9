package dev.emb4j.checkpoint;

import dev.emb4j.internal.format.ContainerReader;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.ReadOnlyRowStore;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A read-only view of a saved tensor's rows, read from the checkpoint file when asked for (or zeros, for a slot whose
 * rows all come later): what a load hands to {@code Optimizer.importState}, which copies it row by row into the
 * optimizer's own stores, so that loading the state of a large table streams it instead of holding a copy in memory.
 * Sequential reads, the importer's order, go through one buffered cursor; a jump starts another. Valid while the
 * reader is open; the write methods throw {@link UnsupportedOperationException}.
 */
final class SavedRows extends ReadOnlyRowStore {
  private final ContainerReader in;
  private final long offset;
  private final long rows;
  private final int dim;
  private ContainerReader.Cursor cursor;
  private long nextRow = -1;
  private float[] scratch;

  private SavedRows(ContainerReader in, long offset, long rows, int dim) {
    this.in = in;
    this.offset = offset;
    this.rows = rows;
    this.dim = dim;
  }

  /** The {@code rows x dim} float32 rows stored from {@code offset} of the file {@code in} reads. */
  static SavedRows of(ContainerReader in, long offset, long rows, int dim) {
    return new SavedRows(in, offset, rows, dim);
  }

  /** {@code rows x dim} zeros. */
  static SavedRows zeros(long rows, int dim) {
    return new SavedRows(null, 0, rows, dim);
  }

  /**
   * A heap copy of the rows, read in order.
   *
   * @throws UncheckedIOException if the file cannot be read
   */
  HeapRowStore toHeap() {
    HeapRowStore copy = HeapRowStore.allocate(rows, dim);
    float[] row = new float[dim];
    for (long r = 0; r < rows; r++) {
      readRow(r, row, 0);
      copy.writeRow(r, row, 0);
    }
    return copy;
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
  public void readRow(long row, float[] dst, int dstOffset) {
    if (in == null) {
      Arrays.fill(dst, dstOffset, dstOffset + dim, 0f);
      return;
    }
    try {
      if (row != nextRow) {
        cursor = in.cursor(offset + row * dim * Float.BYTES);
      }
      cursor.readFloats(dst, dstOffset, dim);
      nextRow = row + 1;
    } catch (EOFException e) {
      nextRow = -1;
      throw new UncheckedIOException(
          new CheckpointFormatException(
              in.file(), "checkpoint " + in.file() + " ended while row " + row + " was being read (was it modified?)"));
    } catch (IOException e) {
      nextRow = -1;
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  @Override
  public float get(long row, int col) {
    if (scratch == null) {
      scratch = new float[dim];
    }
    readRow(row, scratch, 0);
    return scratch[col];
  }

  @Override
  public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
    if (scratch == null) {
      scratch = new float[dim];
    }
    readRow(row, scratch, 0);
    for (int j = 0; j < dim; j++) {
      dst[dstOffset + j] += scale * scratch[j];
    }
  }

  @Override
  protected String readOnlyReason() {
    return "the saved rows of a checkpoint are read-only";
  }

  /** Nothing is held: the rows stay in the file. */
  @Override
  public long sizeInBytes() {
    return 0;
  }

  @Override
  public void close() {}
}
