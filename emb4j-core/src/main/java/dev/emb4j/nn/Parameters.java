package dev.emb4j.nn;

import dev.emb4j.autograd.TableGradient;
import dev.emb4j.store.RowStore;
import dev.emb4j.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Helpers for lists of parameters: naming them after their place in a model. A {@link Model} names its parameters
 * itself ({@link Model#namedParameters()}); this is for code that assembles a list by hand.
 */
public final class Parameters {
  private Parameters() {}

  /**
   * The parameters of {@code module}, each renamed to {@code prefix + "." + name}, e.g. {@code "fc1.weight"}. The
   * views share everything else with the originals.
   */
  public static List<Parameter> named(String prefix, Model module) {
    List<Parameter> out = new ArrayList<>();
    for (Parameter p : module.parameters()) {
      out.add(renamed(prefix + "." + p.name(), p));
    }
    return out;
  }

  /** A view of {@code p} named {@code name}, sharing everything else. */
  static Parameter renamed(String name, Parameter p) {
    return new Renamed(name, p instanceof Renamed r ? r.inner : p);
  }

  private record Renamed(String name, Parameter inner) implements Parameter {
    @Override
    public RowStore value() {
      return inner.value();
    }

    @Override
    public Optional<TableGradient> grad() {
      return inner.grad();
    }

    @Override
    public void zeroGrad() {
      inner.zeroGrad();
    }

    @Override
    public boolean requiresGrad() {
      return inner.requiresGrad();
    }

    @Override
    public Shape shape() {
      return inner.shape();
    }

    @Override
    public long[] takeReplacedRows() {
      return inner.takeReplacedRows();
    }

    @Override
    public void onRowsWritten(Consumer<long[]> listener) {
      inner.onRowsWritten(listener);
    }

    @Override
    public boolean canGrowTo(long rows) {
      return inner.canGrowTo(rows);
    }

    @Override
    public void growTo(long rows) {
      inner.growTo(rows);
    }
  }
}
