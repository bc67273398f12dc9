package dev.emb4j.internal.kernel;

/**
 * The entries of a sparse gradient, read where a backward pass left them: entry {@code e}'s value is the row {@code
 * src[r * D ..]} with {@code r = srcRows == null ? e : srcRows[e]}, times {@code scales[e]} when {@code scales !=
 * null} (a product, then any sum).
 *
 * @param src the rows the entries point into (a backward pass's output gradient, or the values of a sparse gradient)
 * @param srcRows each entry's row of {@code src}, or null when entry e is row e
 * @param scales each entry's factor, or null for none
 */
public record GradientEntries(float[] src, int[] srcRows, float[] scales) {

  /** The float offset in {@link #src} of entry {@code e}'s row, for rows of {@code dim} floats. */
  int offset(int e, int dim) {
    return (srcRows == null ? e : srcRows[e]) * dim;
  }
}
