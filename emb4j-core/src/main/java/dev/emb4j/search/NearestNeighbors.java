package dev.emb4j.search;

import dev.emb4j.internal.kernel.SimilarityScan;
import dev.emb4j.store.RowStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.function.LongPredicate;

/**
 * Exact top-k nearest neighbours over the rows of a table, by cosine similarity or dot product, with analogy queries.
 *
 * <pre>{@code
 * try (NearestNeighbors nn = NearestNeighbors.over(vectors.table(), 4)) {
 *   List<Neighbor> near = nn.similar(vectors.indexOf("frog"), 10, Similarity.COSINE);   // frog itself excluded
 *   List<Neighbor> queen = nn.analogy(king, man, woman, 1);                             // king - man + woman
 * }
 * }</pre>
 *
 * <p>The first query copies the table into contiguous blocks (for {@link Similarity#COSINE} each row divided by its
 * norm, computed in double), in tiles of 16 rows stored column by column, and later queries reuse that copy: it is a
 * snapshot, so call {@link #refresh} after changing the table. Each query scans every row with the Vector API (when
 * enabled; the scalar twin gives the same scores), split into row ranges over the index's threads when the table is
 * large enough to gain from it; ties are broken by the lower id, so results do not depend on the split. {@link
 * #searchAll} scores a block of queries in one pass over the rows, with the same results as one search per query.
 *
 * <p>Thread-safe: queries may run concurrently. Close the index to stop its threads.
 */
public final class NearestNeighbors implements AutoCloseable {
  /** Rows per task below which a query is not split further. */
  private static final long MIN_FLOATS_PER_TASK = 1 << 16;

  /** The largest block of the cached copy, in floats. */
  private static final long BLOCK_FLOATS = 1 << 24;

  /**
   * Bytes of rows scored per kernel call: a run of tiles that stays in the core's L2 cache while every query of a block
   * is scored against it, so that it is read from memory once per block of queries.
   */
  private static final long CHUNK_BYTES = 1 << 18;

  /** The most tiles per kernel call, however short the rows: it bounds the scores scratch, 32 x 1,024 floats. */
  private static final long MAX_CHUNK_TILES = 64;

  /** Queries scored together in one pass over the rows ({@link #searchAll}). */
  static final int QUERY_BLOCK = 32;

  private static final int TILE = SimilarityScan.TILE_ROWS;

  private final RowStore table;
  private final int dim;
  /** Floats per tile of {@link SimilarityScan#TILE_ROWS} rows in the cached copies. */
  private final int tileFloats;
  private final long rows;
  private final long tiles;
  private final int threads;
  private final ForkJoinPool pool;
  private final int tilesPerBlock;
  /**
   * Tiles per kernel call: a multiple of 4 (the kernel's unroll) that fits {@link #CHUNK_BYTES}, at least 4, at most
   * {@link #MAX_CHUNK_TILES} and the table's tiles rounded up to 4.
   */
  private final int chunkTiles;
  private float[][] normalized;
  private float[][] raw;

  private NearestNeighbors(RowStore table, int threads) {
    this.table = table;
    this.dim = table.dim();
    this.tileFloats = SimilarityScan.tileFloats(dim);
    this.rows = table.rows();
    this.tiles = (rows + TILE - 1) / TILE;
    this.threads = threads;
    this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    this.tilesPerBlock = (int) Math.max(1, Math.min(BLOCK_FLOATS / tileFloats, Math.max(tiles, 1)));
    long fit = Math.max(4, CHUNK_BYTES / ((long) tileFloats * Float.BYTES) / 4 * 4);
    this.chunkTiles = (int) Math.min(fit, Math.min(MAX_CHUNK_TILES, Math.max(4, (tiles + 3) / 4 * 4)));
  }

  /**
   * An index over {@code table} using as many threads as there are processors.
   *
   * @param table the rows to search
   * @return the index
   */
  public static NearestNeighbors over(RowStore table) {
    return over(table, Runtime.getRuntime().availableProcessors());
  }

