package dev.emb4j.cluster;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Reads, at a block's owner, the rows of the wanted raw ids that hash to the block: the pull of a step on a {@link
 * ShardedIdTable}. One processor serves every block of a pull; each block answers with its wanted ids' rows in the
 * order of {@code wanted}, packed. An id the block does not hold (never pushed), or a block that does not exist
 * yet, answers the id's start row; nothing is created ({@link ReadOnly}).
 */
final class ReadIds implements EntryProcessor<Long, Block, float[]>, ReadOnly, IdentifiedDataSerializable {
  private static final long serialVersionUID = 1L;

  private TableSpec spec;
  /** Every id the pull wants, ascending and distinct. */
  private long[] wanted;

  /** For deserialization. */
  ReadIds() {}

  ReadIds(TableSpec spec, long[] wanted) {
    this.spec = spec;
    this.wanted = wanted;
  }

  @Override
  public float[] process(Map.Entry<Long, Block> entry) {
    long key = entry.getKey();
    Block b = entry.getValue();
    int d = spec.dim();
    int n = 0;
    for (long id : wanted) {
      if (spec.blockOfId(id) == key) {
        n++;
      }
    }
    float[] out = new float[n * d];
    int k = 0;
    for (long id : wanted) {
      if (spec.blockOfId(id) != key) {
        continue;
      }
      int r = b == null ? -1 : b.rowOfId(id);
      if (r >= 0) {
        System.arraycopy(b.values, r * d, out, k * d, d);
      } else {
        spec.startRow(id, out, k * d);
      }
      k++;
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
    return ClusterSerialization.READ_IDS;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(spec.name());
    out.writeString(spec.encode());
    out.writeLongArray(wanted);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    spec = TableSpec.decode(in.readString(), in.readString());
    wanted = in.readLongArray();
  }
}
