package dev.emb4j.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The emb4j version members and clients compare when they meet: the project version, from cluster.properties. */
final class ClusterVersion {
  /** The version of this build, e.g. {@code 0.1.0-SNAPSHOT}. */
  static final String CURRENT = read();

  private ClusterVersion() {}

  private static String read() {
    try (InputStream in = ClusterVersion.class.getResourceAsStream("cluster.properties")) {
      if (in == null) {
        throw new IllegalStateException("cluster.properties is missing from the emb4j-cluster jar");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
