package dev.emb4j.cluster;

import com.hazelcast.aggregation.Aggregator;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.Map;

/** Counts, at the members, the rows present in a table and the bytes of their values and state: for a status. */
final class BlockTally implements Aggregator<Map.Entry<Long, Block>, long[]>, IdentifiedDataSerializable {
  private static final long serialVersionUID = 1L;

  private long rows;
  private long bytes;

  @Override
  public void accumulate(Map.Entry<Long, Block> entry) {
    Block b = entry.getValue();
    rows += b.rows;
    bytes += b.bytes();
  }

  @Override
  @SuppressWarnings("rawtypes") // Hazelcast declares the parameter as a raw type
  public void combine(Aggregator aggregator) {
    BlockTally other = (BlockTally) aggregator;
    rows += other.rows;
    bytes += other.bytes;
  }

  @Override
  public long[] aggregate() {
    return new long[] {rows, bytes};
  }

  @Override
  public int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.BLOCK_TALLY;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(rows);
    out.writeLong(bytes);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    rows = in.readLong();
    bytes = in.readLong();
  }
}
