package dev.emb4j.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.Partition;
import dev.emb4j.store.RowStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A connection to an emb4j cluster (a Hazelcast client; it stores nothing itself), through which sharded tables are
 * created, opened, listed and dropped.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.connect(List.of("10.0.0.1:5701", "10.0.0.2:5701"))) {
 *   ShardedTable users = cluster.openOrCreate(TableSpec.of("user", 943, 64), () -> initialRows);
 *   users.pull(ids);                      // the blocks these rows are in, one batched call
 *   users.push(gradient, spec, step);     // the rule applied at each block's owner
 * }
 * }</pre>
 *
 * <p>Creating a table is atomic as seen from the cluster: under a cluster-wide lock on the name, every block is
 * written, then the table's spec; a table without its spec does not exist (a creator that dies half way leaves
 * blocks that the next creator overwrites), so no one sees a table half created.
 */
public final class Cluster implements AutoCloseable {
  /** How long {@link #connect(List)} tries before giving up. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final HazelcastInstance client;
  private final List<String> addresses;
  private final IMap<String, String> meta;

  private Cluster(HazelcastInstance client, List<String> addresses) {
    this.client = client;
    this.addresses = addresses;
    this.meta = client.getMap(ClusterMember.META);
  }

  /**
   * Connects to the cluster one of {@code members} belongs to, trying for {@link #DEFAULT_CONNECT_TIMEOUT}.
   *
   * @param members some of its members' {@code host:port}
   * @return the connection
   * @throws ClusterException if no member answers in time, or the cluster runs another emb4j version
   */
  public static Cluster connect(List<String> members) {
    return connect(members, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * Connects to the cluster one of {@code members} belongs to.
   *
   * @param members some of its members' {@code host:port}
   * @param timeout how long to try
   * @return the connection
   * @throws ClusterException if no member answers in time, or the cluster runs another emb4j version
   * @throws IllegalArgumentException if an address is not {@code host:port}
   */
  public static Cluster connect(List<String> members, Duration timeout) {
    List<String> addresses = new ArrayList<>();
    for (String m : members) {
      addresses.add(Addresses.parse(m));
    }
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no member address given (expected host:port,...)");
    }
    ClientConfig cc = new ClientConfig();
    cc.setClusterName(ClusterMember.CLUSTER_NAME);
    cc.setProperty("hazelcast.logging.type", "none");
    cc.setProperty("hazelcast.phone.home.enabled", "false");
    cc.getNetworkConfig().setAddresses(addresses);
    // pushes carry a writer id and sequence number, so an invocation repeated after a connection loss is harmless
    cc.getNetworkConfig().setRedoOperation(true);
    cc.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(timeout.toMillis());
    cc.getSerializationConfig().addDataSerializableFactory(ClusterSerialization.FACTORY_ID, new ClusterSerialization());
    HazelcastInstance client;
    try {
      client = HazelcastClient.newHazelcastClient(cc);
    } catch (IllegalStateException e) {
      throw new ClusterException(
          "no emb4j member answered at " + String.join(",", addresses) + " within " + timeout.toSeconds()
              + " s: start members with 'emb4j cluster member' or check the addresses",
          e);
    }
    Cluster cluster = new Cluster(client, List.copyOf(addresses));
    String version = cluster.meta.get("version");
    if (version != null && !version.equals(ClusterVersion.CURRENT)) {
      client.shutdown();
      throw new ClusterException(
          "the cluster at " + String.join(",", addresses) + " runs emb4j " + version + ", this is emb4j "
              + ClusterVersion.CURRENT);
    }
    return cluster;
  }

  /**
   * Opens the existing table {@code spec.name()} if it has {@code spec}'s shape, or creates it with the rows of
   * {@code initial} (called only to create; a store of {@code spec.rows() x spec.dim()}).
   *
   * @param spec the table's shape
   * @param initial its starting rows, when it is created
   * @return the table
   * @throws ClusterException if a table of that name has another shape
   * @throws IllegalArgumentException if the initial rows do not have the spec's shape (nothing is created)
   */
  public ShardedTable openOrCreate(TableSpec spec, Supplier<? extends RowStore> initial) {
    Objects.requireNonNull(initial, "initial");
    if (spec.rawIds()) {
      throw new IllegalArgumentException(
          "table '" + spec.name() + "' is keyed by raw ids: open it with openOrCreateIds, it has no initial rows");
    }
    String key = specKey(spec.name());
    meta.lock(key);
    try {
      String existing = meta.get(key);
      if (existing != null) {
        checkSame(spec, existing);
        return new ShardedTable(client, blocks(spec.name()), spec);
      }
      RowStore rows = initial.get();
      if (rows.rows() != spec.rows() || rows.dim() != spec.dim()) {
        throw new IllegalArgumentException(
            "initial rows of table '" + spec.name() + "' are " + rows.rows() + " x " + rows.dim() + ", the spec "
                + spec.shape());
      }
      IMap<Long, Block> map = blocks(spec.name());
      upload(spec, rows, map);
      meta.put(key, spec.encode());
      return new ShardedTable(client, map, spec);
    } finally {
      meta.unlock(key);
    }
  }

  /**
   * Opens the existing table of raw ids {@code spec.name()} if it has {@code spec}'s shape, or creates it: only its
   * spec, since its rows appear on their ids' first push.
   *
   * @param spec the table's shape, {@link TableSpec.Keys#RAW_IDS}
   * @return the table
   * @throws ClusterException if a table of that name has another shape or keys
   * @throws IllegalArgumentException if {@code spec} is of dense rows (nothing is created)
   */
  public ShardedIdTable openOrCreateIds(TableSpec spec) {
    if (!spec.rawIds()) {
      throw new IllegalArgumentException(
          "table '" + spec.name() + "' is of dense rows: open it with openOrCreate and its initial rows");
    }
    String key = specKey(spec.name());
    meta.lock(key);
    try {
      String existing = meta.get(key);
      if (existing != null) {
        checkSame(spec, existing);
      } else {
        meta.put(key, spec.encode());
      }
      return new ShardedIdTable(client, blocks(spec.name()), spec);
    } finally {
      meta.unlock(key);
    }
  }

  /** Refuses {@code spec} if the table's spec as the cluster keeps it ({@code existing}) is another. */
  private static void checkSame(TableSpec spec, String existing) {
    TableSpec found = TableSpec.decode(spec.name(), existing);
    if (!found.equals(spec)) {
      throw new ClusterException(
          "table '" + spec.name() + "' in the cluster is " + found.shape() + "; this run asks for " + spec.shape());
    }
  }

  private static void upload(TableSpec spec, RowStore rows, IMap<Long, Block> map) {
    Map<Long, Block> batch = new HashMap<>();
    for (long b = 0, n = spec.blocks(); b < n; b++) {
      int count = spec.rowsIn(b);
      float[] values = new float[count * spec.dim()];
      for (int r = 0; r < count; r++) {
        rows.readRow(spec.firstRow(b) + r, values, r * spec.dim());
      }
      batch.put(b, new Block(count, spec.dim(), values));
      if (batch.size() == 1024) {
        map.putAll(batch);
        batch.clear();
      }
    }
    map.putAll(batch);
  }

  /**
   * Opens an existing table.
   *
   * @param name the table's name
   * @return the table
   * @throws ClusterException if the cluster holds no table of that name
   */
  public ShardedTable open(String name) {
    TableSpec spec = existing(name);
    if (spec.rawIds()) {
      throw new ClusterException("table '" + name + "' is keyed by raw ids; open it with openIds");
    }
    return new ShardedTable(client, blocks(name), spec);
  }

  /**
   * Opens an existing table of raw ids.
   *
   * @param name the table's name
   * @return the table
   * @throws ClusterException if the cluster holds no table of that name, or one of dense rows
   */
  public ShardedIdTable openIds(String name) {
    TableSpec spec = existing(name);
    if (!spec.rawIds()) {
      throw new ClusterException("table '" + name + "' is of dense rows; open it with open");
    }
    return new ShardedIdTable(client, blocks(name), spec);
  }

  private TableSpec existing(String name) {
    String encoded = meta.get(specKey(name));
    if (encoded == null) {
      throw new ClusterException(
          "no table '" + name + "' in the cluster at " + String.join(",", addresses) + " (tables: "
              + (tableNames().isEmpty() ? "none" : String.join(", ", tableNames())) + ")");
    }
    return TableSpec.decode(name, encoded);
  }

  /**
   * Drops a table: its spec first (so it no longer exists), then its blocks.
   *
   * @param name the table's name
   * @return whether it existed
   */
  public boolean drop(String name) {
    String key = specKey(name);
    meta.lock(key);
    try {
      boolean existed = meta.remove(key) != null;
      blocks(name).destroy();
      return existed;
    } finally {
      meta.unlock(key);
    }
  }

  /** The names of the tables, sorted. */
  public List<String> tableNames() {
    TreeSet<String> names = new TreeSet<>();
    for (String k : meta.keySet()) {
      if (k.startsWith("table/")) {
        names.add(k.substring("table/".length()));
      }
    }
    return List.copyOf(names);
  }

  /** The members, partitions per member, and every table with the rows present and their bytes. */
  public ClusterStatus status() {
    Map<String, Integer> partitions = new LinkedHashMap<>();
    for (Member m : client.getCluster().getMembers()) {
      partitions.put(address(m), 0);
    }
    for (Partition p : client.getPartitionService().getPartitions()) {
      Member owner = p.getOwner();
      if (owner != null) {
        partitions.merge(address(owner), 1, Integer::sum);
      }
    }
    List<ClusterStatus.MemberInfo> members = new ArrayList<>();
    partitions.forEach((a, n) -> members.add(new ClusterStatus.MemberInfo(a, n)));
    List<ClusterStatus.TableInfo> tables = new ArrayList<>();
    for (String name : tableNames()) {
      String encoded = meta.get(specKey(name));
      if (encoded == null) {
        continue; // dropped meanwhile
      }
      long[] tally = blocks(name).aggregate(new BlockTally());
      tables.add(new ClusterStatus.TableInfo(name, TableSpec.decode(name, encoded), tally[0], tally[1]));
    }
    return new ClusterStatus(members, tables);
  }

  private static String address(Member m) {
    return m.getAddress().getHost() + ":" + m.getAddress().getPort();
  }

  private IMap<Long, Block> blocks(String name) {
    return client.getMap(ClusterMember.TABLE_PREFIX + name);
  }

  private static String specKey(String name) {
    return "table/" + name;
  }

  /** A barrier for the {@code workers} workers of the training run {@code name}, as worker {@code worker}. */
  WorkerBarrier barrier(String name, int worker, int workers) {
    return new WorkerBarrier(meta, name, worker, workers);
  }

  /** The addresses this connection was given. */
  public List<String> addresses() {
    return addresses;
  }

  /** Disconnects (the cluster and its tables stay). */
  @Override
  public void close() {
    client.shutdown();
  }
}
