package dev.emb4j.store;

/** Where a new table keeps its rows: the user's choice when building an embedding. */
public enum Storage {
  /** {@link HeapRowStore}: Java arrays, garbage collected. The default. */
  HEAP,
  /** {@link OffHeapRowStore}: native memory with 64-byte aligned rows; close the table to free it. */
  OFF_HEAP;

  /** A zero-filled float32 store of {@code rows x dim} of this kind. */
  public RowStore allocate(long rows, int dim) {
    return allocate(rows, dim, DType.F32);
  }

  /**
   * A zero-filled store of {@code rows x dim} elements of {@code dtype} (F32, F16 or BF16) of this kind.
   *
   * @throws IllegalArgumentException if the shape is invalid or the dtype is not one a trainable table can hold
   */
  public RowStore allocate(long rows, int dim, DType dtype) {
    return switch (this) {
      case HEAP -> HeapRowStore.allocate(rows, dim, dtype);
      case OFF_HEAP -> OffHeapRowStore.allocate(rows, dim, dtype);
    };
  }
}
