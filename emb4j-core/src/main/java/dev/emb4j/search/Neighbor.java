package dev.emb4j.search;

/**
 * One result of a nearest-neighbour query.
 *
 * @param id the row of the table
 * @param score its similarity to the query (cosine or dot product), computed in float32
 */
public record Neighbor(long id, float score) {

  /** Best first: higher score, then lower id, so that results are deterministic under ties. */
  static int compareBestFirst(Neighbor a, Neighbor b) {
    int c = Float.compare(b.score, a.score);
    return c != 0 ? c : Long.compare(a.id, b.id);
  }
}
