package dev.emb4j.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import dev.emb4j.optim.Optimizer;
import java.io.IOException;
import java.util.Map;

/**
 * Applies summed gradient rows of raw ids to one block of a {@link ShardedIdTable} at its owner: the push of a step.
 * Ids the block does not hold yet get their row first, the table's start row ({@link TableSpec#startRow}), and the
 * optimizer's initial state; the block itself is created by the first push that reaches it. Then the optimizer's own
 * rule ({@link Optimizer#rowRule}) runs on each row and its state, as {@link PushRows} does for dense rows, under the
 * partition's lock, and again on each backup, which computes the same floats (the start rows depend on the seed and
 * the id only). Recognised by writer and sequence number, a retried push is applied once.
 */
final class PushIds implements EntryProcessor<Long, Block, Boolean>, IdentifiedDataSerializable {
  private static final long serialVersionUID = 1L;

  private TableSpec spec;
  private OptimizerSpec optimizer;
  private long step;
  private long writer;
  private long seq;
  /** The block's ids in this push, ascending and distinct. */
  private long[] ids;
  /** {@code ids.length * dim} floats: the summed gradient of each id's row. */
  private float[] grads;

  /** For deserialization. */
  PushIds() {}

  PushIds(TableSpec spec, OptimizerSpec optimizer, long step, long writer, long seq, long[] ids, float[] grads) {
    this.spec = spec;
    this.optimizer = optimizer;
    this.step = step;
    this.writer = writer;
    this.seq = seq;
    this.ids = ids;
    this.grads = grads;
  }

  @Override
  public Boolean process(Map.Entry<Long, Block> entry) {
    Block b = entry.getValue();
    if (b == null) {
      b = Block.emptyOfIds(spec.dim());
    }
    if (!b.markApplied(writer, seq)) {
      return false;
    }
    Optimizer opt = optimizer.build();
    b.addIds(ids, spec, opt);
    int[] at = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      at[i] = b.rowOfId(ids[i]);
    }
    b.push(optimizer.kind(), opt, step, at, grads);
    entry.setValue(b);
    return true;
  }

  @Override
  public int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.PUSH_IDS;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(spec.name());
    out.writeString(spec.encode());
    out.writeInt(optimizer.kind().ordinal());
    out.writeDouble(optimizer.lr());
    out.writeLong(step);
    out.writeLong(writer);
    out.writeLong(seq);
    out.writeLongArray(ids);
    out.writeFloatArray(grads);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    spec = TableSpec.decode(in.readString(), in.readString());
    optimizer = new OptimizerSpec(OptimizerSpec.Kind.values()[in.readInt()], in.readDouble());
    step = in.readLong();
    writer = in.readLong();
    seq = in.readLong();
    ids = in.readLongArray();
    grads = in.readFloatArray();
  }
}