  /**
   * An index over {@code table} using {@code threads} threads per query.
   *
   * @param table the rows to search
   * @param threads at least 1
   * @return the index
   */
  public static NearestNeighbors over(RowStore table, int threads) {
    Objects.requireNonNull(table, "table");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    long tilesPerBlock = Math.max(1, BLOCK_FLOATS / SimilarityScan.tileFloats(table.dim()));
    if ((table.rows() / TILE + 1) / tilesPerBlock + 1 > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a table of " + table.rows() + " rows is too large to index");
    }
    return new NearestNeighbors(table, threads);
  }

  /**
   * The {@code k} rows most similar to {@code query}.
   *
   * @param query a vector of the table's dimension
   * @param k how many to return, at least 0
   * @param similarity cosine or dot product
   * @param exclude rows to leave out (null for none)
   * @return up to {@code k} neighbours, best first (ties: lower id first)
   * @throws IllegalArgumentException if the query has the wrong length or a non-finite value, or k is negative
   */
  public List<Neighbor> search(float[] query, int k, Similarity similarity, LongPredicate exclude) {
    return searchAll(List.of(query), k, similarity, Collections.singletonList(exclude)).getFirst();
  }

  /**
   * The {@code k} rows most similar to each of several queries: the same lists, neighbour for neighbour and score for
   * score, as {@link #search} gives for each query alone, but several times faster per query on a table larger than
   * the caches. The queries are scored in blocks of 32 against runs of rows that stay in the cache, so each row is read
   * from memory once per block of queries instead of once per query, and the scan is bound by arithmetic rather than
   * by memory bandwidth.
   *
   * @param queries vectors of the table's dimension
   * @param k how many to return per query, at least 0
   * @param similarity cosine or dot product
   * @param excludes rows to leave out, one filter per query (an element may be null), or null for none
   * @return for each query, in order, up to {@code k} neighbours, best first (ties: lower id first)
   * @throws IllegalArgumentException if a query has the wrong length or a non-finite value, {@code excludes} is not
   *     null and has another size than {@code queries}, or k is negative
   */
  public List<List<Neighbor>> searchAll(List<float[]> queries, int k, Similarity similarity, List<? extends LongPredicate> excludes) {
    Objects.requireNonNull(queries, "queries");
    Objects.requireNonNull(similarity, "similarity");
    if (k < 0) {
      throw new IllegalArgumentException("k must not be negative, got " + k);
    }
    if (excludes != null && excludes.size() != queries.size()) {
      throw new IllegalArgumentException(
          "excludes has " + excludes.size() + " filters for " + queries.size() + " queries; give one per query, or null");
    }
    for (int i = 0; i < queries.size(); i++) {
      float[] query = Objects.requireNonNull(queries.get(i), "query");
      String which = queries.size() == 1 ? "query" : "query " + i;
      if (query.length != dim) {
        throw new IllegalArgumentException(which + " has " + query.length + " values, the table's rows have " + dim);
      }
      for (int j = 0; j < dim; j++) {
        if (!Float.isFinite(query[j])) {
          throw new IllegalArgumentException(which + " value " + j + " is " + query[j] + "; it must be finite");
        }
      }
    }
    float[][] blocks = similarity == Similarity.COSINE ? normalizedBlocks() : rawBlocks();
    int kk = (int) Math.min(k, rows);
    List<List<Neighbor>> out = new ArrayList<>(queries.size());
    for (int from = 0; from < queries.size(); from += QUERY_BLOCK) {
      int n = Math.min(QUERY_BLOCK, queries.size() - from);
      float[] qs = new float[n * dim];
      LongPredicate[] ex = new LongPredicate[n];
      for (int i = 0; i < n; i++) {
        float[] query = queries.get(from + i);
        if (similarity == Similarity.COSINE) {
          normalize(query, qs, i * dim);
        } else {
          System.arraycopy(query, 0, qs, i * dim, dim);
        }
        LongPredicate e = excludes == null ? null : excludes.get(from + i);
        ex[i] = e == null ? id -> false : e;
      }
      for (TopK top : searchBlock(blocks, qs, n, kk, ex)) {
        out.add(top.sorted());
      }
    }
    return out;
  }

