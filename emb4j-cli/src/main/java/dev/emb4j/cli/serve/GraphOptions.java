package dev.emb4j.cli.serve;

import dev.emb4j.cli.Ranges;
import dev.emb4j.serve.HnswSettings;
import picocli.CommandLine.Option;

/** The HNSW graph's build options shared by {@code serve --approximate} and {@code vectors bench --approximate}. */
public final class GraphOptions {
  @Option(
      names = "--hnsw-m",
      paramLabel = "M",
      defaultValue = "16",
      converter = Ranges.Positive.class,
      description = "Links per node of the HNSW graph: more finds more true neighbours, builds slower and takes more memory (default: ${DEFAULT-VALUE}).")
  private int maxConnections;

  @Option(
      names = "--hnsw-beam-width",
      paramLabel = "N",
      defaultValue = "100",
      converter = Ranges.Positive.class,
      description = "Candidates while linking a node into the HNSW graph (efConstruction): more builds a better graph, slower (default: ${DEFAULT-VALUE}).")
  private int beamWidth;

  /**
   * The graph settings with this candidate list per query.
   *
   * @param ef candidates per query
   * @return the settings
   * @throws IllegalArgumentException if a value is out of its range (the message names it)
   */
  public HnswSettings settings(int ef) {
    return new HnswSettings(maxConnections, beamWidth, ef);
  }
}
