package dev.emb4j.optim;

import dev.emb4j.autograd.DenseGradient;
import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.internal.kernel.GradientEntries;
import dev.emb4j.internal.kernel.IdRange;
import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.internal.kernel.RowCopies;
import dev.emb4j.internal.kernel.SparseStep;
import dev.emb4j.internal.kernel.StochasticRounding;
import dev.emb4j.internal.kernel.StoreMemory;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.DType;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.LazyRowStore;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.RowStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Updates a fixed list of {@link Parameter}s from their gradients, with the semantics of the {@code torch.optim}
 * class of the same name (PyTorch 1.13).
 *
 * <pre>{@code
 * Optimizer opt = new Adagrad(model.parameters(), Adagrad.Config.builder().lr(0.1).build());
 * for (Batch b : batches) {
 *   model.backward(...);
 *   opt.step();
 *   opt.zeroGrad();
 * }
 * }</pre>
 *
 * <p><b>Which parameters are updated.</b> {@link #step()} skips parameters that do not require a gradient and those
 * without one (no backward pass reached them since the last {@link #zeroGrad()}); it checks every gradient (shape,
 * dense or sparse as the optimizer requires) before it changes anything.
 *
 * <p><b>Dense gradients</b> ({@link DenseGradient}) update every row of the parameter, exactly as PyTorch's dense
 * path. <b>Sparse gradients</b> ({@link SparseGradient}) are applied fused: the entries are grouped by row (duplicates
 * summed in input order, as {@link SparseGradient#coalesce()} does) and each touched row is then read, updated and
 * written once, together with its state rows. Nothing of size {@code V x D} is allocated for a sparse step beyond the
 * optimizer's own state (which PyTorch also keeps dense); the scratch is a few buffers of {@code D} floats per
 * parameter.
 *
 * <p><b>State</b> is created lazily, the first time a parameter is updated, and only the slots the configuration
 * needs (plain SGD keeps none). Each slot is a {@link RowStore} named as in PyTorch's {@code state_dict}: {@code
 * momentum_buffer}, {@code sum}, {@code exp_avg}, {@code exp_avg_sq}, {@code max_exp_avg_sq}; step counters are
 * per parameter. {@link #exportState()} and {@link #importState(OptimizerState)} save and restore all of it.
 *
 * <p><b>16-bit parameters</b> (a table built with {@code dtype(DType.BF16)} or {@code F16}) are updated in float32:
 * each touched row is decoded, the same rule is applied, and the result is written back with stochastic rounding (see
 * {@code StochasticRounding}: the expected stored value is the float32 result, so small updates are not lost to
 * rounding). The state slots stay float32. The random bits are a hash of (the parameter's key, its step, the row, the
 * column), so a run repeats exactly whatever the threads do; for this every optimizer counts the steps of a 16-bit
 * parameter and exports them as {@code "<key>/step"}, so that a restored run rounds as the uninterrupted one would.
 *
 * <p><b>Parameter keys.</b> In an {@link OptimizerState} a parameter is known by its {@link Parameter#name() name},
 * or by {@code name#i} (i its position in {@link #parameters()}) when several parameters share the name, as two
 * embeddings' {@code "weight"}s do.
 *
 * <p><b>Your own optimizer.</b> Extend this class and give the update of one row as a {@link RowRule}; the base
 * class does the rest: it checks gradients, creates and keeps the state slots you declare, applies your rule to every
 * row of a dense gradient and, fused, to each touched row of a sparse one (duplicates summed first, rows split over
 * the kernel threads), and exports and imports the state. For example, SGD on the sign of the gradient:
 *
 * <pre>{@code
 * final class SignSgd extends Optimizer {
 *   SignSgd(List<? extends Parameter> parameters, double lr) {
 *     super(parameters, lr);
 *   }
 *
 *   public String kind() {
 *     return "SignSGD";
 *   }
 *
 *   protected RowRule rule(long step, boolean fresh) {
 *     float lr = (float) learningRate();
 *     return (w, g, state) -> {
 *       for (int j = 0; j < w.length; j++) {
 *         w[j] -= lr * Math.signum(g[j]);
 *       }
 *     };
 *   }
 * }
 * }</pre>
 *
 * <p>A rule that keeps state declares its {@link #slots()} (and {@link #countsSteps()} if it needs the step count);
 * {@link #checkGradient} may refuse a kind of gradient and {@link #initSlots} give the slots a starting value. The
 * library's optimizers run their rules on Vector API twins; a user's rule runs as written, in plain Java.
 *
 * <p><b>Changed rows.</b> After {@link #trackChangedRows()}, each step records which rows it changes, per parameter
 * ({@link #changedRows}); {@code dev.emb4j.checkpoint.DeltaCheckpointer} writes just those rows, with the same rows
 * of the state slots ({@link #stateView()} shows them without a copy).
 *
 * <p><b>Replaced rows.</b> Each step first takes every parameter's {@linkplain Parameter#takeReplacedRows() replaced
 * rows} (a {@code DynamicEmbeddingBag} row given to a new id), resets the same rows of its state slots to their
 * initial values and records them as changed, whether or not the parameter has a gradient.
 *
 * <p><b>Parameters that grow.</b> A parameter may gain rows between calls (a {@code DynamicEmbeddingBag} built with
 * growth, when it needs more rows; see {@link Parameter#growTo}). The optimizer follows at its next {@link #step()},
 * {@link #exportState()}, {@link #stateView()}, {@link #importState} or {@link #changedRows}: each state slot of the
 * parameter becomes a store of the new size whose existing rows keep their state and whose new rows start at their
 * initial values ({@link #initSlots}), the step count is kept, and, when changed rows are tracked, every row of the
 * parameter counts as changed. A parameter never shrinks.
 *
 * <p>Not thread-safe: {@code step}, {@code zeroGrad} and the state methods must not run concurrently with each
 * other or with backward passes or lookups of the same parameters.
 */
public abstract class Optimizer {

  /**
   * A state matrix kept per parameter, created zeroed (see {@link #initSlots}) the first time the parameter is
   * updated: {@code rows x dim} (one value per element) or {@code rows x 1} (one value per row, {@code perRow}).
   *
   * @param name the slot's name in {@link OptimizerState} keys ({@code "<parameter>/<name>"}), as PyTorch's {@code
   *     state_dict} names it, e.g. {@code "exp_avg"}
   * @param perRow whether the slot keeps one value per row rather than one per element
   */
  public record Slot(String name, boolean perRow) {
    /** Checks the name: not empty and without {@code '/'}. */
    public Slot {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty() || name.contains("/")) {
        throw new IllegalArgumentException("a slot name must be non-empty and contain no '/', got '" + name + "'");
      }
    }
  }

  /** The state of one parameter: its step count and one store per {@link #slots()} entry. */
  static final class ParamState {
    long step;
    final RowStore[] slots;

    ParamState(RowStore[] slots) {
      this.slots = slots;
    }
  }

  private final List<Parameter> parameters;
  private final List<String> keys;
  private final ParamState[] states;
  /** Per parameter, the slot stores of a state an import dropped, reused by its next state; else null. */
  private final RowStore[][] spare;
  /** Per parameter, the rows changed since the last clear; null until {@link #trackChangedRows()}. */
  private ChangedRows[] changed;
  private double learningRate;

  /**
   * An optimizer over {@code parameters}, starting at learning rate {@code learningRate}.
   *
   * @throws IllegalArgumentException if a parameter is listed twice, or if {@code learningRate} is negative or not
   *     finite
   */
  protected Optimizer(List<? extends Parameter> parameters, double learningRate) {
    Objects.requireNonNull(parameters, "parameters");
    this.parameters = List.copyOf(parameters);
    Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Map<String, Integer> nameCounts = new HashMap<>();
    for (Parameter p : this.parameters) {
      if (!seen.add(p)) {
        throw new IllegalArgumentException("parameter '" + p.name() + "' is listed more than once");
      }
      nameCounts.merge(p.name(), 1, Integer::sum);
    }
    List<String> k = new ArrayList<>(this.parameters.size());
    for (int i = 0; i < this.parameters.size(); i++) {
      String name = this.parameters.get(i).name();
      k.add(nameCounts.get(name) == 1 ? name : name + "#" + i);
    }
    if (new HashSet<>(k).size() != k.size()) {
      throw new IllegalArgumentException("parameter keys collide (names ending in #<position>?): " + k);
    }
    this.keys = List.copyOf(k);
    this.states = new ParamState[this.parameters.size()];
    this.spare = new RowStore[this.parameters.size()][];
    setLearningRate(learningRate);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // What each kind provides
  // ---------------------------------------------------------------------------------------------------------------

  /** The kind, as PyTorch names the class (e.g. {@code "Adam"}); stored in {@link OptimizerState#optimizer()}. */
  public abstract String kind();

  /** The state slots this configuration keeps per parameter, in the order of the rule's state rows (default none). */
  protected List<Slot> slots() {
    return List.of();
  }

  /**
   * Whether a per-parameter step counter is kept (and exported as {@code "<key>/step"}); kinds that count steps
   * always keep at least one slot. Default false: {@link #rule} then sees step 1 every time.
   */
  protected boolean countsSteps() {
    return false;
  }

  /**
   * Throws {@link IllegalArgumentException} if this optimizer cannot apply {@code grad} to {@code p}; called for every
   * gradient before a step changes anything. Default: dense and sparse gradients are both accepted.
   */
  protected void checkGradient(Parameter p, TableGradient grad) {}

  /** Fills freshly allocated (zeroed) slots, one store per {@link #slots()} entry, with their initial values. */
  protected void initSlots(RowStore[] slots) {}

  /**
   * The update of one row for one parameter's step: applied to every row of a dense gradient, and to each touched
   * row of a sparse one with the sum of its entries.
   *
   * @param step the parameter's step count, already incremented for this step (1 on the first step, and always 1
   *     unless {@link #countsSteps()})
   * @param fresh true if the parameter's state was created for this step
   */
  protected abstract RowRule rule(long step, boolean fresh);

  /**
   * The kernels' form of {@link #rule}: the library's optimizers return their rule's record, which the kernels run on
   * its Vector API twin; a user's rule runs as written.
   */
  dev.emb4j.internal.kernel.RowRule kernelRule(long step, boolean fresh) {
    RowRule rule = Objects.requireNonNull(rule(step, fresh), "rule");
    return rule::apply;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Applying the rule to rows kept elsewhere
  // ---------------------------------------------------------------------------------------------------------------

  /**
   * The update this optimizer applies to one row at a parameter's step {@code step}, with its current learning rate,
   * for rows that live outside its parameters (the owner of a block of rows in a sharded table applies it there, so
   * that the optimizer state stays beside the rows). It is the same rule {@link #step()} runs, through its scalar
   * reference: the arrays passed to it are updated in place, the state arrays in the order of {@link #stateSlots()}.
   *
   * @param step the parameter's step count (1 on its first step)
   * @param fresh whether the state rows were created for this step (zeroed, then {@link #initState})
   * @return the rule
   * @throws IllegalArgumentException if {@code step < 1}
   */
  public final RowRule rowRule(long step, boolean fresh) {
    if (step < 1) {
      throw new IllegalArgumentException("step must be >= 1, got " + step);
    }
    return kernelRule(step, fresh)::apply;
  }

  /**
   * The state slots this configuration keeps per parameter, in the order of {@link #rowRule}'s state rows.
   *
   * @return the slots (empty for plain SGD)
   */
  public final List<Slot> stateSlots() {
    return List.copyOf(slots());
  }

  /**
   * Gives freshly allocated, zero-filled state stores their starting values, as this optimizer does for its own (e.g.
   * Adagrad's {@code initialAccumulatorValue}): one store per {@link #stateSlots()} entry, for state kept elsewhere.
   *
   * @param slots the stores, one per slot, in order
   * @throws IllegalArgumentException if the number of stores is not the number of slots
   */
  public final void initState(RowStore[] slots) {
    if (slots.length != slots().size()) {
      throw new IllegalArgumentException(
          describe() + " keeps " + slots().size() + " state slots, got " + slots.length + " stores");
    }
    initSlots(slots);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Public API
  // ---------------------------------------------------------------------------------------------------------------

  /** The parameters this optimizer updates, in the order given (an unmodifiable list). */
  public final List<Parameter> parameters() {
    return parameters;
  }

  /** The current learning rate. */
  public final double learningRate() {
    return learningRate;
  }

  /**
   * Sets the learning rate used by the next {@link #step()} (what a {@link Scheduler} calls).
   *
   * @throws IllegalArgumentException unless {@code lr} is finite and {@code >= 0} (0 is allowed: schedules may decay
   *     to it)
   */
  public final void setLearningRate(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
    }
    this.learningRate = lr;
  }

  /**
   * Applies one update to every parameter that requires a gradient and has one. All gradients are checked first; if
   * one is unsupported (e.g. a sparse gradient for {@link Adam}) nothing is changed.
   *
   * @throws IllegalArgumentException if a gradient does not match its parameter's shape or this optimizer
   */
  public final void step() {
    followGrownParameters();
    TableGradient[] grads = new TableGradient[parameters.size()];
    for (int i = 0; i < grads.length; i++) {
      Parameter p = parameters.get(i);
      if (!p.requiresGrad()) {
        continue;
      }
      Optional<TableGradient> g = p.grad();
      if (g.isEmpty()) {
        continue;
      }
      grads[i] = g.get();
      checkShape(p, grads[i]);
      checkGradient(p, grads[i]);
    }
    for (int i = 0; i < grads.length; i++) {
      resetReplacedRows(i);
    }
    for (int i = 0; i < grads.length; i++) {
      if (grads[i] != null) {
        update(i, grads[i]);
      }
    }
  }

  /**
   * Takes the rows of parameter i replaced since the last step ({@link Parameter#takeReplacedRows()}: a dynamic
   * table's row given to a new id), resets the same rows of its state slots to their initial values ({@link
   * #initSlots} applied to one-row stores) and records them as changed, so that a delta checkpoint writes them.
   */
  private void resetReplacedRows(int i) {
    long[] rows = parameters.get(i).takeReplacedRows();
    if (rows.length == 0) {
      return;
    }
    if (changed != null) {
      for (long r : rows) {
        changed[i].add(r);
      }
    }
    ParamState st = states[i];
    if (st == null || st.slots.length == 0) {
      return; // a state created later starts at its initial values everywhere
    }
    RowStore[] initial = new RowStore[st.slots.length];
    for (int k = 0; k < initial.length; k++) {
      initial[k] = HeapRowStore.allocate(1, st.slots[k].dim());
    }
    initSlots(initial);
    for (int k = 0; k < initial.length; k++) {
      float[] row = new float[initial[k].dim()];
      initial[k].readRow(0, row, 0);
      for (long r : rows) {
        st.slots[k].writeRow(r, row, 0);
      }
    }
  }

  /**
   * Follows every parameter that gained rows since the last call (see the class comment): its state slots grow, the
   * existing rows keeping their state and the new ones starting at their initial values, and all its rows count as
   * changed.
   *
   * @throws IllegalStateException if a parameter has fewer rows than its state
   */
  private void followGrownParameters() {
    for (int i = 0; i < parameters.size(); i++) {
      long rows = parameters.get(i).value().rows();
      ParamState st = states[i];
      if (st != null && st.slots.length > 0 && st.slots[0].rows() != rows) {
        states[i] = grownState(i, st, rows);
      }
      if (spare[i] != null && spare[i].length > 0 && spare[i][0].rows() != rows) {
        for (RowStore old : spare[i]) {
          old.close();
        }
        spare[i] = null;
      }
      if (changed != null && changed[i].rows() != rows) {
        ChangedRows grown = new ChangedRows(rows);
        grown.addAll();
        changed[i] = grown;
      }
    }
  }

  /** Parameter i's state over its {@code rows} rows: new stores, initialised, with the old stores' rows copied in. */
  private ParamState grownState(int i, ParamState st, long rows) {
    long had = st.slots[0].rows();
    if (had > rows) {
      throw new IllegalStateException(
          "parameter '" + keys.get(i) + "' has " + rows + " rows but its " + describe() + " state " + had
              + "; a parameter may grow, never shrink");
    }
    List<Slot> spec = slots();
    RowStore value = parameters.get(i).value();
    RowStore[] grown = new RowStore[st.slots.length];
    for (int k = 0; k < grown.length; k++) {
      grown[k] = value.allocateSibling(slotRole(spec.get(k)), rows, st.slots[k].dim());
    }
    initSlots(grown);
    for (int k = 0; k < grown.length; k++) {
      Kernels.copyRows(st.slots[k], grown[k], 0, st.slots[k].rows());
      st.slots[k].close();
    }
    ParamState next = new ParamState(grown);
    next.step = st.step;
    return next;
  }

  /** Forgets the gradient of every parameter (frozen ones included; they have none). */
  public final void zeroGrad() {
    for (Parameter p : parameters) {
      p.zeroGrad();
    }
  }

  /**
   * A snapshot of the optimizer's state: the learning rate (scalar {@code "lr"}), each parameter's step count
   * ({@code "<key>/step"}, for kinds that count steps) and copies of its slots ({@code "<key>/<slot>"}). Only
   * parameters that have been updated have entries. Later steps do not change the snapshot.
   */
  public final OptimizerState exportState() {
    return state(true);
  }

  /**
   * The optimizer's state as {@link #exportState()} gives it, but without copying the slots: they are the live
   * stores, which later steps change. For code that saves the state as it is now without doubling its memory (a
   * checkpoint of a large table), or restores rows into them in place (a delta checkpoint's restore, between steps);
   * do not keep the view across steps.
   */
  public final OptimizerState stateView() {
    return state(false);
  }

  private OptimizerState state(boolean copy) {
    followGrownParameters();
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("lr", learningRate);
    Map<String, RowStore> slotMap = new LinkedHashMap<>();
    List<Slot> spec = slots();
    for (int i = 0; i < states.length; i++) {
      ParamState st = states[i];
      if (st == null) {
        continue;
      }
      if (keepsSteps(i)) {
        scalars.put(keys.get(i) + "/step", (double) st.step);
      }
      for (int k = 0; k < spec.size(); k++) {
        slotMap.put(keys.get(i) + "/" + spec.get(k).name(), copy ? copyOf(st.slots[k]) : st.slots[k]);
      }
    }
    return new OptimizerState(kind(), scalars, slotMap);
  }

  /**
   * Starts recording, per parameter, which rows each {@link #step()} changes (see {@link #changedRows}); a delta
   * checkpoint reads and clears the sets. A sparse step records its touched rows (one bit each, set before the rows
   * are updated); a dense step and {@link #importState} record every row, since a dense rule may change rows whose
   * gradient is zero (momentum, weight decay). Rows that a layer writes in place outside the steps (an embedding's
   * {@code maxNorm} renormalisation, in eval mode too: see {@link Parameter#onRowsWritten}) are recorded as well. The
   * state rows of a parameter change exactly with its rows. Calling it again does nothing.
   */
  public final void trackChangedRows() {
    if (changed != null) {
      return;
    }
    ChangedRows[] c = new ChangedRows[parameters.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = new ChangedRows(parameters.get(i).value().rows());
      int at = i;
      // rows a layer writes itself (maxNorm renormalisation) change outside the steps; read the set at each write,
      // since a parameter that grows gets a new one (in the same array)
      parameters.get(i).onRowsWritten(written -> {
        ChangedRows rows = c[at];
        for (long r : written) {
          rows.add(r);
        }
      });
    }
    changed = c;
  }

  /**
   * The rows of {@code p} (and of its state slots) changed since the set was last cleared: the live set, which later
   * steps add to.
   *
   * @param p one of {@link #parameters()} (the same object)
   * @throws IllegalStateException if {@link #trackChangedRows()} was not called
   * @throws IllegalArgumentException if {@code p} is not one of this optimizer's parameters
   */
  public final ChangedRows changedRows(Parameter p) {
    if (changed == null) {
      throw new IllegalStateException("call trackChangedRows() first: this optimizer does not record changed rows");
    }
    followGrownParameters();
    for (int i = 0; i < parameters.size(); i++) {
      if (parameters.get(i) == p) {
        return changed[i];
      }
    }
    throw new IllegalArgumentException("parameter '" + p.name() + "' is not one of this optimizer's parameters " + keys);
  }

  /**
   * Replaces the optimizer's state with {@code state}, whose slots are copied row by row into the optimizer's own
   * stores: those it has, or new ones beside the parameter ({@link RowStore#allocateSibling}: mapped files beside a
   * mapped table), so that importing the state of a large table needs no second copy of it in memory and later steps
   * do not write into {@code state}. Everything is checked before anything changes: the kind, that every key names a
   * parameter of this optimizer and a slot this configuration keeps, every slot's shape, that each parameter has all
   * of its slots (and a step count, for kinds that count steps) or none, and the scalars. The learning rate is
   * restored if {@code "lr"} is present. A state with more rows than its parameter fits a parameter that {@linkplain
   * Parameter#canGrowTo can grow} to them (a dynamic table saved after it grew): the parameter grows once everything
   * is checked. (A slot that cannot be read while it is copied, such as one streamed from a file that fails, leaves
   * the state partly imported.)
   *
   * @throws IllegalArgumentException naming the offending key, e.g. the slot and its expected vs actual shape
   */
  public final void importState(OptimizerState state) {
    Objects.requireNonNull(state, "state");
    followGrownParameters();
    if (!kind().equals(state.optimizer())) {
      throw new IllegalArgumentException(
          "cannot load the state of a " + state.optimizer() + " optimizer into a " + kind() + " optimizer");
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      index.put(keys.get(i), i);
    }
    List<Slot> spec = slots();
    RowStore[][] found = new RowStore[parameters.size()][];
    long[] steps = new long[parameters.size()];
    boolean[] hasStep = new boolean[parameters.size()];
    long[] growTo = new long[parameters.size()];
    Double lr = null;
    for (Map.Entry<String, Double> e : state.scalars().entrySet()) {
      String key = e.getKey();
      double v = e.getValue();
      if (key.equals("lr")) {
        if (!(v >= 0) || Double.isInfinite(v)) {
          throw new IllegalArgumentException("scalar 'lr' must be finite and >= 0, got " + v);
        }
        lr = v;
        continue;
      }
      int slash = key.lastIndexOf('/');
      if (slash < 0 || !key.substring(slash + 1).equals("step")) {
        throw new IllegalArgumentException("unknown scalar '" + key + "' for " + describe());
      }
      Integer i = index.get(key.substring(0, slash));
      if (i == null && countsSteps()) {
        throw new IllegalArgumentException(
            "scalar '" + key + "' names no parameter of this optimizer (parameters: " + keys + ")");
      }
      if (i == null || !keepsSteps(i)) {
        throw new IllegalArgumentException("unknown scalar '" + key + "' for " + describe());
      }
      if (!(v >= 0) || v != Math.rint(v) || v > 1L << 53) {
        throw new IllegalArgumentException("scalar '" + key + "' must be a non-negative integer, got " + v);
      }
      steps[i] = (long) v;
      hasStep[i] = true;
    }
    for (Map.Entry<String, RowStore> e : state.slots().entrySet()) {
      String key = e.getKey();
      int slash = key.lastIndexOf('/');
      Integer i = slash < 0 ? null : index.get(key.substring(0, slash));
      if (i == null) {
        throw new IllegalArgumentException(
            "slot '" + key + "' names no parameter of this optimizer (parameters: " + keys + ")");
      }
      String slotName = key.substring(slash + 1);
      int k = slotIndex(spec, slotName);
      if (k < 0) {
        throw new IllegalArgumentException(
            "slot '" + key + "': " + describe() + " keeps no '" + slotName + "' (its slots: " + slotNames(spec) + ")");
      }
      RowStore value = Objects.requireNonNull(e.getValue(), key);
      RowStore param = parameters.get(i).value();
      long rows = param.rows();
      int cols = spec.get(k).perRow() ? 1 : param.dim();
      if (value.rows() > rows && value.dim() == cols && parameters.get(i).canGrowTo(value.rows())
          && (growTo[i] == 0 || growTo[i] == value.rows())) {
        growTo[i] = value.rows(); // a dynamic table saved after it grew: it grows once everything is checked
      } else if (value.rows() != rows || value.dim() != cols) {
        throw new IllegalArgumentException(
            "slot '" + key + "' has shape " + value.rows() + " x " + value.dim() + " but parameter '"
                + parameters.get(i).name() + "' (" + rows + " x " + param.dim() + ") needs " + rows + " x " + cols);
      }
      if (found[i] == null) {
        found[i] = new RowStore[spec.size()];
      }
      found[i][k] = value;
    }
    for (int i = 0; i < found.length; i++) {
      boolean anySlot = found[i] != null;
      if (anySlot) {
        for (int k = 0; k < spec.size(); k++) {
          if (found[i][k] == null) {
            throw new IllegalArgumentException(
                "state of parameter '" + keys.get(i) + "' lacks slot '" + keys.get(i) + "/" + spec.get(k).name()
                    + "' (" + describe() + " keeps " + slotNames(spec) + ")");
          }
          if (growTo[i] > 0 && found[i][k].rows() != growTo[i]) {
            throw new IllegalArgumentException(
                "slot '" + keys.get(i) + "/" + spec.get(k).name() + "' has " + found[i][k].rows() + " rows but the"
                    + " parameter's other slots have " + growTo[i]);
          }
        }
      }
      if (countsSteps() && anySlot != hasStep[i]) {
        throw new IllegalArgumentException(
            "state of parameter '" + keys.get(i) + "' has "
                + (hasStep[i] ? "a step count but no slots" : "slots but no step count '" + keys.get(i) + "/step'"));
      }
    }
    // Everything checked: parameters whose saved state is larger grow to it, then the state is copied into this
    // optimizer's own stores.
    for (int i = 0; i < growTo.length; i++) {
      if (growTo[i] > 0 && parameters.get(i).value().rows() != growTo[i]) {
        parameters.get(i).growTo(growTo[i]);
      }
    }
    followGrownParameters();
    for (int i = 0; i < states.length; i++) {
      if (found[i] != null || (spec.isEmpty() && hasStep[i])) {
        RowStore[] own = states[i] != null ? states[i].slots : slotStores(i);
        for (int k = 0; k < own.length; k++) {
          Kernels.copyRows(found[i][k], own[k], 0, found[i][k].rows());
        }
        states[i] = new ParamState(own);
        states[i].step = steps[i];
      } else {
        if (states[i] != null) {
          spare[i] = states[i].slots; // kept for the parameter's next state: a mapped file stays mapped
        }
        states[i] = null;
      }
    }
    if (lr != null) {
      learningRate = lr;
    }
    if (changed != null) {
      for (ChangedRows c : changed) {
        c.addAll();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The update loops
  // ---------------------------------------------------------------------------------------------------------------

  private void update(int i, TableGradient grad) {
    Parameter p = parameters.get(i);
    List<Slot> spec = slots();
    ParamState st = states[i];
    boolean fresh = st == null;
    if (fresh && (keepsSteps(i) || !spec.isEmpty())) {
      RowStore[] slotStores = slotStores(i);
      initSlots(slotStores);
      st = new ParamState(slotStores);
      states[i] = st;
    }
    long step = 1;
    RowStore[] slotStores = new RowStore[0];
    if (st != null) {
      st.step++;
      step = st.step;
      slotStores = st.slots;
    }
    if (p.value() instanceof LazyRowStore lazy) {
      // the kernels update the rows' memory directly: rows never looked up get their initial values first
      switch (grad) {
        case DenseGradient d -> lazy.ensureAllRows();
        case SparseGradient s -> lazy.ensureRows(s.indices());
      }
    }
    // a state kept only for a 16-bit parameter's rounding stays hidden from the rule: it sees step 1, fresh state
    boolean ruleState = countsSteps() || !spec.isEmpty();
    dev.emb4j.internal.kernel.RowRule rule = kernelRule(ruleState ? step : 1, !ruleState || fresh);
    DType dtype = p.value().dtype();
    StochasticRounding rounding =
        dtype == DType.F32 ? null : new StochasticRounding(dtype, roundingSeed(keys.get(i)), step);
    ChangedRows track = changed == null ? null : changed[i];
    switch (grad) {
      case DenseGradient d -> {
        if (track != null) {
          track.addAll();
        }
        Kernels.updateDenseRows(rule, p.value(), slotStores, d.values(), rounding);
      }
      case SparseGradient s -> {
        SparseRows rows = SparseRows.of(s.indices());
        if (track != null) {
          for (int u = 0, n = rows.size(); u < n; u++) {
            track.add(rows.row(u));
          }
        }
        if (!updateSparseFused(p.value(), s, rows, slotStores, rule, rounding)) {
          updateSparse(p.value(), s, rows, slotStores, rule, rounding);
        }
      }
    }
  }

  /** Whether parameter i has a step counter: for kinds that count steps, and for every 16-bit parameter. */
  private boolean keepsSteps(int i) {
    return countsSteps() || parameters.get(i).value().dtype() != DType.F32;
  }

  /** The seed of a parameter's stochastic rounding: a hash of its key, so that two tables draw different bits. */
  private static long roundingSeed(String key) {
    long h = 0xCBF29CE484222325L; // FNV-1a, 64 bits
    for (int c = 0; c < key.length(); c++) {
      h = (h ^ key.charAt(c)) * 0x100000001B3L;
    }
    return h;
  }

  /**
   * The fused sparse update on the kernels (Vector API, threads): each touched row once, in place in the stores'
   * memory, with the same arithmetic as {@link #updateSparse}. Returns false, having done nothing, when a store gives
   * no memory view.
   */
  private static boolean updateSparseFused(
      RowStore value, SparseGradient grad, SparseRows rows, RowStore[] slots,
      dev.emb4j.internal.kernel.RowRule rule, StochasticRounding rounding) {
    Optional<RowMemory> w = StoreMemory.of(value);
    RowMemory[] slotMemory = new RowMemory[slots.length];
    for (int k = 0; k < slots.length; k++) {
      Optional<RowMemory> m = StoreMemory.of(slots[k]);
      if (m.isEmpty()) {
        return false;
      }
      slotMemory[k] = m.get();
    }
    if (w.isEmpty()) {
      return false;
    }
    SparseGradient.EntryRows entries = grad.entryRows();
    Kernels.updateSparseRows(
        new SparseStep(
            rule, w.get(), slotMemory, rows.rows(), rows.start(), rows.order(),
            new GradientEntries(entries.source(), entries.sourceRows(), entries.scales()), rows.size(), rounding));
    return true;
  }

  /**
   * Sparse update row by row, for stores without a memory view: each touched row once, its duplicate gradient entries
   * summed first.
   */
  private static void updateSparse(
      RowStore value, SparseGradient grad, SparseRows rows, RowStore[] slots,
      dev.emb4j.internal.kernel.RowRule rule, StochasticRounding rounding) {
    int d = value.dim();
    float[] values = grad.values().data();
    float[] g = new float[d];
    RowCopies copies = new RowCopies(value, slots, rounding);
    for (int k = 0, n = rows.size(); k < n; k++) {
      rows.sumInto(k, values, d, g);
      copies.apply(rule, rows.row(k), g);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------------------------

  private static void checkShape(Parameter p, TableGradient g) {
    RowStore v = p.value();
    if (g.rows() != v.rows() || g.dim() != v.dim()) {
      throw new IllegalArgumentException(
          "gradient of parameter '" + p.name() + "' has shape " + g.rows() + " x " + g.dim()
              + " but the parameter is " + v.rows() + " x " + v.dim());
    }
    if (g instanceof SparseGradient s && !IdRange.allWithin(s.indices(), v.rows())) {
      for (long r : s.indices()) {
        if (r < 0 || r >= v.rows()) {
          throw new IndexOutOfBoundsException(
              "sparse gradient of parameter '" + p.name() + "' names row " + r + " of a " + v.rows()
                  + "-row parameter");
        }
      }
    }
  }

  /** A description for messages, e.g. {@code SGD without momentum}; default: {@link #kind()}. */
  protected String describe() {
    return kind();
  }

  private static int slotIndex(List<Slot> spec, String name) {
    for (int k = 0; k < spec.size(); k++) {
      if (spec.get(k).name().equals(name)) {
        return k;
      }
    }
    return -1;
  }

  private static List<String> slotNames(List<Slot> spec) {
    return spec.stream().map(Slot::name).toList();
  }

  /** The name of a slot's store beside a file-backed parameter, e.g. {@code adagrad-sum}. */
  private String slotRole(Slot slot) {
    return (kind() + "-" + slot.name()).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
  }

  /**
   * Zero-filled stores for parameter i's slots: those its state had before an import dropped it, or new ones beside
   * the parameter (mapped files for a mapped table).
   */
  private RowStore[] slotStores(int i) {
    List<Slot> spec = slots();
    RowStore[] stores = spare[i];
    spare[i] = null;
    if (stores != null) {
      for (RowStore s : stores) {
        fill(s, 0f);
      }
      return stores;
    }
    RowStore value = parameters.get(i).value();
    stores = new RowStore[spec.size()];
    for (int k = 0; k < stores.length; k++) {
      int width = spec.get(k).perRow() ? 1 : value.dim();
      stores[k] = value.allocateSibling(slotRole(spec.get(k)), value.rows(), width);
    }
    return stores;
  }

  /** A heap copy of {@code src}, row by row. */
  static RowStore copyOf(RowStore src) {
    HeapRowStore dst = HeapRowStore.allocate(src.rows(), src.dim());
    Kernels.copyRows(src, dst, 0, src.rows());
    return dst;
  }

  /** Fills every value of {@code store} with {@code value}. */
  static void fill(RowStore store, float value) {
    float[] row = new float[store.dim()];
    Arrays.fill(row, value);
    for (long r = 0, n = store.rows(); r < n; r++) {
      store.writeRow(r, row, 0);
    }
  }

  /** The message for a sparse gradient given to an optimizer that only takes dense ones. */
  static IllegalArgumentException sparseNotSupported(Parameter p, String kind, String advice) {
    return new IllegalArgumentException(
        kind + " does not support sparse gradients (parameter '" + p.name() + "'); " + advice);
  }

  /** Checks a hyper-parameter: finite and {@code >= lo} (or {@code > lo} if {@code strict}). */
  static double check(String name, double value, double lo, boolean strict) {
    if (Double.isNaN(value) || Double.isInfinite(value) || (strict ? value <= lo : value < lo)) {
      throw new IllegalArgumentException(name + " must be " + (strict ? "> " : ">= ") + lo + ", got " + value);
    }
    return value;
  }

  /** Checks a beta coefficient: in {@code [0, 1)}. */
  static double checkBeta(String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
    }
    return value;
  }

  @Override
  public String toString() {
    return describe() + "(lr=" + learningRate + ", " + parameters.size() + " parameters)";
  }

  /** Parameter keys as used in {@link OptimizerState} (for tests). */
  final List<String> keys() {
    return keys;
  }
}
