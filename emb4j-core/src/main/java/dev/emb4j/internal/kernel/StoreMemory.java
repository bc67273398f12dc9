package dev.emb4j.internal.kernel;

import dev.emb4j.internal.store.MemoryBacked;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.RowStore;
import java.util.Optional;

/** The memory behind a row store, for kernels that read and write rows directly instead of through its methods. */
public final class StoreMemory {
  private StoreMemory() {}

  /**
   * The rows of {@code store} as memory: present for the built-in stores, empty for other implementations (the
   * kernels then use the store's methods). The view is valid while the store is open.
   *
   * @param store the store
   * @return its memory, or empty
   */
  public static Optional<RowMemory> of(RowStore store) {
    return store instanceof MemoryBacked m ? Optional.of(m.rowMemory()) : Optional.empty();
  }
}
