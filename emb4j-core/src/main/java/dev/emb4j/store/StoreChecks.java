package dev.emb4j.store;

/** Argument checks shared by the stores. */
final class StoreChecks {
  private StoreChecks() {}

  /** Checks that {@code dtype} is one a trainable table can hold: float32 or a 16-bit float. */
  static void checkTrainable(DType dtype) {
    java.util.Objects.requireNonNull(dtype, "dtype");
    if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
      throw new IllegalArgumentException(
          "a row store of " + dtype + " elements is not supported here (F32, F16 or BF16)");
    }
  }

  static void checkShape(long rows, int dim) {
    if (rows < 0) {
      throw new IllegalArgumentException("the number of rows must not be negative, got " + rows);
    }
    if (dim <= 0) {
      throw new IllegalArgumentException("the row width (embedding dim) must be positive, got " + dim);
    }
  }
}
