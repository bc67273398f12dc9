package dev.emb4j.io;

import dev.emb4j.nn.Embedding;
import dev.emb4j.vocab.Vocabulary;
import java.util.Objects;

/**
 * An {@link Embedding} for a {@link Vocabulary} initialised from pretrained {@link Vectors} (see {@link #load}), and
 * how much of the vocabulary the vectors covered.
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

  /**
   * A table for {@code vocabulary} initialised from pretrained {@code vectors}: each vocabulary token found in the
   * vectors (exact match) gets its pretrained row, the others (and any hash buckets) random N(0, s) rows with s the
   * standard deviation of the pretrained values, from seed {@link PretrainedAlignment#DEFAULT_SEED}; the vocabulary's
   * padding token, if any, becomes the table's {@code paddingIdx} (a zero row unless the vectors have it). See {@link
   * PretrainedAlignment} to choose the seed or the storage.
   *
   * <pre>{@code
   * try (PretrainedEmbedding p = PretrainedEmbedding.load(Vectors.read(gloveFile), vocab, true)) {
   *   System.out.println(p.coverage());     // 9871 of 10000 tokens found (98.7%); missing: ...
   *   FloatTensor rows = p.embedding().forward(vocab.encode(List.of("the", "cat")));
   * }
   * }</pre>
   *
   * @param vectors pretrained vectors with tokens
   * @param vocabulary the model's vocabulary; the table has {@link Vocabulary#tableRows()} rows
   * @param freeze whether the table takes no gradient (PyTorch's {@code from_pretrained(freeze=True)})
   * @return the table and the coverage report
   * @throws IllegalArgumentException if the vectors have no tokens or a copied value is not finite
   */
  public static PretrainedEmbedding load(Vectors vectors, Vocabulary vocabulary, boolean freeze) {
    PretrainedAlignment aligned = PretrainedAlignment.align(vectors, vocabulary, PretrainedAlignment.DEFAULT_SEED);
    Embedding.Builder builder = Embedding.wrap(aligned.weights()).freeze(freeze);
    vocabulary.paddingId().ifPresent(builder::paddingIdx);
    return new PretrainedEmbedding(builder.build(), aligned.coverage());
  }

  /** Closes the table. */
  @Override
  public void close() {
    embedding.close();
  }
}
