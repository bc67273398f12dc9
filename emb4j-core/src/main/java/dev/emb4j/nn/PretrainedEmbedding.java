package dev.emb4j.nn;

import java.util.Objects;

/**
 * The result of {@link Embedding#fromPretrained(dev.emb4j.io.Vectors, dev.emb4j.vocab.Vocabulary, boolean)}: the
 * table and how much of the vocabulary the pretrained vectors covered.
 *
 * @param embedding the table, one row per vocabulary id (hash buckets included)
 * @param coverage found and missing token counts, with a few missing examples
 */
public record PretrainedEmbedding(Embedding embedding, Coverage coverage) implements AutoCloseable {

  /** Checks for nulls. */
  public PretrainedEmbedding {
    Objects.requireNonNull(embedding, "embedding");
    Objects.requireNonNull(coverage, "coverage");
  }

  /** Closes the table. */
  @Override
  public void close() {
    embedding.close();
  }
}
