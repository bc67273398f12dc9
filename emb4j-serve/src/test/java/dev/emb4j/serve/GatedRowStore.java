package dev.emb4j.serve;

import dev.emb4j.store.RowStore;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A store whose {@code readRow} of row 0 signals {@link #entered} and then waits for {@link #open}, to hold a request
 * in flight; reading after {@link #close} fails, to show that a store was closed under a request; reading a row at or
 * past {@link #failFrom} fails, as a file that breaks part way.
 */
final class GatedRowStore implements RowStore {
  final CountDownLatch entered = new CountDownLatch(1);
  final CountDownLatch open = new CountDownLatch(1);
  private final RowStore inner;
  private volatile boolean closed;
  /** The first row whose reading fails. */
  volatile long failFrom = Long.MAX_VALUE;

  GatedRowStore(RowStore inner) {
    this.inner = inner;
  }

  @Override
  public long rows() {
    return inner.rows();
  }

  @Override
  public int dim() {
    return inner.dim();
  }

  @Override
  public float get(long row, int col) {
    return inner.get(row, col);
  }

  @Override
  public void set(long row, int col, float value) {
    inner.set(row, col, value);
  }

  @Override
  public void readRow(long row, float[] dst, int dstOffset) {
    if (row == 0) {
      entered.countDown();
      try {
        if (!open.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the gate was never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (closed) {
      throw new IllegalStateException("read after close");
    }
    if (row >= failFrom) {
      throw new IllegalStateException("row " + row + " cannot be read");
    }
    inner.readRow(row, dst, dstOffset);
  }

  @Override
  public void writeRow(long row, float[] src, int srcOffset) {
    inner.writeRow(row, src, srcOffset);
  }

  @Override
  public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
    inner.accumulateRow(row, scale, dst, dstOffset);
  }

  @Override
  public void addToRow(long row, float scale, float[] src, int srcOffset) {
    inner.addToRow(row, scale, src, srcOffset);
  }

  @Override
  public void scaleRow(long row, float factor) {
    inner.scaleRow(row, factor);
  }

  @Override
  public long sizeInBytes() {
    return inner.sizeInBytes();
  }

  @Override
  public void close() {
    closed = true;
    inner.close();
  }
}
