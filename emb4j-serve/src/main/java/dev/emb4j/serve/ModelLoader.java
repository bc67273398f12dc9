package dev.emb4j.serve;

import java.io.IOException;

/** Reads the models to serve from their files; called at start and on every reload. */
@FunctionalInterface
public interface ModelLoader {

  /**
   * Reads a fresh generation.
   *
   * @return the models
   * @throws IOException if a file cannot be read or is not what it should be
   */
  ServedModels load() throws IOException;
}