  private TopK[] searchBlock(float[][] blocks, float[] qs, int n, int k, LongPredicate[] ex) {
    long tasks = Math.min(threads * 4L, Math.max(1, rows * dim * n / MIN_FLOATS_PER_TASK));
    tasks = Math.min(tasks, Math.max(1, tiles));
    if (pool == null || tasks <= 1) {
      return scan(blocks, qs, n, k, ex, 0, tiles);
    }
    List<Callable<TopK[]>> parts = new ArrayList<>();
    for (long t = 0; t < tasks; t++) {
      long from = tiles * t / tasks;
      long to = tiles * (t + 1) / tasks;
      parts.add(() -> scan(blocks, qs, n, k, ex, from, to));
    }
    TopK[] all = new TopK[n];
    for (int i = 0; i < n; i++) {
      all[i] = new TopK(k);
    }
    try {
      for (Future<TopK[]> f : pool.invokeAll(parts)) {
        TopK[] part = f.get();
        for (int i = 0; i < n; i++) {
          all[i].addAll(part[i]);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during a nearest-neighbour query", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a nearest-neighbour task failed", e.getCause());
    }
    return all;
  }

  /**
   * The {@code k} rows most similar to row {@code id}, leaving out {@code id} itself.
   *
   * @param id a row of the table
   * @param k how many to return
   * @param similarity cosine or dot product
   * @return up to {@code k} neighbours, best first
   * @throws IndexOutOfBoundsException if {@code id} is not a row
   */
  public List<Neighbor> similar(long id, int k, Similarity similarity) {
    checkId(id, "id");
    float[] q = new float[dim];
    table.readRow(id, q, 0);
    return search(q, k, similarity, r -> r == id);
  }

  /**
   * {@link #similar} for each of several rows, scored together as {@link #searchAll} does: the same lists as one call
   * per row, several times faster per row on a table larger than the caches.
   *
   * @param ids rows of the table
   * @param k how many to return per row
   * @param similarity cosine or dot product
   * @return for each row, in order, up to {@code k} neighbours, best first, the row itself left out
   * @throws IndexOutOfBoundsException if an id is not a row
   */
  public List<List<Neighbor>> similarAll(long[] ids, int k, Similarity similarity) {
    for (long id : ids) {
      checkId(id, "id");
    }
    List<float[]> queries = new ArrayList<>(ids.length);
    List<LongPredicate> excludes = new ArrayList<>(ids.length);
    for (long id : ids) {
      float[] q = new float[dim];
      table.readRow(id, q, 0);
      queries.add(q);
      excludes.add(r -> r == id);
    }
    return searchAll(queries, k, similarity, excludes);
  }

  /**
   * The analogy query {@code a - b + c} (3CosAdd, as gensim's {@code most_similar(positive=[a, c], negative=[b])}):
   * the rows closest by cosine to the sum of the unit vectors {@code a/|a| - b/|b| + c/|c|}, leaving out {@code a},
   * {@code b} and {@code c}. For word vectors, {@code analogy(king, man, woman)} is expected to find queen.
   *
   * @param a the row added first
   * @param b the row subtracted
   * @param c the row added second
   * @param k how many to return
   * @return up to {@code k} neighbours, best first, scored by cosine to the combined query
   * @throws IndexOutOfBoundsException if an id is not a row
   */
  public List<Neighbor> analogy(long a, long b, long c, int k) {
    checkId(a, "a");
    checkId(b, "b");
    checkId(c, "c");
    float[][] blocks = normalizedBlocks();
    float[] q = new float[dim];
    addRow(blocks, a, 1, q);
    addRow(blocks, b, -1, q);
    addRow(blocks, c, 1, q);
    return search(q, k, Similarity.COSINE, r -> r == a || r == b || r == c);
  }

  /** Drops the cached copies, so that the next query sees the table's current values. */
  public synchronized void refresh() {
    normalized = null;
    raw = null;
  }

  /** Stops the index's threads. Queries after closing run on the calling thread. */
  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }

