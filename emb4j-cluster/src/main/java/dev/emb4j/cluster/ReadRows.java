package dev.emb4j.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.util.Map;

/** Reads a block's values at its owner (a copy; the optimizer state stays there): the pull of a step. */
final class ReadRows implements EntryProcessor<Long, Block, float[]>, ReadOnly, IdentifiedDataSerializable {
  private static final long serialVersionUID = 1L;

  @Override
  public float[] process(Map.Entry<Long, Block> entry) {
    Block b = entry.getValue();
    return b == null ? null : b.values.clone();
  }

  @Override
  public EntryProcessor<Long, Block, float[]> getBackupProcessor() {
    return null;
  }

  @Override
  public int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.READ_ROWS;
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
