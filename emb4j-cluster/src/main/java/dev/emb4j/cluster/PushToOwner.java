package dev.emb4j.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * The part of a push whose blocks one member owns, sent to that member in one call: there it hands each block its
 * {@link PushRows} (or, for a table of raw ids, its {@link PushIds}) as a member-local entry processor (the engine still runs it under the block's partition lock and
 * backs it up synchronously), waits for all of them, and answers how many blocks applied it. A block that moved to
 * another member meanwhile is reached through the engine's routing, so a stale grouping costs time, never
 * correctness; a task run twice (retried after its member failed) applies each block once, by writer and sequence.
 */
final class PushToOwner implements Callable<Integer>, HazelcastInstanceAware, IdentifiedDataSerializable {
  private static final long serialVersionUID = 1L;

  private transient HazelcastInstance instance;
  private String mapName;
  private OptimizerSpec optimizer;
  private long step;
  private long writer;
  private long seq;
  private long[] blocks;
  /** Per block: its rows within the block, ascending and distinct; null for a table of raw ids. */
  private int[][] offsets;
  /** For a table of raw ids, its spec (else null) and per block the ids pushed, ascending and distinct. */
  private TableSpec idSpec;
  private long[][] ids;
  /** Per block: {@code offsets[i].length * dim} floats, the summed gradient of each row. */
  private float[][] grads;

  /** For deserialization. */
  PushToOwner() {}

  PushToOwner(
      String mapName, OptimizerSpec optimizer, long step, long writer, long seq, long[] blocks, int[][] offsets,
      float[][] grads) {
    this.mapName = mapName;
    this.optimizer = optimizer;
    this.step = step;
    this.writer = writer;
    this.seq = seq;
    this.blocks = blocks;
    this.offsets = offsets;
    this.grads = grads;
  }

  /** A push of raw ids: per block, the ids (ascending, distinct) and their summed gradient rows. */
  static PushToOwner ofIds(
      TableSpec spec, String mapName, OptimizerSpec optimizer, long step, long writer, long seq, long[] blocks,
      long[][] ids, float[][] grads) {
    PushToOwner p = new PushToOwner(mapName, optimizer, step, writer, seq, blocks, null, grads);
    p.idSpec = spec;
    p.ids = ids;
    return p;
  }

  /** The blocks of {@code parts} (parts of one push: the same table, rule, writer and sequence) as one part. */
  static PushToOwner concat(List<PushToOwner> parts) {
    PushToOwner first = parts.getFirst();
    int n = 0;
    for (PushToOwner p : parts) {
      n += p.blocks.length;
    }
    PushToOwner all =
        new PushToOwner(
            first.mapName, first.optimizer, first.step, first.writer, first.seq, new long[n],
            first.offsets == null ? null : new int[n][], new float[n][]);
    all.idSpec = first.idSpec;
    all.ids = first.ids == null ? null : new long[n][];
    int at = 0;
    for (PushToOwner p : parts) {
      int m = p.blocks.length;
      System.arraycopy(p.blocks, 0, all.blocks, at, m);
      System.arraycopy(p.grads, 0, all.grads, at, m);
      if (all.offsets != null) {
        System.arraycopy(p.offsets, 0, all.offsets, at, m);
      }
      if (all.ids != null) {
        System.arraycopy(p.ids, 0, all.ids, at, m);
      }
      at += m;
    }
    return all;
  }

  /** The same push (table, rule, writer, sequence) for some of its blocks, by index. */
  PushToOwner select(int[] at) {
    long[] b = new long[at.length];
    int[][] o = offsets == null ? null : new int[at.length][];
    long[][] x = ids == null ? null : new long[at.length][];
    float[][] g = new float[at.length][];
    for (int k = 0; k < at.length; k++) {
      b[k] = blocks[at[k]];
      if (o != null) {
        o[k] = offsets[at[k]];
      }
      if (x != null) {
        x[k] = ids[at[k]];
      }
      g[k] = grads[at[k]];
    }
    PushToOwner p = new PushToOwner(mapName, optimizer, step, writer, seq, b, o, g);
    p.idSpec = idSpec;
    p.ids = x;
    return p;
  }

  long[] blocks() {
    return blocks;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
    this.instance = hazelcastInstance;
  }

  @Override
  public Integer call() {
    IMap<Long, Block> map = instance.getMap(mapName);
    CompletableFuture<?>[] pending = new CompletableFuture<?>[blocks.length];
    for (int i = 0; i < blocks.length; i++) {
      pending[i] =
          map.submitToKey(
                  blocks[i],
                  idSpec == null
                      ? new PushRows(optimizer, step, writer, seq, offsets[i], grads[i])
                      : new PushIds(idSpec, optimizer, step, writer, seq, ids[i], grads[i]))
              .toCompletableFuture();
    }
    CompletableFuture.allOf(pending).join();
    return blocks.length;
  }

  @Override
  public int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.PUSH_TO_OWNER;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(mapName);
    out.writeInt(optimizer.kind().ordinal());
    out.writeDouble(optimizer.lr());
    out.writeLong(step);
    out.writeLong(writer);
    out.writeLong(seq);
    out.writeLongArray(blocks);
    out.writeBoolean(idSpec != null);
    if (idSpec != null) {
      out.writeString(idSpec.name());
      out.writeString(idSpec.encode());
    }
    for (int i = 0; i < blocks.length; i++) {
      if (idSpec == null) {
        out.writeIntArray(offsets[i]);
      } else {
        out.writeLongArray(ids[i]);
      }
      out.writeFloatArray(grads[i]);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    mapName = in.readString();
    optimizer = new OptimizerSpec(OptimizerSpec.Kind.values()[in.readInt()], in.readDouble());
    step = in.readLong();
    writer = in.readLong();
    seq = in.readLong();
    blocks = in.readLongArray();
    if (in.readBoolean()) {
      idSpec = TableSpec.decode(in.readString(), in.readString());
      ids = new long[blocks.length][];
    } else {
      offsets = new int[blocks.length][];
    }
    grads = new float[blocks.length][];
    for (int i = 0; i < blocks.length; i++) {
      if (idSpec == null) {
        offsets[i] = in.readIntArray();
      } else {
        ids[i] = in.readLongArray();
      }
      grads[i] = in.readFloatArray();
    }
  }
}
