package dev.emb4j.nn;

import dev.emb4j.autograd.TableGradient;
import dev.emb4j.store.RowStore;
import java.util.Optional;
import java.util.function.Consumer;

/** The weight of an {@link Embedding} or {@link EmbeddingBag} seen as a {@link Parameter}. */
final class TableParameter implements Parameter {
  private final String name;
  private final TableCore core;

  TableParameter(String name, TableCore core) {
    this.name = name;
    this.core = core;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public RowStore value() {
    return core.store;
  }

  @Override
  public Optional<TableGradient> grad() {
    return core.grad();
  }

  @Override
  public void zeroGrad() {
    core.zeroGrad();
  }

  @Override
  public long[] takeReplacedRows() {
    java.util.function.Supplier<long[]> source = core.replacedRows;
    return source == null ? new long[0] : source.get();
  }

  @Override
  public boolean requiresGrad() {
    return !core.frozen;
  }

  @Override
  public void onRowsWritten(Consumer<long[]> listener) {
    core.onRowsWritten(listener);
  }

  @Override
  public String toString() {
    return name + ": " + core.kind + " weight (" + core.rows + " x " + core.dim + ")";
  }
}
