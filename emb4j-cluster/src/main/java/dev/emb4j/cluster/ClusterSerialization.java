package dev.emb4j.cluster;

import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * Creates the objects emb4j sends between members and clients, by class id: Hazelcast's compact binary form, with no
 * class names on the wire. Registered in every member's and client's configuration.
 */
final class ClusterSerialization implements DataSerializableFactory {
  /** emb4j's factory id ("EMB"). */
  static final int FACTORY_ID = 0x454D42;

  static final int BLOCK = 1;
  static final int READ_ROWS = 2;
  static final int PUSH_ROWS = 3;
  static final int EDIT_ROW = 4;
  static final int BLOCK_TALLY = 5;
  static final int PUSH_TO_OWNER = 6;
  static final int READ_IDS = 7;
  static final int PUSH_IDS = 8;

  @Override
  public IdentifiedDataSerializable create(int typeId) {
    return switch (typeId) {
      case BLOCK -> new Block();
      case READ_ROWS -> new ReadRows();
      case PUSH_ROWS -> new PushRows();
      case EDIT_ROW -> new EditRow();
      case BLOCK_TALLY -> new BlockTally();
      case PUSH_TO_OWNER -> new PushToOwner();
      case READ_IDS -> new ReadIds();
      case PUSH_IDS -> new PushIds();
      default -> throw new IllegalArgumentException("unknown emb4j class id " + typeId);
    };
  }
}
