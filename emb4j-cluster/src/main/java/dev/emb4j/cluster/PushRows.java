package dev.emb4j.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import dev.emb4j.optim.Optimizer;
import java.io.IOException;
import java.util.Map;

/**
 * Applies summed gradient rows to one block at its owner, with the optimizer's own rule ({@link
 * Optimizer#rowRule}) and the state rows kept in the block: the push of a step. Hazelcast runs it under the
 * partition's lock, so a block is updated whole or not at all, then runs the same processor on each backup, which
 * holds the same values and state and so computes the same floats. A push retried by the engine (its owner failed or
 * its answer was lost) is recognised by its writer and sequence number and not applied twice.
 */
final class PushRows implements EntryProcessor<Long, Block, Boolean>, IdentifiedDataSerializable {
  private static final long serialVersionUID = 1L;

  private int kind;
  private double lr;
  private long step;
  private long writer;
  private long seq;
  /** Rows within the block, ascending and distinct. */
  private int[] offsets;
  /** {@code offsets.length * dim} floats: the summed gradient of each row. */
  private float[] grads;

  /** For deserialization. */
  PushRows() {}

  PushRows(OptimizerSpec spec, long step, long writer, long seq, int[] offsets, float[] grads) {
    this.kind = spec.kind().ordinal();
    this.lr = spec.lr();
    this.step = step;
    this.writer = writer;
    this.seq = seq;
    this.offsets = offsets;
    this.grads = grads;
  }

  @Override
  public Boolean process(Map.Entry<Long, Block> entry) {
    Block b = entry.getValue();
    if (b == null) {
      throw new IllegalStateException("block " + entry.getKey() + " is missing: the table was dropped");
    }
    if (!b.markApplied(writer, seq)) {
      return false;
    }
    OptimizerSpec spec = new OptimizerSpec(OptimizerSpec.Kind.values()[kind], lr);
    Optimizer opt = spec.build();
    b.push(spec.kind(), opt, step, offsets, grads);
    entry.setValue(b);
    return true;
  }

  @Override
  public int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.PUSH_ROWS;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(kind);
    out.writeDouble(lr);
    out.writeLong(step);
    out.writeLong(writer);
    out.writeLong(seq);
    out.writeIntArray(offsets);
    out.writeFloatArray(grads);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    kind = in.readInt();
    lr = in.readDouble();
    step = in.readLong();
    writer = in.readLong();
    seq = in.readLong();
    offsets = in.readIntArray();
    grads = in.readFloatArray();
  }
}
