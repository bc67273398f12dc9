package dev.emb4j.io;

import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.vocab.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Partial initialisation: the rows of a table for a {@link Vocabulary}, taken from pretrained {@link Vectors} where
 * the vectors have the token (exact match) and drawn at random where they do not.
 *
 * <p>Row {@code i} of the result belongs to vocabulary id {@code i}, for all {@link Vocabulary#tableRows()} rows
 * (hash buckets included). Missing tokens and hash buckets get N(0, s) values from a {@link SplittableRandom} with
 * the given seed, where s is the standard deviation of all the copied values (1 when none was found), so that random
 * rows have the scale of the pretrained ones; the padding row, when the vectors lack the padding token, is zero. The
 * same inputs and seed always give the same table.
 *
 * @param weights the new table ({@code vocabulary.tableRows() x vectors.dim()}), owned by the caller
 * @param coverage found and missing counts, with a few missing examples
 */
public record PretrainedAlignment(RowStore weights, Coverage coverage) {

  /** The seed {@link PretrainedEmbedding#load(Vectors, Vocabulary, boolean)} uses. */
  public static final long DEFAULT_SEED = 0;

  /** Checks for nulls. */
  public PretrainedAlignment {
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(coverage, "coverage");
  }

  /**
   * Aligns {@code vectors} to {@code vocabulary} on the heap.
   *
   * @param vectors pretrained vectors with tokens
   * @param vocabulary the vocabulary of the model
   * @param seed the seed of the random rows
   * @return the table and the coverage report
   * @throws IllegalArgumentException if the vectors have no tokens, or a copied value is NaN or infinite
   */
  public static PretrainedAlignment align(Vectors vectors, Vocabulary vocabulary, long seed) {
    return align(vectors, vocabulary, seed, Storage.HEAP);
  }

  /**
   * Aligns {@code vectors} to {@code vocabulary} into a new store of the given kind.
   *
   * @param vectors pretrained vectors with tokens
   * @param vocabulary the vocabulary of the model
   * @param seed the seed of the random rows
   * @param storage where the new table lives
   * @return the table and the coverage report
   * @throws IllegalArgumentException if the vectors have no tokens, or a copied value is NaN or infinite
   */
  public static PretrainedAlignment align(Vectors vectors, Vocabulary vocabulary, long seed, Storage storage) {
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(vocabulary, "vocabulary");
    if (!vectors.hasTokens()) {
      throw new IllegalArgumentException("the pretrained vectors have no tokens, so they cannot be matched to a vocabulary");
    }
    int dim = vectors.dim();
    int rows = vocabulary.tableRows();
    int pad = vocabulary.paddingId().orElse(-1);
    RowStore out = storage.allocate(rows, dim);
    float[] row = new float[dim];
    boolean[] filled = new boolean[rows];
    long found = 0;
    long missing = 0;
    List<String> examples = new ArrayList<>();
    double sum = 0;
    double sumSq = 0;
    for (int id = 0; id < vocabulary.size(); id++) {
      String token = vocabulary.token(id);
      long src = vectors.indexOf(token);
      if (src >= 0) {
        vectors.table().readRow(src, row, 0);
        for (int j = 0; j < dim; j++) {
          if (!Float.isFinite(row[j])) {
            out.close();
            throw new IllegalArgumentException(
                "pretrained vector of '" + token + "' holds " + row[j] + " at column " + j + "; every value must be finite");
          }
          sum += row[j];
          sumSq += (double) row[j] * row[j];
        }
        out.writeRow(id, row, 0);
        filled[id] = true;
        if (id != pad) {
          found++;
        }
      } else if (id != pad) {
        missing++;
        if (examples.size() < Coverage.MAX_EXAMPLES) {
          examples.add(token);
        }
      }
    }
    long n = 0;
    for (boolean f : filled) {
      n += f ? dim : 0;
    }
    double std = n > 1 ? Math.sqrt(Math.max(0, (sumSq - sum * sum / n) / (n - 1))) : 1.0;
    if (!(std > 0)) {
      std = 1.0;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    for (int id = 0; id < rows; id++) {
      if (filled[id] || id == pad) {
        continue; // a missing padding row stays zero, as a fresh table's padding row is
      }
      for (int j = 0; j < dim; j++) {
        row[j] = (float) (std * rng.nextGaussian());
      }
      out.writeRow(id, row, 0);
    }
    return new PretrainedAlignment(out, new Coverage(found, missing, examples));
  }
}
