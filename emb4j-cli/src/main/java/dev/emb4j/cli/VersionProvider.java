package dev.emb4j.cli;

import dev.emb4j.internal.kernel.Kernels;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Prints the project version for {@code emb4j --version}, from {@code version.properties} filtered by Maven. */
public final class VersionProvider implements IVersionProvider {

  private static final String RESOURCE = "version.properties";

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String projectVersion() {
    try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the resource " + RESOURCE + " is missing from the emb4j jar (dev/emb4j/cli/" + RESOURCE + ")");
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version");
      if (version == null || version.isBlank()) {
        throw new IllegalStateException("the resource dev/emb4j/cli/" + RESOURCE + " has no 'version' entry");
      }
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dev/emb4j/cli/" + RESOURCE, e);
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "emb4j " + projectVersion(),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", " + System.getProperty("java.home")
          + ")",
      "kernels: " + Kernels.implementationName()
          + (Kernels.implementationName().startsWith("Panama") ? " (Vector API)" : " (scalar: no Vector API module)")
    };
  }
}