  private void checkId(long id, String name) {
    if (id < 0 || id >= rows) {
      throw new IndexOutOfBoundsException(name + " " + id + " is out of range for a table of " + rows + " rows (valid 0.." + (rows - 1) + ")");
    }
  }

  private void addRow(float[][] blocks, long id, float sign, float[] q) {
    long tile = id / TILE;
    float[] block = blocks[(int) (tile / tilesPerBlock)];
    int off = (int) (tile % tilesPerBlock) * tileFloats + (int) (id % TILE);
    for (int j = 0; j < dim; j++) {
      q[j] += sign * block[off + j * TILE];
    }
  }

  /** The top k of each of {@code n} queries (packed in {@code qs}) over the rows of tiles {@code from..to}. */
  private TopK[] scan(float[][] blocks, float[] qs, int n, int k, LongPredicate[] exclude, long from, long to) {
    TopK[] tops = new TopK[n];
    for (int i = 0; i < n; i++) {
      tops[i] = new TopK(k);
    }
    if (k == 0) {
      return tops;
    }
    int chunkRows = chunkTiles * TILE;
    float[] scores = new float[n * chunkRows];
    for (long t = from; t < to; ) {
      int b = (int) (t / tilesPerBlock);
      float[] block = blocks[b];
      long blockStart = (long) b * tilesPerBlock;
      int end = (int) (Math.min(to, blockStart + tilesPerBlock) - blockStart);
      for (int i = (int) (t - blockStart); i < end; i += chunkTiles) {
        int m = Math.min(chunkTiles, end - i);
        SimilarityScan.dotTilesMulti(block, i, m, dim, qs, n, scores, chunkRows);
        long firstRow = (blockStart + i) * TILE;
        int valid = (int) Math.min((long) m * TILE, rows - firstRow); // the last tile's padding rows are not rows
        for (int qi = 0; qi < n; qi++) {
          TopK top = tops[qi];
          LongPredicate ex = exclude[qi];
          int off = qi * chunkRows;
          for (int c = 0; c < valid; c++) {
            float s = scores[off + c];
            if (s >= top.threshold() && !ex.test(firstRow + c)) {
              top.offer(s, firstRow + c);
            }
          }
        }
      }
      t = blockStart + end;
    }
    return tops;
  }

  /** {@code v / |v|} (the norm computed in double) into {@code out} from {@code at}. */
  private static void normalize(float[] v, float[] out, int at) {
    double n = DotProducts.norm(v, 0, v.length);
    if (n > 0) {
      for (int j = 0; j < v.length; j++) {
        out[at + j] = (float) (v[j] / n);
      }
    }
  }

  private synchronized float[][] normalizedBlocks() {
    if (normalized == null) {
      normalized = copy(true);
    }
    return normalized;
  }

  private synchronized float[][] rawBlocks() {
    if (raw == null) {
      raw = copy(false);
    }
    return raw;
  }

  private float[][] copy(boolean unit) {
    int nBlocks = (int) ((tiles + tilesPerBlock - 1) / tilesPerBlock);
    float[][] blocks = new float[nBlocks][];
    float[] row = new float[dim];
    for (int b = 0; b < nBlocks; b++) {
      long start = (long) b * tilesPerBlock * TILE;
      int n = (int) Math.min((long) tilesPerBlock * TILE, rows - start);
      float[] block = new float[(n + TILE - 1) / TILE * tileFloats];
      for (int i = 0; i < n; i++) {
        table.readRow(start + i, row, 0);
        double norm = unit ? DotProducts.norm(row, 0, dim) : 1;
        int off = i / TILE * tileFloats + i % TILE;
        for (int j = 0; j < dim; j++) {
          block[off + j * TILE] = !unit ? row[j] : norm > 0 ? (float) (row[j] / norm) : 0f;
        }
      }
      blocks[b] = block;
    }
    return blocks;
  }
}
