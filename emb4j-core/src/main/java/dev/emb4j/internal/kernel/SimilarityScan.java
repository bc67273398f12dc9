package dev.emb4j.internal.kernel;

/**
 * The inner loops of the exact nearest-neighbour search ({@code search.NearestNeighbors}): the dot products of a run of
 * rows with one query, or with a block of queries, on the Vector API when {@link Kernels} uses it, else on the scalar
 * twin.
 *
 * <p>Rows are stored in <b>tiles</b> of {@link #TILE_ROWS} rows, column by column: the value of row {@code l} of tile
 * {@code t} in column {@code j} is at {@code t * tileFloats(dim) + j * TILE_ROWS + l}, and a last tile that is not full
 * is padded with zero rows. One vector load then holds one column of several rows, so each row's score sums in its own
 * lane, in column order, with no reduction across lanes: every score is {@code ((0 + r[0] * q[0]) + r[1] * q[1]) +
 * ...} in float, products and sums, never a fused multiply-add. Both twins compute exactly that, so a search gives the
 * same scores, bit for bit, with or without the Vector API and at every vector width; and a block of queries gives
 * each query the same scores as scanning for it alone.
 */
public final class SimilarityScan {
  private SimilarityScan() {}

  /** Rows per tile: 16, the lanes of the widest vector (64 bytes, a cache line, per column of a tile). */
  public static final int TILE_ROWS = 16;

  private static final ScanSupport IMPL =
      KernelProvider.IMPL.getClass() == ScalarKernels.class ? new ScalarScan() : new PanamaScan();

  /** Floats per tile of rows of {@code dim} floats: {@code TILE_ROWS * dim}. */
  public static int tileFloats(int dim) {
    if (dim < 1 || dim > Integer.MAX_VALUE / TILE_ROWS) {
      throw new IllegalArgumentException("dim must be in 1.." + Integer.MAX_VALUE / TILE_ROWS + ", got " + dim);
    }
    return TILE_ROWS * dim;
  }

  /**
   * {@code out[t * TILE_ROWS + l] = dot(row l of tile firstTile + t, q)} for {@code t < tiles}, {@code l < TILE_ROWS}.
   *
   * @param rows tiles of rows of {@code dim} floats
   * @param firstTile the first tile
   * @param tiles how many tiles
   * @param dim floats per row
   * @param q the query, at least {@code dim} floats (those past {@code dim} are not read)
   * @param out receives {@code tiles * TILE_ROWS} dot products
   */
  public static void dotTiles(float[] rows, int firstTile, int tiles, int dim, float[] q, float[] out) {
    check(rows, firstTile, tiles, dim);
    if (q.length < dim || out.length < (long) tiles * TILE_ROWS) {
      throw new IllegalArgumentException(
          "a query of " + q.length + " floats for rows of " + dim + ", or " + out.length + " outputs for " + tiles + " tiles");
    }
    IMPL.dotTiles(rows, firstTile, tiles, dim, q, out);
  }

  /**
   * The dot products of a run of tiles with each of {@code queries} queries: {@code out[i * outStride + t * TILE_ROWS +
   * l] = dot(row l of tile firstTile + t, query i)}, where query {@code i} is {@code qs[i * dim .. (i + 1) * dim)}. Each
   * score is the float {@link #dotTiles} gives for that query alone; the rows are read from memory once for all the
   * queries instead of once per query.
   *
   * @param rows tiles of rows of {@code dim} floats
   * @param firstTile the first tile
   * @param tiles how many tiles
   * @param dim floats per row
   * @param qs the queries, one after another, {@code dim} floats each
   * @param queries how many queries
   * @param out receives the scores, query by query
   * @param outStride floats from one query's scores to the next's, at least {@code tiles * TILE_ROWS}
   */
  public static void dotTilesMulti(float[] rows, int firstTile, int tiles, int dim, float[] qs, int queries, float[] out, int outStride) {
    check(rows, firstTile, tiles, dim);
    if (queries < 0 || qs.length < (long) queries * dim || outStride < (long) tiles * TILE_ROWS
        || (queries > 0 && out.length < (long) (queries - 1) * outStride + (long) tiles * TILE_ROWS)) {
      throw new IllegalArgumentException(
          queries + " queries in " + qs.length + " floats for rows of " + dim + ", or " + out.length + " outputs at stride "
              + outStride + " for " + tiles + " tiles");
    }
    IMPL.dotTilesMulti(rows, firstTile, tiles, dim, qs, queries, out, outStride);
  }

  private static void check(float[] rows, int firstTile, int tiles, int dim) {
    if (firstTile < 0 || tiles < 0 || (firstTile + (long) tiles) * tileFloats(dim) > rows.length) {
      throw new IllegalArgumentException(
          "tiles " + firstTile + "+" + tiles + " of rows of " + dim + " floats do not fit " + rows.length + " floats");
    }
  }

  /** The name of the implementation in use ({@code ScalarScan} or {@code PanamaScan}). */
  public static String implementationName() {
    return IMPL.getClass().getSimpleName();
  }
}
