package dev.emb4j.nn;

import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The base class of every building block of a model, PyTorch's {@code nn.Module}: a layer, an embedding table, a
 * container, or a whole network. It keeps the block's parameters and children by name, so that {@link
 * #namedParameters()} gives PyTorch's names ({@code embedding.weight}, {@code fc1.weight}, {@code fc1.bias}), passes
 * {@link #train(boolean)} and {@link #eval()} down to every child, and closes what it owns.
 *
 * <pre>{@code
 * final class Classifier extends Model {
 *   final Embedding embedding = register("embedding", Embedding.builder(100, 50).build());
 *   final Linear fc1 = register("fc1", new Linear(50, 100));
 *   final Dropout dropout = register("dropout", new Dropout(0.5));
 *   final Linear fc2 = register("fc2", new Linear(100, 2));
 *
 *   Variable forward(IndexTensor tokens) {
 *     Variable x = Ops.meanDim(embedding.forward(tokens), 1);
 *     return fc2.forward(dropout.forward(Ops.relu(fc1.forward(x))));
 *   }
 * }
 * }</pre>
 *
 * <p><b>Why "Model" and not "Module".</b> {@code java.lang.Module} is imported implicitly into every Java file, so a
 * class {@code dev.emb4j.nn.Module} would make the plain name {@code Module} ambiguous under {@code import
 * dev.emb4j.nn.*}. Everything PyTorch calls a module is a {@code Model} here; a {@link Layer} is a model that maps
 * one {@code Variable} to another (PyTorch's modules with a one-tensor {@code forward}).
 *
 * <p><b>Registration is explicit and checked.</b> {@link #register} adds a child and returns it, so the field and its
 * name sit on one line; a name used twice is an error at once. A child or parameter held in a field of the model but
 * never registered is reported the first time the model is walked ({@link #parameters()}, {@link #train(boolean)},
 * {@link #stateDict()}, ...), naming the field, instead of silently missing from training, {@code eval()} and saving.
 *
 * <p>Models start in training mode. A model is used by one thread at a time while it trains.
 */
public abstract class Model implements AutoCloseable {
  private final Map<String, Model> children = new LinkedHashMap<>();
  private final Map<String, Parameter> ownParameters = new LinkedHashMap<>();
  private boolean training = true;
  private boolean fieldsChecked;

  /** A model with no parameters and no children yet. */
  protected Model() {}

  /**
   * Adds {@code child} under {@code name} (PyTorch's attribute assignment {@code self.fc1 = nn.Linear(...)}) and
   * returns it: {@code fc1 = register("fc1", new Linear(50, 100))}. Its parameters are then named {@code
   * "fc1.weight"}, ... and it follows this model's training mode.
   *
   * @throws IllegalArgumentException if the name is empty, contains a dot, or is already taken by a child or a
   *     parameter of this model
   */
  protected final <M extends Model> M register(String name, M child) {
    Objects.requireNonNull(child, "child");
    checkNewName(name);
    if (child == this) {
      throw new IllegalArgumentException("a model cannot be its own child ('" + name + "')");
    }
    children.put(name, child);
    return child;
  }

  /**
   * Adds a parameter of this model itself under {@code name} (e.g. {@code "weight"}) and returns it; its full name is
   * this model's path plus {@code name}.
   *
   * @throws IllegalArgumentException if the name is empty, contains a dot, or is already taken
   */
  protected final <P extends Parameter> P registerParameter(String name, P parameter) {
    Objects.requireNonNull(parameter, "parameter");
    checkNewName(name);
    ownParameters.put(name, parameter);
    return parameter;
  }

  private void checkNewName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.contains(".")) {
      throw new IllegalArgumentException("a child or parameter name must be non-empty and without dots, got '" + name
          + "' in " + displayName());
    }
    if (children.containsKey(name) || ownParameters.containsKey(name)) {
      throw new IllegalArgumentException(
          "the name '" + name + "' is already taken in " + displayName() + " (by "
              + (children.containsKey(name) ? "the child " + children.get(name) : "a parameter") + ")");
    }
  }

  /** The direct children by name, in registration order (PyTorch's {@code named_children()}). */
  public final Map<String, Model> namedChildren() {
    checkFields();
    return Collections.unmodifiableMap(children);
  }

  /**
   * Every parameter of this model and its descendants by its full dotted name, in PyTorch's order: this model's own
   * parameters, then each child's in registration order ({@code named_parameters()}). A parameter reachable twice
   * (a shared child) is listed once, under its first name. Each value reports that full name as its {@link
   * Parameter#name()}, as checkpoints and optimizer states expect.
   */
  public final Map<String, Parameter> namedParameters() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    collect("", out, seen);
    return Collections.unmodifiableMap(out);
  }

  private void collect(String prefix, Map<String, Parameter> out, Set<Parameter> seen) {
    checkFields();
    for (Map.Entry<String, Parameter> e : ownParameters.entrySet()) {
      Parameter p = e.getValue();
      if (seen.add(p)) {
        String full = prefix + e.getKey();
        out.put(full, p.name().equals(full) ? p : Parameters.renamed(full, p));
      }
    }
    for (Map.Entry<String, Model> e : children.entrySet()) {
      e.getValue().collect(prefix + e.getKey() + ".", out, seen);
    }
  }

  /** The learnable parameters of this model and its children, named as in {@link #namedParameters()}. */
  public final List<Parameter> parameters() {
    return List.copyOf(namedParameters().values());
  }

  /**
   * Switches this model and every descendant to training mode ({@code true}) or evaluation mode ({@code false}), as
   * PyTorch's {@code train(mode)}: layers such as {@link Dropout} read {@link #isTraining()}.
   */
  public final void train(boolean mode) {
    checkFields();
    training = mode;
    for (Model child : children.values()) {
      child.train(mode);
    }
  }

  /** {@code train(true)}. */
  public final void train() {
    train(true);
  }

  /** Evaluation mode for this model and every descendant: {@code train(false)}. */
  public final void eval() {
    train(false);
  }

  /** Whether this model is in training mode (the default). */
  public final boolean isTraining() {
    return training;
  }

  /** Forgets the gradient of every parameter. */
  public void zeroGrad() {
    for (Parameter p : namedParameters().values()) {
      p.zeroGrad();
    }
  }

  /**
   * A copy of every parameter's values by full name (PyTorch's {@code state_dict()}), each with the parameter's
   * {@link Parameter#shape() shape}. For models that fit in memory; tables of more than 2<sup>31</sup> floats are
   * saved with {@code Checkpoint} instead.
   */
  public final Map<String, FloatTensor> stateDict() {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) {
      Parameter p = e.getValue();
      out.put(e.getKey(), p.value().toTensor().reshape(p.shape()));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * {@link #loadStateDict(Map, boolean) loadStateDict(state, true)}: every parameter must be present with its shape
   * and nothing else may be.
   */
  public final void loadStateDict(Map<String, FloatTensor> state) {
    loadStateDict(state, true);
  }

  /**
   * Copies {@code state} (full name to values) into the parameters, as PyTorch's {@code load_state_dict}. A value
   * fits a parameter when its shape equals the parameter's, or has the same element count as the parameter's rows x
   * dim with dimensions of size 1 dropped (a bias saved as {@code [n]} fits a {@code (1, n)} parameter).
   *
   * <p>Everything is checked first; the message lists every mismatch (missing keys, unexpected keys when {@code
   * strict}, shapes), and nothing changes then. A parameter that {@linkplain Parameter#canGrowTo can grow} (a {@link
   * DynamicEmbeddingBag} built with growth, saved after it grew) grows to a larger saved value's rows first.
   *
   * @throws IllegalArgumentException if the state does not fit this model
   */
  public final void loadStateDict(Map<String, FloatTensor> state, boolean strict) {
    Objects.requireNonNull(state, "state");
    Map<String, Parameter> params = namedParameters();
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> sizes = new ArrayList<>();
    Map<Parameter, Long> growths = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      FloatTensor t = state.get(e.getKey());
      Parameter p = e.getValue();
      if (t == null) {
        missing.add('"' + e.getKey() + '"');
      } else if (t.shape().rank() == 2 && t.shape().dim(1) == p.value().dim() && t.shape().dim(0) > p.value().rows()
          && p.canGrowTo(t.shape().dim(0))) {
        growths.put(p, (long) t.shape().dim(0)); // a dynamic table that had grown: it grows to the saved size first
      } else if (!fits(t.shape(), e.getValue())) {
        sizes.add(
            "size mismatch for " + e.getKey() + ": copying a param with shape " + t.shape()
                + " from the state dict, the shape in the model is " + e.getValue().shape());
      }
    }
    if (strict) {
      for (String key : state.keySet()) {
        if (!params.containsKey(key)) {
          unexpected.add('"' + key + '"');
        }
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty() || !sizes.isEmpty()) {
      StringBuilder sb = new StringBuilder("Error(s) in loading state_dict for ").append(displayName());
      sb.append(" (nothing was loaded):");
      if (!missing.isEmpty()) {
        sb.append("\n\tMissing key(s) in state_dict: ").append(String.join(", ", missing)).append('.');
      }
      if (!unexpected.isEmpty()) {
        sb.append("\n\tUnexpected key(s) in state_dict: ").append(String.join(", ", unexpected)).append('.');
      }
      for (String size : sizes) {
        sb.append("\n\t").append(size).append('.');
      }
      throw new IllegalArgumentException(sb.toString());
    }
    for (Map.Entry<Parameter, Long> g : growths.entrySet()) {
      if (g.getKey().value().rows() != g.getValue()) { // a table's weight and id map grow together
        g.getKey().growTo(g.getValue());
      }
    }
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      Parameter p = e.getValue();
      float[] values = state.get(e.getKey()).data();
      for (long r = 0; r < p.value().rows(); r++) {
        p.value().writeRow(r, values, Math.toIntExact(r * p.value().dim()));
      }
    }
  }

  /** Whether a tensor of {@code shape} can fill {@code p}: same shape, or the same dimensions once 1s are dropped. */
  private static boolean fits(Shape shape, Parameter p) {
    return shape.equals(p.shape()) || squeezed(shape).equals(squeezed(p.shape()));
  }

  private static List<Integer> squeezed(Shape shape) {
    List<Integer> dims = new ArrayList<>();
    for (int d : shape.toArray()) {
      if (d != 1) {
        dims.add(d);
      }
    }
    return dims;
  }

  /**
   * Closes the children in reverse registration order (each once, though it be registered twice), freeing off-heap
   * tables. Closing twice is harmless. Subclasses that own other resources override this and call {@code
   * super.close()}.
   */
  @Override
  public void close() {
    List<Model> kids = new ArrayList<>(children.values());
    Collections.reverse(kids);
    Set<Model> closed = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Model child : kids) {
      if (closed.add(child)) {
        child.close();
      }
    }
  }

  /**
   * Reports a field of a subclass that holds a model or parameter that was never registered (the mistake that
   * otherwise shows only as a layer that does not train, save or follow {@code eval()}). Runs once per model. Fields
   * that the JVM does not let us read (a class in a module that does not open its package) are skipped.
   */
  private void checkFields() {
    if (fieldsChecked) {
      return;
    }
    Set<Object> known = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Model> todo = new ArrayDeque<>(List.of(this));
    while (!todo.isEmpty()) {
      Model m = todo.pop();
      if (known.add(m)) {
        known.addAll(m.ownParameters.values());
        todo.addAll(m.children.values());
      }
    }
    for (Class<?> c = getClass(); c != Model.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())
            || !(Model.class.isAssignableFrom(f.getType()) || Parameter.class.isAssignableFrom(f.getType()))) {
          continue;
        }
        Object value;
        try {
          f.setAccessible(true);
          value = f.get(this);
        } catch (InaccessibleObjectException | IllegalAccessException e) {
          continue;
        }
        if (value != null && !known.contains(value)) {
          String kind = value instanceof Model ? "register" : "registerParameter";
          throw new IllegalStateException(
              "field '" + f.getName() + "' of " + c.getSimpleName() + " holds " + value + " but it was never "
                  + "registered, so it would not train, save or follow eval(); assign it with " + f.getName() + " = "
                  + kind + "(\"" + f.getName() + "\", ...)");
        }
      }
    }
    fieldsChecked = true;
  }

  /** The class's simple name, or its full name for an anonymous class. */
  private String displayName() {
    String simple = getClass().getSimpleName();
    return simple.isEmpty() ? getClass().getName() : simple;
  }

  /**
   * PyTorch's layout: the class name and each child on its own line, e.g.
   *
   * <pre>
   * Classifier(
   *   (embedding): Embedding(100, 50)
   *   (fc1): Linear(50, 100)
   * )
   * </pre>
   *
   * Leaf layers override it with their options.
   */
  @Override
  public String toString() {
    if (children.isEmpty()) {
      return displayName() + "()";
    }
    StringBuilder sb = new StringBuilder(displayName()).append("(\n");
    for (Map.Entry<String, Model> e : children.entrySet()) {
      String child = e.getValue().toString().replace("\n", "\n  ");
      sb.append("  (").append(e.getKey()).append("): ").append(child).append('\n');
    }
    return sb.append(')').toString();
  }
}
