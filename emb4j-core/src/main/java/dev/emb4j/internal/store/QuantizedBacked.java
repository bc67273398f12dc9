package dev.emb4j.internal.store;

/**
 * A row store whose rows are quantized row-wise in memory that kernels may decode directly: {@code
 * dev.emb4j.store.QuantizedRowStore}. Kernels test a store with {@code instanceof}, as for {@link MemoryBacked}.
 */
public interface QuantizedBacked {

  /**
   * The rows as memory; the view is valid while the store is open.
   *
   * @return the quantized rows
   */
  QuantizedRows quantizedRows();
}
