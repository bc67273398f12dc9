package dev.emb4j.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
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
 * A table whose rows live in a Hazelcast cluster keyed by raw 64-bit ids ({@link TableSpec.Keys#RAW_IDS}): no
 * vocabulary, no row numbers agreed between workers. An id's block is a hash of the id ({@link TableSpec#blockOfId});
 * a block keeps its ids beside their rows, one row per id.
 *
 * <p><b>Rows appear on their first push.</b> Before it, a read of the id answers its start row ({@link
 * TableSpec#startRow}, a function of the table's seed and the id, so every worker sees the same) and creates
 * nothing; the first push of the id creates the row at the block's owner from that start row (and the optimizer's
 * initial state beside it), then applies the rule, as later pushes do. So the rows present ({@link #presentIds()},
 * {@code cluster status}) are the ids pushed at least once.
 *
 * <p>Pulls and pushes are batched as for {@link ShardedTable}: a pull is one call over the blocks its ids hash to,
 * grouped by owner; a push sums each id's gradient rows, groups them by block and the blocks by owner, one call per
 * owner, each block's part an entry processor that applies the optimizer's rule there, atomic per block, applied once
 * even when retried. The same semantics hold across workers (Hogwild-like) and through member failures. Not
 * thread-safe: one thread uses a table object at a time.
 */
public final class ShardedIdTable {
  private final HazelcastInstance client;
  private final IMap<Long, Block> map;
  private final TableSpec spec;
  private final long writer = ThreadLocalRandom.current().nextLong();
  private long seq;
  /** The local copy: pulled rows by id, until a push makes them stale. */
  private final Map<Long, float[]> local = new HashMap<>();

  ShardedIdTable(HazelcastInstance client, IMap<Long, Block> map, TableSpec spec) {
    this.client = client;
    this.map = map;
    this.spec = spec;
  }

  /** The table's spec. */
  public TableSpec spec() {
    return spec;
  }

  /**
   * Fetches the current rows of {@code ids} (start rows for ids never pushed) into the local copy, in one batched
   * call over the blocks they hash to.
   *
   * @param ids raw ids, in any order, duplicates allowed
   */
  public void pull(long[] ids) {
    startPull(ids).await();
  }

  /**
   * Starts {@link #pull}: the call is in flight when this returns; {@link ShardedTable.Pending#await()} waits for it
   * and fills the local copy.
   *
   * @param ids raw ids, in any order, duplicates allowed
   * @return the pull in flight
   */
  public ShardedTable.Pending startPull(long[] ids) {
    long[] wanted = Arrays.stream(ids).sorted().distinct().toArray();
    Set<Long> blocks = new LinkedHashSet<>();
    for (long id : wanted) {
      blocks.add(spec.blockOfId(id));
    }
    if (blocks.isEmpty()) {
      return new ShardedTable.Pending(() -> {});
    }
    CompletableFuture<Map<Long, float[]>> got =
        map.submitToKeys(blocks, new ReadIds(spec, wanted)).toCompletableFuture();
    return new ShardedTable.Pending(() -> keep(wanted, OwnerCalls.join(got)));
  }

  /** Keeps the pulled rows: each block's answer holds its wanted ids' rows in ascending id order, packed. */
  private void keep(long[] wanted, Map<Long, float[]> got) {
    int d = spec.dim();
    Map<Long, Integer> next = new HashMap<>();
    for (long id : wanted) {
      long b = spec.blockOfId(id);
      float[] values = got.get(b);
      if (values == null) {
        throw new IllegalStateException("block " + b + " of table '" + spec.name() + "' did not answer a pull");
      }
      int i = next.merge(b, 1, Integer::sum) - 1;
      local.put(id, Arrays.copyOfRange(values, i * d, (i + 1) * d));
    }
  }

  /**
   * Copies the row of {@code id} into {@code dst} at {@code offset}, from the local copy, pulling it first if it is
   * not there.
   *
   * @param id the raw id
   * @param dst where the {@code dim} values go
   * @param offset where in {@code dst}
   */
  public void readRow(long id, float[] dst, int offset) {
    float[] values = local.get(id);
    if (values == null) {
      pull(new long[] {id});
      values = local.get(id);
    }
    System.arraycopy(values, 0, dst, offset, spec.dim());
  }

  /**
   * Applies gradient rows at the owners of their ids, creating the rows of ids pushed for the first time; returns
   * when every block has applied its part.
   *
   * @param ids the raw ids, in any order; the rows of an id given several times are summed
   * @param grads {@code ids.length * dim} floats, row {@code k} the gradient of {@code ids[k]}
   * @param optimizer the rule to apply and its learning rate
   * @param step the step count the rule sees (1 on the first step)
   * @throws IllegalArgumentException if {@code grads} does not hold one row per id, or {@code step < 1} (nothing is
   *     pushed)
   */
  public void push(long[] ids, float[] grads, OptimizerSpec optimizer, long step) {
    startPush(ids, grads, optimizer, step).await();
  }

  /**
   * Starts {@link #push}: every block's part is in flight when this returns; {@link ShardedTable.Pending#await()}
   * waits until every block has applied it.
   *
   * @param ids the raw ids, in any order; the rows of an id given several times are summed
   * @param grads {@code ids.length * dim} floats
   * @param optimizer the rule to apply and its learning rate
   * @param step the step count the rule sees
   * @return the push in flight
   * @throws IllegalArgumentException if {@code grads} does not hold one row per id, or {@code step < 1}
   */
  public ShardedTable.Pending startPush(long[] ids, float[] grads, OptimizerSpec optimizer, long step) {
    Objects.requireNonNull(optimizer, "optimizer");
    int d = spec.dim();
    if (grads.length != (long) ids.length * d) {
      throw new IllegalArgumentException(
          ids.length + " ids need " + ((long) ids.length * d) + " gradient floats for table '" + spec.name()
              + "' of dim " + d + ", got " + grads.length);
    }
    if (step < 1) {
      throw new IllegalArgumentException("step must be >= 1, got " + step);
    }
    long[] distinct = Arrays.stream(ids).sorted().distinct().toArray();
    Map<Long, float[]> summed = new HashMap<>();
    for (int k = 0; k < ids.length; k++) {
      float[] row = summed.computeIfAbsent(ids[k], x -> new float[d]);
      for (int j = 0; j < d; j++) {
        row[j] += grads[k * d + j];
      }
      local.remove(ids[k]);
    }
    Map<Long, List<Long>> byBlock = new HashMap<>();
    List<Long> order = new ArrayList<>();
    for (long id : distinct) {
      long b = spec.blockOfId(id);
      byBlock.computeIfAbsent(
              b,
              x -> {
                order.add(x);
                return new ArrayList<>();
              })
          .add(id);
    }
    int n = order.size();
    long[] blocks = new long[n];
    long[][] blockIds = new long[n][];
    float[][] blockGrads = new float[n][];
    for (int i = 0; i < n; i++) {
      blocks[i] = order.get(i);
      blockIds[i] = byBlock.get(blocks[i]).stream().mapToLong(Long::longValue).toArray();
      blockGrads[i] = new float[blockIds[i].length * d];
      for (int k = 0; k < blockIds[i].length; k++) {
        System.arraycopy(summed.get(blockIds[i][k]), 0, blockGrads[i], k * d, d);
      }
    }
    if (n == 0) {
      return new ShardedTable.Pending(() -> {});
    }
    PushToOwner all =
        PushToOwner.ofIds(spec, map.getName(), optimizer, step, writer, ++seq, blocks, blockIds, blockGrads);
    return OwnerCalls.start(client, all);
  }

  /** The ids present as rows in the cluster: those pushed at least once (counted at the members). */
  public long presentIds() {
    return map.aggregate(new BlockTally())[0];
  }

  /** Forgets the local copy: the next read fetches current values. */
  public void forgetLocal() {
    local.clear();
  }

  @Override
  public String toString() {
    return "ShardedIdTable(" + spec.name() + ", " + spec.shape() + ")";
  }
}
