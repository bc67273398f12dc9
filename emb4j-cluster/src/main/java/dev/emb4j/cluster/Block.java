package dev.emb4j.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.RowRule;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * One map entry of a sharded table: {@code rows} consecutive rows of {@code dim} floats, the optimizer state rows
 * beside them, and which pushes it has applied. Lives at its owner (and its backups); only its values ever leave it,
 * through {@link ReadRows}.
 *
 * <pre>
 * ids     null for dense rows; for raw ids, the block's ids, ascending, one per row
 * values  rows * dim floats, row-major
 * state   null until the first push; then one array per optimizer slot, rows * width floats (width dim or 1)
 * applied the last push sequence applied per writer (at most {@value #WRITERS} writers, least recent dropped)
 * </pre>
 */
final class Block implements IdentifiedDataSerializable {
  /** The writers whose last push a block remembers; a writer pushes its blocks one step at a time. */
  static final int WRITERS = 64;

  int rows;
  int dim;
  /** Null for a block of dense rows; for raw ids, the id of each row, ascending. */
  long[] ids;
  float[] values;
  /** The optimizer kind the state belongs to (ordinal of {@link OptimizerSpec.Kind}), -1 without state. */
  int stateKind = -1;
  float[][] state;
  int[] stateWidths;
  long[] writers = new long[0];
  long[] applied = new long[0];

  /** For deserialization. */
  Block() {}

  Block(int rows, int dim, float[] values) {
    this.rows = rows;
    this.dim = dim;
    this.values = values;
  }

  /**
   * Records that {@code writer} applies push {@code seq}, unless it did already (a push retried after its owner
   * failed, or its response was lost): pushes of one writer to one block carry increasing numbers.
   *
   * @return false if the push was applied before and must not be applied again
   */
  boolean markApplied(long writer, long seq) {
    for (int i = 0; i < writers.length; i++) {
      if (writers[i] == writer) {
        if (applied[i] >= seq) {
          return false;
        }
        applied[i] = seq;
        return true;
      }
    }
    int n = Math.min(writers.length + 1, WRITERS);
    long[] w = new long[n];
    long[] a = new long[n];
    w[0] = writer;
    a[0] = seq;
    System.arraycopy(writers, 0, w, 1, n - 1);
    System.arraycopy(applied, 0, a, 1, n - 1);
    writers = w;
    applied = a;
    return true;
  }

  /**
   * Makes sure the block holds {@code opt}'s state rows, created with the optimizer's initial values on the first
   * push.
   *
   * @return true if the state was created now (the rule's {@code fresh})
   * @throws IllegalStateException if the block holds another optimizer's state
   */
  private boolean ensureState(OptimizerSpec.Kind kind, Optimizer opt) {
    if (stateKind == kind.ordinal()) {
      return false;
    }
    if (stateKind >= 0) {
      throw new IllegalStateException(
          "the block holds " + OptimizerSpec.Kind.values()[stateKind] + " state; a push asked for " + kind);
    }
    List<Optimizer.Slot> slots = opt.stateSlots();
    RowStore[] stores = new RowStore[slots.size()];
    stateWidths = new int[slots.size()];
    for (int k = 0; k < stores.length; k++) {
      stateWidths[k] = slots.get(k).perRow() ? 1 : dim;
      stores[k] = HeapRowStore.allocate(rows, stateWidths[k]);
    }
    opt.initState(stores);
    state = new float[stores.length][];
    for (int k = 0; k < stores.length; k++) {
      state[k] = new float[rows * stateWidths[k]];
      for (int r = 0; r < rows; r++) {
        stores[k].readRow(r, state[k], r * stateWidths[k]);
      }
    }
    stateKind = kind.ordinal();
    return true;
  }

  /**
   * The body of a push, for dense rows and raw ids alike: {@code opt}'s rule at {@code step} applied to rows {@code
   * at} (distinct) of the block and their state rows, row {@code at[i]} with gradient row {@code i} of {@code grads};
   * the state rows are made with the optimizer's initial values on the block's first push.
   *
   * @throws IllegalStateException if the block holds another optimizer's state
   */
  void push(OptimizerSpec.Kind kind, Optimizer opt, long step, int[] at, float[] grads) {
    boolean fresh = ensureState(kind, opt);
    apply(opt.rowRule(step, fresh), at, grads);
  }

  private void apply(RowRule rule, int[] at, float[] grads) {
    int d = dim;
    int slots = state == null ? 0 : state.length;
    float[] w = new float[d];
    float[] g = new float[d];
    float[][] st = new float[slots][];
    for (int k = 0; k < slots; k++) {
      st[k] = new float[stateWidths[k]];
    }
    for (int i = 0; i < at.length; i++) {
      int r = at[i];
      System.arraycopy(values, r * d, w, 0, d);
      System.arraycopy(grads, i * d, g, 0, d);
      for (int k = 0; k < slots; k++) {
        System.arraycopy(state[k], r * st[k].length, st[k], 0, st[k].length);
      }
      rule.apply(w, g, st);
      System.arraycopy(w, 0, values, r * d, d);
      for (int k = 0; k < slots; k++) {
        System.arraycopy(st[k], 0, state[k], r * st[k].length, st[k].length);
      }
    }
  }

  /** An empty block of a raw-id table, created by the first push of one of its ids. */
  static Block emptyOfIds(int dim) {
    Block b = new Block(0, dim, new float[0]);
    b.ids = new long[0];
    return b;
  }

  /** The row of raw id {@code id}, or {@code -(insertion point) - 1} if the block does not hold it. */
  int rowOfId(long id) {
    return Arrays.binarySearch(ids, id);
  }

  /**
   * Adds the raw ids of {@code wanted} (ascending, distinct) that the block does not hold yet, each with its start
   * row from {@code spec} and, if the block holds optimizer state, the state's initial values from {@code opt}.
   */
  void addIds(long[] wanted, TableSpec spec, Optimizer opt) {
    int missing = 0;
    for (long id : wanted) {
      if (rowOfId(id) < 0) {
        missing++;
      }
    }
    if (missing == 0) {
      return;
    }
    int n = rows + missing;
    long[] newIds = new long[n];
    float[] newValues = new float[n * dim];
    float[][] newState = state == null ? null : new float[state.length][];
    float[][] startState = null;
    if (state != null) {
      startState = new float[state.length][];
      RowStore[] one = new RowStore[state.length];
      for (int k = 0; k < state.length; k++) {
        one[k] = HeapRowStore.allocate(1, stateWidths[k]);
      }
      opt.initState(one);
      for (int k = 0; k < state.length; k++) {
        startState[k] = new float[stateWidths[k]];
        one[k].readRow(0, startState[k], 0);
        newState[k] = new float[n * stateWidths[k]];
      }
    }
    int old = 0;
    int add = 0;
    for (int r = 0; r < n; r++) {
      while (add < wanted.length && rowOfId(wanted[add]) >= 0) {
        add++;
      }
      boolean takeOld = add == wanted.length || (old < rows && ids[old] < wanted[add]);
      if (takeOld) {
        newIds[r] = ids[old];
        System.arraycopy(values, old * dim, newValues, r * dim, dim);
        for (int k = 0; newState != null && k < state.length; k++) {
          System.arraycopy(state[k], old * stateWidths[k], newState[k], r * stateWidths[k], stateWidths[k]);
        }
        old++;
      } else {
        newIds[r] = wanted[add];
        spec.startRow(wanted[add], newValues, r * dim);
        for (int k = 0; newState != null && k < state.length; k++) {
          System.arraycopy(startState[k], 0, newState[k], r * stateWidths[k], stateWidths[k]);
        }
        add++;
      }
    }
    ids = newIds;
    values = newValues;
    state = newState;
    rows = n;
  }

  /** Bytes of values, state and, for raw ids, the ids. */
  long bytes() {
    long n = values.length + (ids == null ? 0 : 2L * ids.length);
    if (state != null) {
      for (float[] s : state) {
        n += s.length;
      }
    }
    return n * Float.BYTES;
  }

  @Override
  public int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.BLOCK;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(rows);
    out.writeInt(dim);
    out.writeLongArray(ids);
    out.writeFloatArray(values);
    out.writeInt(stateKind);
    if (stateKind >= 0) {
      out.writeIntArray(stateWidths);
      for (float[] s : state) {
        out.writeFloatArray(s);
      }
    }
    out.writeLongArray(writers);
    out.writeLongArray(applied);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    rows = in.readInt();
    dim = in.readInt();
    ids = in.readLongArray();
    values = in.readFloatArray();
    stateKind = in.readInt();
    if (stateKind >= 0) {
      stateWidths = in.readIntArray();
      state = new float[stateWidths.length][];
      for (int k = 0; k < state.length; k++) {
        state[k] = in.readFloatArray();
      }
    }
    writers = in.readLongArray();
    applied = in.readLongArray();
  }
}
