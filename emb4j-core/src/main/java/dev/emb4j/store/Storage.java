package dev.emb4j.store;

/** Where a new table keeps its rows: the user's choice when building an embedding. */
public enum Storage {
  /** {@link HeapRowStore}: Java arrays, garbage collected. The default. */
  HEAP,
  /** {@link OffHeapRowStore}: native memory with 64-byte aligned rows; close the table to free it. */
  OFF_HEAP;

  /** A zero-filled store of {@code rows x dim} of this kind. */
  public RowStore allocate(long rows, int dim) {
    return switch (this) {
      case HEAP -> HeapRowStore.allocate(rows, dim);
      case OFF_HEAP -> OffHeapRowStore.allocate(rows, dim);
    };
  }
}
