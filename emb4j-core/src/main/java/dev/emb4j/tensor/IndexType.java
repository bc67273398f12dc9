package dev.emb4j.tensor;

/** The element type of an {@link IndexTensor}: the two index types PyTorch accepts, int32 and int64. */
public enum IndexType {
  /** 32-bit ids, stored as {@code int[]}. */
  INT32,
  /** 64-bit ids, stored as {@code long[]}. */
  INT64
}
