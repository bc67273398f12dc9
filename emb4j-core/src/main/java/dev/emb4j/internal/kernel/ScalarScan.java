package dev.emb4j.internal.kernel;

/**
 * The scalar scan: for each row and query, the products summed in column order from zero, one float rounding per
 * product and per sum, as {@link PanamaScan} computes each lane.
 */
final class ScalarScan implements ScanSupport {
  private static final int T = SimilarityScan.TILE_ROWS;

  @Override
  public void dotTiles(float[] rows, int firstTile, int tiles, int dim, float[] q, float[] out) {
    dotTilesMulti(rows, firstTile, tiles, dim, q, 1, out, 0);
  }

  @Override
  public void dotTilesMulti(float[] rows, int firstTile, int tiles, int dim, float[] qs, int queries, float[] out, int outStride) {
    for (int t = 0; t < tiles; t++) {
      int base = (firstTile + t) * T * dim;
      for (int l = 0; l < T; l++) {
        for (int i = 0; i < queries; i++) {
          float s = 0;
          for (int j = 0; j < dim; j++) {
            s += rows[base + j * T + l] * qs[i * dim + j];
          }
          out[i * outStride + t * T + l] = s;
        }
      }
    }
  }
}
