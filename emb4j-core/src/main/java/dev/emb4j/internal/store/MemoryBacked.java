package dev.emb4j.internal.store;

/**
 * A row store whose rows lie in memory that kernels may address directly: the built-in heap and off-heap stores.
 * Kernels test a store with {@code instanceof} and fall back to the store's methods for any other implementation.
 */
public interface MemoryBacked {

  /**
   * The rows as memory; the view is valid while the store is open.
   *
   * @return the memory view
   */
  RowMemory rowMemory();
}
