package dev.emb4j.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Objects;

/**
 * A storage member of an emb4j cluster: a Hazelcast member that holds blocks of sharded tables (and their backups)
 * and runs the pushes addressed to them. Members find each other over TCP-IP only (the given addresses; no
 * multicast), form the cluster named {@value #CLUSTER_NAME}, and keep {@code backups} synchronous backups of every
 * block. {@link #leave()} leaves gracefully: the member's partitions migrate to the others first, so no row is lost;
 * a JVM shut down by a signal (Ctrl-C) does the same. A member killed outright loses nothing either while every
 * block has a backup on another member: the engine promotes the backups.
 */
public final class ClusterMember implements AutoCloseable {
  /** The Hazelcast cluster name every emb4j member and client uses. */
  public static final String CLUSTER_NAME = "emb4j";
  /** Map name prefix of the tables' blocks ({@code emb4j.table.<name>}). */
  static final String TABLE_PREFIX = "emb4j.table.";
  /** The map of metadata: the version and each table's spec. */
  static final String META = "emb4j.meta";
  /** The executor that runs the parts of pushes at the members ({@link PushToOwner}). */
  static final String PUSH_EXECUTOR = "emb4j.push";
  /** Seconds without a heartbeat after which a member is declared dead and its backups promoted. */
  static final int DEAD_AFTER_SECONDS = 10;

  /**
   * How to start a member.
   *
   * @param host the address to bind and announce, e.g. {@code 127.0.0.1}
   * @param port the port; taken already is an error (no automatic increment)
   * @param members the other members to join, {@code host:port} (may be empty, or include this one)
   * @param backups synchronous backups of every block ({@code 0..6}; default 1)
   */
  public record Options(String host, int port, List<String> members, int backups) {
    /** The default port, as Hazelcast's. */
    public static final int DEFAULT_PORT = 5701;

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public Options {
      Objects.requireNonNull(host, "host");
      members = List.copyOf(members);
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("port must be in 1..65535, got " + port);
      }
      if (backups < 0 || backups > 6) {
        throw new IllegalArgumentException("backups must be in 0..6 (Hazelcast's limit), got " + backups);
      }
      for (String m : members) {
        Addresses.parse(m);
      }
    }

    /**
     * A member on {@code host:port} joining {@code members}, with one backup.
     *
     * @param host the address to bind
     * @param port the port
     * @param members the other members
     * @return the options
     */
    public static Options of(String host, int port, List<String> members) {
      return new Options(host, port, members, 1);
    }
  }

  private final HazelcastInstance instance;
  private final String address;

  private ClusterMember(HazelcastInstance instance, String address) {
    this.instance = instance;
    this.address = address;
  }

  /**
   * Starts a member and joins the others (a member that finds none starts a cluster of one).
   *
   * @param options where to bind and whom to join
   * @return the running member
   * @throws ClusterException if the port is taken, or the cluster runs another emb4j version
   */
  public static ClusterMember start(Options options) {
    String address = options.host() + ":" + options.port();
    checkPortFree(options.host(), options.port());
    HazelcastInstance hz;
    try {
      hz = Hazelcast.newHazelcastInstance(config(options));
    } catch (RuntimeException e) {
      throw new ClusterException("could not start a member on " + address + ": " + e.getMessage(), e);
    }
    IMap<String, String> meta = hz.getMap(META);
    String version = meta.putIfAbsent("version", ClusterVersion.CURRENT);
    if (version != null && !version.equals(ClusterVersion.CURRENT)) {
      hz.getLifecycleService().terminate();
      throw new ClusterException(
          "the cluster joined from " + address + " runs emb4j " + version + ", this member is emb4j "
              + ClusterVersion.CURRENT + "; start members of one version");
    }
    return new ClusterMember(hz, address);
  }

  private static void checkPortFree(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw new ClusterException(
          "port " + port + " on " + host + " is not free (" + e.getMessage() + "): is a member already running there?",
          e);
    }
  }

  static Config config(Options o) {
    Config c = new Config();
    c.setClusterName(CLUSTER_NAME);
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.shutdownhook.policy", "GRACEFUL");
    c.setProperty("hazelcast.socket.bind.any", "false");
    c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    c.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(DEAD_AFTER_SECONDS));
    c.setProperty("hazelcast.logging.type", "none");
    c.getSerializationConfig().addDataSerializableFactory(ClusterSerialization.FACTORY_ID, new ClusterSerialization());
    NetworkConfig net = c.getNetworkConfig();
    net.setPort(o.port()).setPortAutoIncrement(false);
    net.setPublicAddress(o.host() + ":" + o.port());
    net.getInterfaces().setEnabled(true).addInterface(o.host());
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(o.members().isEmpty() ? List.of(o.host() + ":" + o.port()) : o.members());
    // Values kept as objects: a push updates the block in place instead of deserializing and reserializing it.
    c.addMapConfig(
        new MapConfig("emb4j.*")
            .setBackupCount(o.backups())
            .setAsyncBackupCount(0)
            .setInMemoryFormat(InMemoryFormat.OBJECT));
    return c;
  }

  /** The address this member announces, {@code host:port}. */
  public String address() {
    return address;
  }

  /** The number of members in the cluster as this member sees it. */
  public int clusterSize() {
    return instance.getCluster().getMembers().size();
  }

  /** Whether this member still runs. */
  public boolean isRunning() {
    return instance.getLifecycleService().isRunning();
  }

  /** Leaves the cluster gracefully: waits until the other members hold this member's partitions, then stops. */
  public void leave() {
    instance.shutdown();
  }

  /** {@link #leave()}. */
  @Override
  public void close() {
    leave();
  }
}
