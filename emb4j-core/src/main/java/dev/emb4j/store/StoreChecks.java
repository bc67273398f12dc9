package dev.emb4j.store;

/** Argument checks shared by the stores. */
final class StoreChecks {
  private StoreChecks() {}

  static void checkShape(long rows, int dim) {
    if (rows < 0) {
      throw new IllegalArgumentException("the number of rows must not be negative, got " + rows);
    }
    if (dim <= 0) {
      throw new IllegalArgumentException("the row width (embedding dim) must be positive, got " + dim);
    }
  }
}
