package dev.emb4j.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * Reads, at a block's owner, the block's rows among the wanted ones (the optimizer state stays there): the pull of a
 * step. One processor serves every block of a pull; each block answers with its wanted rows, ascending, packed.
 */
final class ReadRows implements EntryProcessor<Long, Block, float[]>, ReadOnly, IdentifiedDataSerializable {
  private static final long serialVersionUID = 1L;

  private int blockRows;
  /** Every row the pull wants, ascending and distinct. */
  private long[] wanted;

  /** For deserialization. */
  ReadRows() {}

  ReadRows(int blockRows, long[] wanted) {
    this.blockRows = blockRows;
    this.wanted = wanted;
  }

  @Override
  public float[] process(Map.Entry<Long, Block> entry) {
    Block b = entry.getValue();
    if (b == null) {
      return null;
    }
    long first = entry.getKey() * blockRows;
    int from = Arrays.binarySearch(wanted, first);
    from = from >= 0 ? from : -from - 1;
    int to = from;
    while (to < wanted.length && wanted[to] < first + b.rows) {
      to++;
    }
    float[] out = new float[(to - from) * b.dim];
    for (int k = from; k < to; k++) {
      System.arraycopy(b.values, (int) (wanted[k] - first) * b.dim, out, (k - from) * b.dim, b.dim);
    }
    return out;
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
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(blockRows);
    out.writeLongArray(wanted);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    blockRows = in.readInt();
    wanted = in.readLongArray();
  }
}
