package dev.emb4j.cluster;

import java.io.IOException;
import java.util.List;

/** Two members in this JVM on free loopback ports and a connection to them, for tests; {@link #close} stops all. */
record TwoMembers(ClusterMember first, ClusterMember second, List<String> addresses, Cluster cluster)
    implements AutoCloseable {

  static TwoMembers start() throws IOException {
    int p1 = ShardedTableTest.freePort();
    int p2 = ShardedTableTest.freePort();
    List<String> all = List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2);
    ClusterMember first = ClusterMember.start(ClusterMember.Options.of("127.0.0.1", p1, all));
    ClusterMember second = ClusterMember.start(ClusterMember.Options.of("127.0.0.1", p2, all));
    return new TwoMembers(first, second, all, Cluster.connect(all));
  }

  @Override
  public void close() {
    cluster.close();
    second.leave();
    first.leave();
  }
}
