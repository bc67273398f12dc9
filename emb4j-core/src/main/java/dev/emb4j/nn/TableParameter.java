package dev.emb4j.nn;

import dev.emb4j.autograd.TableGradient;
import dev.emb4j.store.RowStore;
import java.util.Optional;
import java.util.function.Consumer;

/** The weight of an {@link Embedding} or {@link EmbeddingBag} seen as a {@link Parameter}. */
final class TableParameter implements Parameter {
  private final String name;
  /** The table, whose core is read at each call: a {@link DynamicEmbeddingBag} that grows swaps it. */
  private final EmbeddingTable table;

  TableParameter(String name, EmbeddingTable table) {
    this.name = name;
    this.table = table;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public RowStore value() {
    return table.core.store;
  }

  @Override
  public Optional<TableGradient> grad() {
    return table.core.grad();
  }

  @Override
  public void zeroGrad() {
    table.core.zeroGrad();
  }

  @Override
  public long[] takeReplacedRows() {
    java.util.function.Supplier<long[]> source = table.core.replacedRows;
    return source == null ? new long[0] : source.get();
  }

  @Override
  public boolean canGrowTo(long rows) {
    TableCore.RowGrowth g = table.core.growth;
    return g != null && g.canGrowTo(rows);
  }

  @Override
  public void growTo(long rows) {
    TableCore.RowGrowth g = table.core.growth;
    if (g == null || !g.canGrowTo(rows)) {
      throw new IllegalArgumentException(this + " cannot grow to " + rows + " rows");
    }
    g.growTo(rows);
  }

  @Override
  public boolean requiresGrad() {
    return !table.core.frozen;
  }

  @Override
  public void onRowsWritten(Consumer<long[]> listener) {
    table.core.onRowsWritten(listener);
  }

  @Override
  public String toString() {
    return name + ": " + table.core.kind + " weight (" + table.core.rows + " x " + table.core.dim + ")";
  }
}
