package dev.emb4j.cli.bench;

import java.util.function.Supplier;

/**
 * One workload's call on a table that is built and filled, ready for {@link Harness} to time, and what frees the
 * table: built apart from the timing so that the calls on several tables can be timed in alternated rounds.
 *
 * @param call one call of the workload
 * @param rowsPerCall the rows one call processes
 * @param stats a dynamic table's figures, read after the timing; null for a dense table
 * @param resources what to close when the timing is done
 */
record TimedCall(Runnable call, long rowsPerCall, Supplier<DynamicTable.Stats> stats, AutoCloseable resources)
    implements AutoCloseable {

  /** A call on a dense table. */
  static TimedCall dense(Runnable call, long rowsPerCall, AutoCloseable resources) {
    return new TimedCall(call, rowsPerCall, () -> null, resources);
  }

  @Override
  public void close() {
    try {
      resources.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("closing the benchmark's table failed: " + e.getMessage(), e);
    }
  }
}
