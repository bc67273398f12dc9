package dev.emb4j.serve;

import dev.emb4j.search.NearestNeighbors;
import dev.emb4j.search.Neighbor;
import dev.emb4j.search.Similarity;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Concurrent exact {@code similar} requests scored together: a request joins a queue, and whichever waiting request
 * finds no scan running takes up to {@value #BATCH} queued requests (its own among the first) and answers them with one
 * {@link NearestNeighbors#searchAll}, which reads the rows once for all of them and gives each the neighbours and scores
 * a search of its own would. There is no timer: a request that arrives when no scan is running is scanned at once,
 * alone; one that arrives during a scan waits for that scan to end (at most one scan of the table, plus the scans of
 * the requests queued before it, {@value #BATCH} a scan), then runs in the next. Each request's own thread does the
 * scanning, so no thread is added.
 */
final class CoalescedSearch {
  /** The most requests one scan answers (the query block of {@link NearestNeighbors#searchAll}). */
  static final int BATCH = 32;

  private final NearestNeighbors neighbors;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean scanning;

  CoalescedSearch(NearestNeighbors neighbors) {
    this.neighbors = neighbors;
  }

  private static final class Pending {
    final float[] query;
    final int k;
    final LongPredicate exclude;
    List<Neighbor> result;
    RuntimeException error;
    boolean done;

    Pending(float[] query, int k, LongPredicate exclude) {
      this.query = query;
      this.k = k;
      this.exclude = exclude;
    }
  }

  /**
   * The {@code k} rows most similar (cosine) to {@code query}: what {@code neighbors.search(query, k, COSINE,
   * exclude)} answers.
   */
  List<Neighbor> search(float[] query, int k, LongPredicate exclude) {
    Pending mine = new Pending(query, k, exclude);
    synchronized (this) {
      queue.add(mine);
    }
    while (true) {
      List<Pending> batch = new ArrayList<>();
      synchronized (this) {
        boolean interrupted = false;
        while (!mine.done && scanning) {
          try {
            wait();
          } catch (InterruptedException e) {
            interrupted = true; // the scan in progress answers this request too; finish waiting for it
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        if (mine.done) {
          if (mine.error != null) {
            throw mine.error;
          }
          return mine.result;
        }
        scanning = true;
        while (batch.size() < BATCH && !queue.isEmpty()) {
          batch.add(queue.poll());
        }
      }
      try {
        answer(batch);
      } catch (RuntimeException | Error e) { // the requests taken must not wait forever for a scan that died
        for (Pending p : batch) {
          if (!p.done) {
            finish(p, null, new IllegalStateException("the similarity scan failed", e));
          }
        }
        throw e;
      } finally {
        synchronized (this) {
          scanning = false;
          notifyAll();
        }
      }
    }
  }

  /** Answers the batch with one scan at the largest k (each request's top k is a prefix of it), else one by one. */
  private void answer(List<Pending> batch) {
    int maxK = 0;
    List<float[]> queries = new ArrayList<>(batch.size());
    List<LongPredicate> excludes = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      maxK = Math.max(maxK, p.k);
      queries.add(p.query);
      excludes.add(p.exclude);
    }
    List<List<Neighbor>> all;
    try {
      all = neighbors.searchAll(queries, maxK, Similarity.COSINE, excludes);
    } catch (RuntimeException e) { // one bad request must not fail the others: answer each alone
      for (Pending p : batch) {
        try {
          finish(p, neighbors.search(p.query, p.k, Similarity.COSINE, p.exclude), null);
        } catch (RuntimeException alone) {
          finish(p, null, alone);
        }
      }
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      List<Neighbor> found = all.get(i);
      Pending p = batch.get(i);
      finish(p, List.copyOf(found.subList(0, Math.min(p.k, found.size()))), null);
    }
  }

  private synchronized void finish(Pending p, List<Neighbor> result, RuntimeException error) {
    p.result = result;
    p.error = error;
    p.done = true;
  }
}
