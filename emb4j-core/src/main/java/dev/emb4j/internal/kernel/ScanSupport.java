package dev.emb4j.internal.kernel;

/**
 * The exact nearest-neighbour scan's inner loops, with two implementations: {@link ScalarScan}, the oracle, and {@link
 * PanamaScan}, its Vector API twin, bit for bit equal to the scalar one at every vector width.
 *
 * <p>Rows are stored in tiles of {@link SimilarityScan#TILE_ROWS} rows, column by column (see {@link SimilarityScan}),
 * and every score is {@code ((0 + r[0] * q[0]) + r[1] * q[1]) + ... + r[dim - 1] * q[dim - 1]}: products and sums in
 * float, in column order, never a fused multiply-add.
 */
interface ScanSupport {

  /**
   * {@code out[t * TILE_ROWS + l] = dot(row l of tile firstTile + t, q)} for {@code t < tiles}, {@code l < TILE_ROWS}.
   */
  void dotTiles(float[] rows, int firstTile, int tiles, int dim, float[] q, float[] out);

  /**
   * {@code out[i * outStride + t * TILE_ROWS + l] = dot(row l of tile firstTile + t, query i)} for {@code i <
   * queries}, where query {@code i} is {@code qs[i * dim .. (i + 1) * dim)}: the same floats as {@link #dotTiles} gives
   * for each query alone.
   */
  void dotTilesMulti(float[] rows, int firstTile, int tiles, int dim, float[] qs, int queries, float[] out, int outStride);
}
