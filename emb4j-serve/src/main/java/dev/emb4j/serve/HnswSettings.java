package dev.emb4j.serve;

import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;

/**
 * How an HNSW graph is built and searched: {@code maxConnections} links per node (HNSW's M), the candidate list
 * {@code beamWidth} while linking a new node (efConstruction), and the candidate list {@code ef} of a query.
 *
 * <p>Larger values find more of the true neighbours at more cost: M and the beam width in build time and memory, ef in
 * query time. The defaults reach recall@10 of 0.95 on clustered data such as trained embeddings (docs/performance.md
 * has the measurements); uniform random vectors, which have no neighbourhood structure, need a far larger ef.
 *
 * @param maxConnections links per node, 1..512
 * @param beamWidth candidates while building, 1..3200
 * @param ef candidates per query, at least 1 (a query for more than ef neighbours uses k)
 */
public record HnswSettings(int maxConnections, int beamWidth, int ef) {
  /** The settings {@code emb4j serve --approximate} and {@code vectors bench --approximate} use unless told. */
  public static final HnswSettings DEFAULT = new HnswSettings(16, 100, 100);

  /** Checks the ranges; the message names the value. */
  public HnswSettings {
    if (maxConnections < 1 || maxConnections > Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN) {
      throw new IllegalArgumentException(
          "maxConnections (M) must be in 1.." + Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN + ", got " + maxConnections);
    }
    if (beamWidth < 1 || beamWidth > Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH) {
      throw new IllegalArgumentException(
          "beamWidth must be in 1.." + Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH + ", got " + beamWidth);
    }
    if (ef < 1) {
      throw new IllegalArgumentException("ef must be at least 1, got " + ef);
    }
  }

  /**
   * These settings with another query candidate list; the graph they build is the same.
   *
   * @param newEf candidates per query, at least 1
   * @return the settings
   */
  public HnswSettings withEf(int newEf) {
    return new HnswSettings(maxConnections, beamWidth, newEf);
  }
}
