package dev.emb4j.cli.serve;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps Lucene's one-line INFO notice ("Java vector incubator API enabled ...") off the command line's stderr, which
 * carries only what emb4j itself reports. Warnings still show.
 */
public final class LuceneLog {
  /** Held so that the level stays set: java.util.logging keeps loggers only weakly. */
  private static final Logger VECTORIZATION = Logger.getLogger("org.apache.lucene.internal.vectorization");

  private LuceneLog() {}

  /** Raises the level of Lucene's vectorization logger to WARNING; call before Lucene is first used. */
  public static void quiet() {
    VECTORIZATION.setLevel(Level.WARNING);
  }
}
