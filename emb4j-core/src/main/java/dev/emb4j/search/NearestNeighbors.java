package dev.emb4j.search;

import dev.emb4j.internal.kernel.SimilarityScan;
import dev.emb4j.store.RowStore;
import java.util.ArrayList;
import java.util.Arrays;
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
 * norm, computed in double), each row zero-padded to a multiple of 16 floats, and later queries reuse that copy: it is
 * a snapshot, so call {@link #refresh} after changing the table. Each query scans every row with the Vector API (when
 * enabled; the scalar twin gives the same scores), split into row ranges over the index's threads when the table is
 * large enough to gain from it; ties are broken by the lower id, so results do not depend on the split.
 *
 * <p>Thread-safe: queries may run concurrently. Close the index to stop its threads.
 */
public final class NearestNeighbors implements AutoCloseable {
  /** Rows per task below which a query is not split further. */
  private static final long MIN_FLOATS_PER_TASK = 1 << 16;

  /** The largest block of the cached copy, in floats. */
  private static final long BLOCK_FLOATS = 1 << 24;

  /** Rows scored per kernel call before their scores are offered to the top k (a scratch that stays in L1). */
  private static final int SCORE_CHUNK = 256;

  private final RowStore table;
  private final int dim;
  /** Floats per row in the cached copies: dim rounded up for the scan kernel, the rest zeros. */
  private final int stride;
  private final long rows;
  private final int threads;
  private final ForkJoinPool pool;
  private final int rowsPerBlock;
  private float[][] normalized;
  private float[][] raw;

  private NearestNeighbors(RowStore table, int threads) {
    this.table = table;
    this.dim = table.dim();
    this.stride = SimilarityScan.stride(dim);
    this.rows = table.rows();
    this.threads = threads;
    this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    this.rowsPerBlock = (int) Math.max(1, Math.min(BLOCK_FLOATS / stride, Math.max(rows, 1)));
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
    if ((table.rows() + BLOCK_FLOATS) / Math.max(1, BLOCK_FLOATS / SimilarityScan.stride(table.dim())) > Integer.MAX_VALUE) {
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
    Objects.requireNonNull(similarity, "similarity");
    if (query.length != dim) {
      throw new IllegalArgumentException("query has " + query.length + " values, the table's rows have " + dim);
    }
    if (k < 0) {
      throw new IllegalArgumentException("k must not be negative, got " + k);
    }
    for (int j = 0; j < dim; j++) {
      if (!Float.isFinite(query[j])) {
        throw new IllegalArgumentException("query value " + j + " is " + query[j] + "; it must be finite");
      }
    }
    float[] q = similarity == Similarity.COSINE ? normalize(query, stride) : Arrays.copyOf(query, stride);
    float[][] blocks = similarity == Similarity.COSINE ? normalizedBlocks() : rawBlocks();
    int kk = (int) Math.min(k, rows);
    LongPredicate ex = exclude == null ? id -> false : exclude;
    long tasks = Math.min(threads * 4L, Math.max(1, rows * dim / MIN_FLOATS_PER_TASK));
    if (pool == null || tasks <= 1) {
      return scan(blocks, q, kk, ex, 0, rows).sorted();
    }
    List<Callable<TopK>> parts = new ArrayList<>();
    for (long t = 0; t < tasks; t++) {
      long from = rows * t / tasks;
      long to = rows * (t + 1) / tasks;
      parts.add(() -> scan(blocks, q, kk, ex, from, to));
    }
    TopK all = new TopK(kk);
    try {
      for (Future<TopK> f : pool.invokeAll(parts)) {
        all.addAll(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during a nearest-neighbour query", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a nearest-neighbour task failed", e.getCause());
    }
    return all.sorted();
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
    float[] block = blocks[(int) (id / rowsPerBlock)];
    int off = (int) (id % rowsPerBlock) * stride;
    for (int j = 0; j < dim; j++) {
      q[j] += sign * block[off + j];
    }
  }

  private TopK scan(float[][] blocks, float[] q, int k, LongPredicate exclude, long from, long to) {
    TopK top = new TopK(k);
    if (k == 0) {
      return top;
    }
    float[] scores = new float[SCORE_CHUNK];
    for (long r = from; r < to; ) {
      int b = (int) (r / rowsPerBlock);
      float[] block = blocks[b];
      long blockStart = (long) b * rowsPerBlock;
      int end = (int) (Math.min(to, blockStart + rowsPerBlock) - blockStart);
      for (int i = (int) (r - blockStart); i < end; i += SCORE_CHUNK) {
        int n = Math.min(SCORE_CHUNK, end - i);
        SimilarityScan.dotRows(block, i, n, stride, q, scores);
        for (int c = 0; c < n; c++) {
          float s = scores[c];
          if (s >= top.threshold() && !exclude.test(blockStart + i + c)) {
            top.offer(s, blockStart + i + c);
          }
        }
      }
      r = blockStart + end;
    }
    return top;
  }

  /** {@code v / |v|} (the norm computed in double), zero-padded to {@code length}. */
  private static float[] normalize(float[] v, int length) {
    double n = DotProducts.norm(v, 0, v.length);
    float[] out = new float[length];
    if (n > 0) {
      for (int j = 0; j < v.length; j++) {
        out[j] = (float) (v[j] / n);
      }
    }
    return out;
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
    int nBlocks = (int) ((rows + rowsPerBlock - 1) / rowsPerBlock);
    float[][] blocks = new float[nBlocks][];
    for (int b = 0; b < nBlocks; b++) {
      long start = (long) b * rowsPerBlock;
      int n = (int) Math.min(rowsPerBlock, rows - start);
      float[] block = new float[n * stride];
      for (int i = 0; i < n; i++) {
        table.readRow(start + i, block, i * stride);
        if (unit) {
          double norm = DotProducts.norm(block, i * stride, dim);
          for (int j = 0; j < dim; j++) {
            block[i * stride + j] = norm > 0 ? (float) (block[i * stride + j] / norm) : 0f;
          }
        }
      }
      blocks[b] = block;
    }
    return blocks;
  }
}
