package dev.emb4j.nn;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.KeyedJaggedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Named tables that pool the features of a {@link KeyedJaggedTensor} in one call, TorchRec's {@code
 * EmbeddingBagCollection}: each table reads one or more features (features may share a table), and {@link
 * #forward} returns each feature's pooled rows {@code (B, D)}.
 *
 * <pre>{@code
 * EmbeddingBagCollection ebc = EmbeddingBagCollection.builder()
 *     .table("genre", EmbeddingBag.builder(19, 8).mode(BagMode.MEAN).sparse(true).build(), "genres")
 *     .table("user", DynamicEmbeddingBag.builder(10_000, 8).mode(BagMode.SUM).sparse(true).build(), "user_id")
 *     .build();
 * Map<String, Variable> pooled = ebc.forward(kjt);       // "genres" -> (B, 8), "user_id" -> (B, 8)
 * }</pre>
 *
 * <p>The features of a table are pooled by one lookup of that table: their bags are laid end to end ({@code F * B}
 * bags) and the output is split per feature, so a table read by several features is read (and its gradient
 * accumulated) once per call. A loss computed from every feature's output backpropagates into all tables in one
 * {@code backward()}, and one optimizer over {@link #parameters()} updates them all in one step. Tables are
 * registered under their names ({@code "genre.weight"}, {@code "user.table.weight"}, {@code "user.ids"}).
 *
 * <p>Tables may be ordinary {@link EmbeddingBag}s (values are row numbers) or {@link DynamicEmbeddingBag}s (values
 * are raw ids). Per-value weights of the input are passed to the tables as per-sample weights (SUM mode only).
 */
public final class EmbeddingBagCollection extends Model {

  /** One table's pooling of a 1-D input with offsets, as both kinds of table have it. */
  @FunctionalInterface
  private interface Pooling {
    Variable forward(IndexTensor values, IndexTensor offsets, Variable weights);
  }

  private record Table(String name, Pooling pooling, List<String> features, int dim) {}

  private final List<Table> tables;
  private final Map<String, Table> byFeature = new LinkedHashMap<>();

  private EmbeddingBagCollection(Builder b) {
    this.tables = List.copyOf(b.tables);
    for (int t = 0; t < tables.size(); t++) {
      register(tables.get(t).name(), b.modules.get(t));
      for (String f : tables.get(t).features()) {
        byFeature.put(f, tables.get(t));
      }
    }
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects the tables and the features each reads; {@link #build()} checks them. */
  public static final class Builder {
    private final List<Table> tables = new ArrayList<>();
    private final List<Model> modules = new ArrayList<>();
    private final Set<String> features = new LinkedHashSet<>();

    private Builder() {}

    /**
     * Adds table {@code name}, an ordinary bag whose input values are row numbers, read by {@code features}.
     *
     * @throws IllegalArgumentException if the name is taken, no feature is given, or a feature is read by another
     *     table
     */
    public Builder table(String name, EmbeddingBag table, String... features) {
      return add(name, table, table::forward, table.embeddingDim(), features);
    }

    /** Adds table {@code name}, a dynamic table whose input values are raw ids, read by {@code features}. */
    public Builder table(String name, DynamicEmbeddingBag table, String... features) {
      return add(name, table, table::forward, table.embeddingDim(), features);
    }

    private Builder add(String name, Model module, Pooling pooling, int dim, String... names) {
      Objects.requireNonNull(name, "name");
      for (Table t : tables) {
        if (t.name().equals(name)) {
          throw new IllegalArgumentException("a table named '" + name + "' was already added");
        }
      }
      if (names.length == 0) {
        throw new IllegalArgumentException("table '" + name + "' reads no feature; name at least one");
      }
      for (String f : names) {
        if (!features.add(Objects.requireNonNull(f, "feature"))) {
          throw new IllegalArgumentException(
              "feature '" + f + "' is already read by a table; a feature is pooled by one table");
        }
      }
      tables.add(new Table(name, pooling, List.of(names), dim));
      modules.add(module);
      return this;
    }

    /**
     * The collection.
     *
     * @throws IllegalStateException if no table was added
     */
    public EmbeddingBagCollection build() {
      if (tables.isEmpty()) {
        throw new IllegalStateException("an EmbeddingBagCollection needs at least one table");
      }
      return new EmbeddingBagCollection(this);
    }
  }

  /** The features the collection reads, in the order the tables were added. */
  public List<String> featureNames() {
    return List.copyOf(byFeature.keySet());
  }

  /** The width D of feature {@code feature}'s pooled rows. */
  public int embeddingDim(String feature) {
    Table t = byFeature.get(feature);
    if (t == null) {
      throw new IllegalArgumentException("no feature '" + feature + "'; the features are " + byFeature.keySet());
    }
    return t.dim();
  }

  /**
   * Pools every feature of {@code input}: each table once, over the bags of all its features.
   *
   * @return each feature's pooled rows {@code (B, D)}, in the order of {@link #featureNames()}
   * @throws IllegalArgumentException if the input lacks a feature of the collection or has one it does not read,
   *     naming them; or as the tables' lookups throw (ids out of range, weights outside SUM mode)
   */
  public Map<String, Variable> forward(KeyedJaggedTensor input) {
    Objects.requireNonNull(input, "input");
    List<String> missing = new ArrayList<>(byFeature.keySet());
    missing.removeAll(input.keys());
    List<String> extra = new ArrayList<>(input.keys());
    extra.removeAll(byFeature.keySet());
    if (!missing.isEmpty() || !extra.isEmpty()) {
      throw new IllegalArgumentException(
          "the input's features " + input.keys() + " do not match the collection's " + byFeature.keySet()
              + (missing.isEmpty() ? "" : ": missing " + missing)
              + (extra.isEmpty() ? "" : ": read by no table " + extra));
    }
    int batch = input.stride();
    Map<String, Variable> out = new LinkedHashMap<>();
    boolean weighted = input.weights().isPresent();
    for (Table t : tables) {
      Variable pooled = t.pooling().forward(values(input, t), offsets(input, t), weighted ? weights(input, t) : null);
      if (t.features().size() == 1) {
        out.put(t.features().get(0), pooled);
        continue;
      }
      for (int f = 0; f < t.features().size(); f++) {
        int[] rows = new int[batch];
        for (int b = 0; b < batch; b++) {
          rows[b] = f * batch + b;
        }
        out.put(t.features().get(f), Ops.indexSelect(pooled, rows));
      }
    }
    Map<String, Variable> ordered = new LinkedHashMap<>();
    for (String f : byFeature.keySet()) {
      ordered.put(f, out.get(f));
    }
    return Collections.unmodifiableMap(ordered);
  }

  /** The values of a table's features end to end. */
  private static IndexTensor values(KeyedJaggedTensor input, Table t) {
    if (t.features().size() == 1) {
      return input.values(t.features().get(0));
    }
    List<long[]> parts = new ArrayList<>();
    int n = 0;
    for (String f : t.features()) {
      long[] v = input.values(f).toLongArray();
      parts.add(v);
      n += v.length;
    }
    long[] all = new long[n];
    int at = 0;
    for (long[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return IndexTensor.of(all);
  }

  /** The offsets of a table's features' bags, end to end: {@code F * B} bags. */
  private static IndexTensor offsets(KeyedJaggedTensor input, Table t) {
    int batch = input.stride();
    long[] all = new long[t.features().size() * batch];
    long base = 0;
    for (int f = 0; f < t.features().size(); f++) {
      long[] off = input.offsets(t.features().get(f)).toLongArray();
      for (int b = 0; b < batch; b++) {
        all[f * batch + b] = base + off[b];
      }
      base += input.values(t.features().get(f)).numel();
    }
    return IndexTensor.of(all);
  }

  private static Variable weights(KeyedJaggedTensor input, Table t) {
    float[] all = new float[0];
    for (String f : t.features()) {
      float[] w = input.weights(f).orElseThrow().data();
      int at = all.length;
      all = Arrays.copyOf(all, at + w.length);
      System.arraycopy(w, 0, all, at, w.length);
    }
    return Variable.constant(FloatTensor.vector(all));
  }

  /** For example {@code EmbeddingBagCollection(genre: [genres], user: [user_id])} with each table below. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("EmbeddingBagCollection(\n");
    for (Table t : tables) {
      String table = namedChildren().get(t.name()).toString().replace("\n", "\n  ");
      sb.append("  (").append(t.name()).append(") ").append(t.features()).append(": ").append(table).append('\n');
    }
    return sb.append(')').toString();
  }
}
