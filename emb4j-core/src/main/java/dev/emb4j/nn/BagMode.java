package dev.emb4j.nn;

/** How an {@link EmbeddingBag} reduces the rows of one bag to a single row. */
public enum BagMode {
  /** The (optionally per-sample weighted) sum of the bag's rows. */
  SUM,
  /** The mean of the bag's non-padding rows; the PyTorch default. */
  MEAN,
  /** The element-wise maximum; ties go to the earliest position in the bag. */
  MAX
}
