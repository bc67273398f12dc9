package dev.emb4j.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a new table keeps its rows, the user's choice when building an embedding: {@link #HEAP} (the default), {@link
 * #OFF_HEAP} or a memory-mapped file, {@link #mapped(Path)}. Immutable.
 */
public sealed interface Storage permits Storage.InMemory, Storage.Mapped {

  /** {@link HeapRowStore}: Java arrays, garbage collected. The default. */
  Storage HEAP = new InMemory(false);

  /** {@link OffHeapRowStore}: native memory with 64-byte aligned rows; close the table to free it. */
  Storage OFF_HEAP = new InMemory(true);

  /**
   * {@link MappedRowStore}: rows in {@code file}, mapped into memory, so that the table may be larger than RAM and
   * outlives the process; close the table to seal the file. A table built on an existing file uses its rows (they must
   * have the table's shape); otherwise the file is created, and its rows are lazy by default.
   *
   * @param file the table's file
   * @return the storage
   */
  static Mapped mapped(Path file) {
    return new Mapped(file);
  }

  /**
   * A new zero-filled float32 store of {@code rows x dim} of this kind.
   *
   * @param rows the number of rows
   * @param dim floats per row
   * @return the store
   * @throws UncheckedIOException for a mapped store whose file exists or cannot be created
   */
  default RowStore allocate(long rows, int dim) {
    return allocate(rows, dim, DType.F32);
  }

  /**
   * A new zero-filled store of {@code rows x dim} elements of {@code dtype} of this kind.
   *
   * @param rows the number of rows
   * @param dim values per row
   * @param dtype F32, F16 or BF16
   * @return the store
   * @throws IllegalArgumentException if the shape is invalid or the dtype is not one this kind of table can hold
   * @throws UncheckedIOException for a mapped store whose file exists or cannot be created
   */
  RowStore allocate(long rows, int dim, DType dtype);

  /**
   * A new store of {@code rows x dim} elements of {@code dtype} whose rows are drawn from {@code init} when first
   * touched ({@link LazyRowStore}): constant time whatever the size.
   *
   * @param rows the number of rows
   * @param dim values per row
   * @param dtype F32, F16 or BF16
   * @param init the initial values
   * @return the store
   * @throws UncheckedIOException for a mapped store whose file exists or cannot be created
   */
  default RowStore allocateLazy(long rows, int dim, DType dtype, RowInit init) {
    return LazyRowStore.over(allocate(rows, dim, dtype), init);
  }

  /**
   * {@link #allocateLazy(long, int, DType, RowInit)} of float32 rows.
   *
   * @param rows the number of rows
   * @param dim floats per row
   * @param init the initial values
   * @return the store
   */
  default RowStore allocateLazy(long rows, int dim, RowInit init) {
    return allocateLazy(rows, dim, DType.F32, init);
  }

  /**
   * The name of this kind on the command line and in benchmark lines: {@code heap}, {@code offheap} or {@code
   * mapped}.
   *
   * @return the name
   */
  String label();

  /** Rows in the process's memory: the class of {@link #HEAP} and {@link #OFF_HEAP}, its only two values. */
  final class InMemory implements Storage {
    private final boolean offHeap;

    private InMemory(boolean offHeap) {
      this.offHeap = offHeap;
    }

    @Override
    public RowStore allocate(long rows, int dim, DType dtype) {
      return offHeap ? OffHeapRowStore.allocate(rows, dim, dtype) : HeapRowStore.allocate(rows, dim, dtype);
    }

    @Override
    public String label() {
      return offHeap ? "offheap" : "heap";
    }

    @Override
    public String toString() {
      return offHeap ? "OFF_HEAP" : "HEAP";
    }
  }

  /**
   * Rows in a memory-mapped file; made by {@link Storage#mapped(Path)}.
   *
   * @param file the table's file
   */
  record Mapped(Path file) implements Storage {
    /**
     * Checks the path.
     *
     * @throws NullPointerException if {@code file} is null
     */
    public Mapped {
      Objects.requireNonNull(file, "file");
    }

    @Override
    public RowStore allocate(long rows, int dim, DType dtype) {
      return create(rows, dim, dtype, null);
    }

    @Override
    public RowStore allocateLazy(long rows, int dim, DType dtype, RowInit init) {
      return create(rows, dim, dtype, Objects.requireNonNull(init, "init"));
    }

    private RowStore create(long rows, int dim, DType dtype, RowInit init) {
      try {
        return lazyIfRecorded(MappedRowStore.create(file, rows, dim, dtype, init));
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }

    /**
     * The storage of one of several tables kept beside this one: the file name with {@code "." + part} inserted
     * before its extension, e.g. {@code model.emb4j} and {@code user} give {@code model.user.emb4j}.
     *
     * @param part the table's name, e.g. {@code user}
     * @return the storage of that table
     */
    public Mapped part(String part) {
      String name = file.getFileName().toString();
      int dot = name.lastIndexOf('.');
      String named = dot > 0 ? name.substring(0, dot) + "." + part + name.substring(dot) : name + "." + part;
      return new Mapped(file.resolveSibling(named));
    }

    /**
     * Whether the file exists, so that {@link #open} applies rather than {@link #allocate}.
     *
     * @return true if it exists
     */
    public boolean exists() {
      return Files.exists(file);
    }

    /**
     * Maps the existing file, which must hold a {@code rows x dim} table: lazy ({@link LazyRowStore}) if its header
     * records a lazy initializer, else the {@link MappedRowStore} itself.
     *
     * @param rows the rows the table must have
     * @param dim the elements per row it must have
     * @return the store, of the file's element type ({@link RowStore#dtype()})
     * @throws UncheckedIOException wrapping a {@link MappedTableException} that names the file when it cannot be
     *     mapped as such a table
     */
    public RowStore open(long rows, int dim) {
      try {
        return lazyIfRecorded(MappedRowStore.open(file, rows, dim));
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }

    private static RowStore lazyIfRecorded(MappedRowStore store) {
      RowInit init = store.lazyInit();
      return init == null ? store : new LazyRowStore(store, init, store.initializedBitmap(), null);
    }

    @Override
    public String label() {
      return "mapped";
    }

    @Override
    public String toString() {
      return "mapped(" + file + ")";
    }
  }
}
