package dev.emb4j.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * One {@link dev.emb4j.store.RowStore} write applied at the owner of the row's block: {@code row = values} (WRITE),
 * {@code row += scale * values} (ADD), {@code row *= scale} (SCALE). Not a training path (that is {@link PushRows});
 * for tools that write rows one at a time. Not deduplicated: WRITE and SCALE by 1 repeat harmlessly, an ADD retried
 * after its owner failed may be applied twice.
 */
final class EditRow implements EntryProcessor<Long, Block, Boolean>, IdentifiedDataSerializable {
  private static final long serialVersionUID = 1L;

  static final int WRITE = 0;
  static final int ADD = 1;
  static final int SCALE = 2;

  private int op;
  private int offset;
  private float scale;
  private float[] values;

  /** For deserialization. */
  EditRow() {}

  EditRow(int op, int offset, float scale, float[] values) {
    this.op = op;
    this.offset = offset;
    this.scale = scale;
    this.values = values;
  }

  @Override
  public Boolean process(Map.Entry<Long, Block> entry) {
    Block b = entry.getValue();
    if (b == null) {
      throw new IllegalStateException("block " + entry.getKey() + " is missing: the table was dropped");
    }
    int d = b.dim;
    int base = offset * d;
    for (int j = 0; j < d; j++) {
      b.values[base + j] =
          switch (op) {
            case WRITE -> values[j];
            case ADD -> b.values[base + j] + scale * values[j];
            default -> b.values[base + j] * scale;
          };
    }
    entry.setValue(b);
    return true;
  }

  @Override
  public int getFactoryId() {
    return ClusterSerialization.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return ClusterSerialization.EDIT_ROW;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(op);
    out.writeInt(offset);
    out.writeFloat(scale);
    out.writeFloatArray(values);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    op = in.readInt();
    offset = in.readInt();
    scale = in.readFloat();
    values = in.readFloatArray();
  }
}
