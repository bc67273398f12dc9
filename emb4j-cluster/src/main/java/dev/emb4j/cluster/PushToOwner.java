package dev.emb4j.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * The part of a push whose blocks one member owns, sent to that member in one call: there it hands each block its
 * {@link PushRows} as a member-local entry processor (the engine still runs it under the block's partition lock and
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
  /** Per block: its rows within the block, ascending and distinct. */
  private int[][] offsets;
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

  /** The same push (table, rule, writer, sequence) for other blocks. */
  PushToOwner withBlocks(long[] otherBlocks, int[][] otherOffsets, float[][] otherGrads) {
    return new PushToOwner(mapName, optimizer, step, writer, seq, otherBlocks, otherOffsets, otherGrads);
  }

  long[] blocks() {
    return blocks;
  }

  int[] offsets(int i) {
    return offsets[i];
  }

  float[] grads(int i) {
    return grads[i];
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
          map.submitToKey(blocks[i], new PushRows(optimizer, step, writer, seq, offsets[i], grads[i]))
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
    for (int i = 0; i < blocks.length; i++) {
      out.writeIntArray(offsets[i]);
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
    offsets = new int[blocks.length][];
    grads = new float[blocks.length][];
    for (int i = 0; i < blocks.length; i++) {
      offsets[i] = in.readIntArray();
      grads[i] = in.readFloatArray();
    }
  }
}
