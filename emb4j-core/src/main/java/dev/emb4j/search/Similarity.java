package dev.emb4j.search;

/** How {@link NearestNeighbors} scores a row against a query; higher is more similar. */
public enum Similarity {
  /** {@code q . r / (|q| |r|)}, in [-1, 1]; a zero row or query scores 0. Uses the cached normalised copy. */
  COSINE,
  /** {@code q . r}, the raw inner product (maximum inner product search). */
  DOT
}
