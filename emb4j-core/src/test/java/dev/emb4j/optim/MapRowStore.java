package dev.emb4j.optim;

import dev.emb4j.store.RowStore;
import java.util.HashMap;
import java.util.Map;

/**
 * A huge, virtual row store: rows are created (zero) on first access and kept in a map, and every access is counted,
 * so a test can show that a sparse update touches only a few rows of a table far too large to allocate.
 */
final class MapRowStore implements RowStore {
  private final long rows;
  private final int dim;
  private final Map<Long, float[]> data = new HashMap<>();
  long reads;
  long writes;

  MapRowStore(long rows, int dim) {
    this.rows = rows;
    this.dim = dim;
  }

  private float[] row(long r) {
    if (r < 0 || r >= rows) {
      throw new IndexOutOfBoundsException("row " + r);
    }
    return data.computeIfAbsent(r, k -> new float[dim]);
  }

  /** Rows that were ever accessed. */
  int materialisedRows() {
    return data.size();
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
    reads++;
    return row(row)[col];
  }

  @Override
  public void set(long row, int col, float value) {
    writes++;
    row(row)[col] = value;
  }

  @Override
  public void readRow(long row, float[] dst, int dstOffset) {
    reads++;
    System.arraycopy(row(row), 0, dst, dstOffset, dim);
  }

  @Override
  public void writeRow(long row, float[] src, int srcOffset) {
    writes++;
    System.arraycopy(src, srcOffset, row(row), 0, dim);
  }

  @Override
  public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
    reads++;
    float[] r = row(row);
    for (int j = 0; j < dim; j++) {
      dst[dstOffset + j] += scale * r[j];
    }
  }

  @Override
  public void addToRow(long row, float scale, float[] src, int srcOffset) {
    writes++;
    float[] r = row(row);
    for (int j = 0; j < dim; j++) {
      r[j] += scale * src[srcOffset + j];
    }
  }

  @Override
  public void scaleRow(long row, float factor) {
    writes++;
    float[] r = row(row);
    for (int j = 0; j < dim; j++) {
      r[j] *= factor;
    }
  }

  @Override
  public long sizeInBytes() {
    return (long) data.size() * dim * Float.BYTES;
  }

  @Override
  public void close() {}
}
