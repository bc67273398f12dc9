package dev.emb4j.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.emb4j.autograd.DenseGradient;
import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.autograd.TableGradient;
import dev.emb4j.store.RowStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A table whose rows live in a Hazelcast cluster, in blocks of {@link TableSpec#blockRows()} rows (one map entry
 * each, owned by one member and backed up on others), read and written through a local copy of the rows it pulled.
 *
 * <p><b>Training.</b> A step {@link #pull pulls} the rows its ids touch, in one batched call over their blocks that
 * the engine groups by owner, computes on the local rows, then {@link #push pushes} the gradient: its rows summed,
 * grouped by block, the blocks grouped by owner, one call per owner; there each block's part is an entry processor
 * that applies the optimizer's own rule to the rows and to the optimizer state kept beside them in the block. A
 * block is updated whole under its partition's lock, so an update is atomic per block; the state never leaves the
 * owner (and its backups, which apply the same push).
 *
 * <p><b>Several workers</b> push to one table without coordination (Hogwild-like): a worker computes its gradient on
 * the rows as they were when it pulled them, and another worker's push may land in between; pushes to one block are
 * applied one at a time, in arrival order. A reader sees each block as it was after some whole number of pushes.
 *
 * <p><b>Faults.</b> A block's push whose owner fails is retried by the engine on the new owner (the promoted backup,
 * which holds every push the old owner acknowledged, since backups are synchronous); a call to an owner that failed
 * or left is split again by the blocks' owners now and sent again, for up to two minutes. The push carries this
 * table's writer id and a sequence number, and a block remembers the last sequence applied per writer, so a push is
 * applied once even when it comes again after being applied. A push is also retried while its partition migrates.
 *
 * <p>As a {@link RowStore}: reads come from the local copy, fetching a row not pulled yet; writes ({@link
 * #writeRow}, {@link #addToRow}, {@link #scaleRow}, {@link #set}) go to the owner at once (one call per row; for
 * tools, not for training) and drop the row from the local copy. {@link #sizeInBytes()} is the local copy's size.
 * Not thread-safe: one thread uses a table object at a time.
 */
public final class ShardedTable implements RowStore {
  private final HazelcastInstance client;
  private final IMap<Long, Block> map;
  private final TableSpec spec;
  private final long writer = ThreadLocalRandom.current().nextLong();
  private long seq;
  /** The local copy: pulled rows, by row number, until a push or an edit makes them stale. */
  private final Map<Long, float[]> local = new HashMap<>();

  ShardedTable(HazelcastInstance client, IMap<Long, Block> map, TableSpec spec) {
    this.client = client;
    this.map = map;
    this.spec = spec;
  }

  /** The table's shape. */
  public TableSpec spec() {
    return spec;
  }

  /**
   * Fetches the current values of {@code rows}, in one batched call over the blocks that hold them (the member that
   * receives it runs it at each owner, whose answer is the wanted rows of its blocks), into the local copy.
   *
   * @param rows row numbers, in any order, duplicates allowed
   * @throws IndexOutOfBoundsException if a row is out of range (nothing is fetched)
   * @throws IllegalStateException if a block is missing from the cluster (lost with more members than backups)
   */
  public void pull(long[] rows) {
    startPull(rows).await();
  }

  /**
   * Starts {@link #pull(long[])}: the call is in flight when this returns, so that the pulls of several tables
   * overlap; {@link Pending#await()} waits for it and fills the local copy.
   *
   * @param rows row numbers, in any order, duplicates allowed
   * @return the pull in flight
   * @throws IndexOutOfBoundsException if a row is out of range (nothing is fetched)
   */
  public Pending startPull(long[] rows) {
    for (int i = 0; i < rows.length; i++) {
      checkRow(rows[i], i);
    }
    long[] wanted = Arrays.stream(rows).sorted().distinct().toArray();
    Set<Long> blocks = new LinkedHashSet<>();
    for (long r : wanted) {
      blocks.add(spec.blockOf(r));
    }
    if (blocks.isEmpty()) {
      return new Pending(() -> {});
    }
    CompletableFuture<Map<Long, float[]>> got =
        map.submitToKeys(blocks, new ReadRows(spec.blockRows(), wanted)).toCompletableFuture();
    return new Pending(() -> keep(wanted, OwnerCalls.join(got)));
  }

  /**
   * {@link #pull(long[])}, then copies each of {@code rows} into the same row of {@code dst} (a store of the table's
   * shape, such as a local model's table).
   *
   * @param rows row numbers
   * @param dst where the rows go
   */
  public void pullInto(long[] rows, RowStore dst) {
    checkShape(dst);
    pull(rows);
    copyLocalRows(rows, dst);
  }

  /**
   * Copies each of {@code rows} from the local copy (fetching rows not pulled yet) into the same row of {@code
   * dst}, a store of the table's shape: the second half of {@link #pullInto}, after {@link #startPull}.
   *
   * @param rows row numbers
   * @param dst where the rows go
   */
  public void copyLocalRows(long[] rows, RowStore dst) {
    checkShape(dst);
    float[] row = new float[spec.dim()];
    for (long r : rows) {
      readRow(r, row, 0);
      dst.writeRow(r, row, 0);
    }
  }

  private void checkShape(RowStore dst) {
    if (dst.rows() != spec.rows() || dst.dim() != spec.dim()) {
      throw new IllegalArgumentException(
          "cannot copy table '" + spec.name() + "' (" + spec.shape() + ") into a " + dst.rows() + " x " + dst.dim()
              + " store");
    }
  }

  /** Pulls every block, in batches, and copies all rows into {@code dst} (a store of the table's shape). */
  public void pullAllInto(RowStore dst) {
    long n = spec.rows();
    int batch = 64 * spec.blockRows();
    for (long from = 0; from < n; from += batch) {
      int count = (int) Math.min(batch, n - from);
      long[] rows = new long[count];
      for (int k = 0; k < count; k++) {
        rows[k] = from + k;
      }
      pullInto(rows, dst);
      local.clear();
    }
  }

  /** Keeps the pulled rows: each block's answer holds its wanted rows, ascending, packed. */
  private void keep(long[] wanted, Map<Long, float[]> got) {
    int d = spec.dim();
    for (int k = 0; k < wanted.length; ) {
      long b = spec.blockOf(wanted[k]);
      float[] values = got.get(b);
      if (values == null) {
        throw new IllegalStateException(
            "block " + b + " of table '" + spec.name() + "' (rows " + spec.firstRow(b) + ".."
                + (spec.firstRow(b) + spec.rowsIn(b) - 1) + ") is missing from the cluster");
      }
      for (int i = 0; k < wanted.length && spec.blockOf(wanted[k]) == b; k++, i++) {
        local.put(wanted[k], Arrays.copyOfRange(values, i * d, (i + 1) * d));
      }
    }
  }

  /**
   * Applies {@code grad} at the owners of its rows: the entries of each row summed, grouped by block, and {@code
   * optimizer}'s rule applied there to each row and its state rows. Returns when every block has applied it.
   *
   * @param grad the gradient of this table (sparse; a dense one pushes every row)
   * @param optimizer the rule to apply and its learning rate
   * @param step the step count the rule sees (1 on the first step); for Adagrad without learning-rate decay and for
   *     SGD it does not matter
   * @throws IllegalArgumentException if the gradient does not have the table's shape (nothing is pushed)
   */
  public void push(TableGradient grad, OptimizerSpec optimizer, long step) {
    startPush(grad, optimizer, step).await();
  }

  /**
   * Starts {@link #push}: every block's processor is in flight when this returns, so that the pushes of several
   * tables overlap; {@link Pending#await()} waits until every block has applied its part.
   *
   * @param grad the gradient of this table
   * @param optimizer the rule to apply and its learning rate
   * @param step the step count the rule sees
   * @return the push in flight
   * @throws IllegalArgumentException if the gradient does not have the table's shape (nothing is pushed)
   */
  public Pending startPush(TableGradient grad, OptimizerSpec optimizer, long step) {
    Objects.requireNonNull(optimizer, "optimizer");
    if (grad.rows() != spec.rows() || grad.dim() != spec.dim()) {
      throw new IllegalArgumentException(
          "gradient of shape " + grad.rows() + " x " + grad.dim() + " for table '" + spec.name() + "' ("
              + spec.shape() + ")");
    }
    if (step < 1) {
      throw new IllegalArgumentException("step must be >= 1, got " + step);
    }
    long[] rows;
    float[] values;
    int d = spec.dim();
    switch (grad) {
      case SparseGradient s -> {
        SparseGradient c = s.coalesce();
        rows = c.indices();
        values = c.values().data();
        for (int i = 0; i < rows.length; i++) {
          checkRow(rows[i], i);
        }
      }
      case DenseGradient dense -> {
        RowStore g = dense.values();
        rows = new long[Math.toIntExact(spec.rows())];
        values = new float[Math.multiplyExact(rows.length, d)];
        for (int r = 0; r < rows.length; r++) {
          rows[r] = r;
          g.readRow(r, values, r * d);
        }
      }
    }
    long pushSeq = ++seq;
    List<Long> blocks = new ArrayList<>();
    List<int[]> offsets = new ArrayList<>();
    List<float[]> grads = new ArrayList<>();
    for (int from = 0; from < rows.length; ) {
      long block = spec.blockOf(rows[from]);
      int to = from;
      while (to < rows.length && spec.blockOf(rows[to]) == block) {
        to++;
      }
      int[] at = new int[to - from];
      for (int k = from; k < to; k++) {
        at[k - from] = (int) (rows[k] - spec.firstRow(block));
        local.remove(rows[k]);
      }
      blocks.add(block);
      offsets.add(at);
      grads.add(Arrays.copyOfRange(values, from * d, to * d));
      from = to;
    }
    PushToOwner all =
        new PushToOwner(
            map.getName(), optimizer, step, writer, pushSeq, blocks.stream().mapToLong(Long::longValue).toArray(),
            offsets.toArray(int[][]::new), grads.toArray(float[][]::new));
    return OwnerCalls.start(client, all);
  }

  /** A pull or push in flight, started by {@link #startPull} or {@link #startPush}. */
  public static final class Pending {
    private final Runnable await;

    Pending(Runnable await) {
      this.await = await;
    }

    /**
     * Waits until the call is done (and, for a pull, fills the table's local copy, on this thread).
     *
     * @throws RuntimeException the call's failure, as the engine reported it
     */
    public void await() {
      await.run();
    }
  }

  /** Forgets the local copy: the next read fetches current values. */
  public void forgetLocal() {
    local.clear();
  }

  private long checkRow(long row, int position) {
    if (row < 0 || row >= spec.rows()) {
      throw new IndexOutOfBoundsException(
          "row " + row + " at position " + position + " is out of range for table '" + spec.name() + "' of "
              + spec.rows() + " rows (valid 0.." + (spec.rows() - 1) + ")");
    }
    return row;
  }

  private float[] localRow(long row) {
    float[] values = local.get(row);
    if (values == null) {
      pull(new long[] {row});
      values = local.get(row);
    }
    return values;
  }

  private void edit(long row, int op, float scale, float[] values) {
    long b = spec.blockOf(row);
    map.executeOnKey(b, new EditRow(op, (int) (row - spec.firstRow(b)), scale, values));
    local.remove(row);
  }

  @Override
  public long rows() {
    return spec.rows();
  }

  @Override
  public int dim() {
    return spec.dim();
  }

  @Override
  public float get(long row, int col) {
    return localRow(row)[col];
  }

  @Override
  public void set(long row, int col, float value) {
    float[] values = new float[spec.dim()];
    readRow(row, values, 0);
    values[col] = value;
    edit(row, EditRow.WRITE, 1f, values);
  }

  @Override
  public void readRow(long row, float[] dst, int dstOffset) {
    System.arraycopy(localRow(row), 0, dst, dstOffset, spec.dim());
  }

  @Override
  public void writeRow(long row, float[] src, int srcOffset) {
    float[] values = new float[spec.dim()];
    System.arraycopy(src, srcOffset, values, 0, values.length);
    edit(row, EditRow.WRITE, 1f, values);
  }

  @Override
  public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
    float[] values = localRow(row);
    for (int j = 0; j < spec.dim(); j++) {
      dst[dstOffset + j] += scale * values[j];
    }
  }

  @Override
  public void addToRow(long row, float scale, float[] src, int srcOffset) {
    float[] values = new float[spec.dim()];
    System.arraycopy(src, srcOffset, values, 0, values.length);
    edit(row, EditRow.ADD, scale, values);
  }

  @Override
  public void scaleRow(long row, float factor) {
    edit(row, EditRow.SCALE, factor, new float[0]);
  }

  /** Bytes of the local copy of pulled rows (the table itself lives in the cluster). */
  @Override
  public long sizeInBytes() {
    long n = 0;
    for (float[] v : local.values()) {
      n += (long) v.length * Float.BYTES;
    }
    return n;
  }

  /** Forgets the local copy; the table stays in the cluster. */
  @Override
  public void close() {
    local.clear();
  }

  @Override
  public String toString() {
    return "ShardedTable(" + spec.name() + ", " + spec.shape() + ")";
  }
}
