package dev.emb4j.cli;

import dev.emb4j.cluster.ClusterMember;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/** A cluster member in this JVM on a free loopback port, for the CLI's cluster tests; {@link #close} stops it. */
record LoopbackMember(ClusterMember member, String address) implements AutoCloseable {

  static LoopbackMember start() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      port = s.getLocalPort();
    }
    String address = "127.0.0.1:" + port;
    return new LoopbackMember(
        ClusterMember.start(ClusterMember.Options.of("127.0.0.1", port, List.of(address))), address);
  }

  @Override
  public void close() {
    member.leave();
  }
}
