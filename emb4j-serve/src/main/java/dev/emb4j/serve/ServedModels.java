package dev.emb4j.serve;

import dev.emb4j.io.Vectors;
import dev.emb4j.search.NearestNeighbors;
import dev.emb4j.task.Recommender;
import dev.emb4j.task.text.TextClassifier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * What one generation of the server answers from: word vectors (with their exact search index, and optionally an
 * approximate one), a text classifier, a recommender, any of them absent. Immutable; a reload builds a new one and swaps it in.
 *
 * <p>Requests hold a lease on the generation they started with ({@link #tryAcquire}, {@link #release}); a retired
 * generation closes its resources when its last lease is released, so a reload never fails a request in flight.
 */
public final class ServedModels {
  private final Vectors vectors;
  private final NearestNeighbors neighbors;
  private final CoalescedSearch coalesced;
  private final ApproximateNeighbors approximate;
  private final TextClassifier classifier;
  private final Recommender recommender;
  /** The projector's points, computed on first use. */
  private ProjectedPoints projection;
  /** Leases plus one for the server's own reference, dropped by {@link #retire}; 0 once closed. */
  private final AtomicInteger leases = new AtomicInteger(1);

  private ServedModels(Vectors vectors, ApproximateNeighbors approximate, TextClassifier classifier, Recommender recommender) {
    this.vectors = vectors;
    this.neighbors = vectors == null ? null : NearestNeighbors.over(vectors.table());
    this.coalesced = neighbors == null ? null : new CoalescedSearch(neighbors);
    this.approximate = approximate;
    this.classifier = classifier;
    this.recommender = recommender;
  }

  /**
   * Models to serve; each may be null, not all of them.
   *
   * @param vectors word vectors for lookup, similar and analogy, or null
   * @param approximate an approximate index over the vectors' rows for {@code similar?mode=approximate}, or null
   * @param classifier a text classifier for classify, or null
   * @param recommender a recommender for recommend, or null
   * @return the generation, owning (and closing, once retired) what it was given
   * @throws IllegalArgumentException if vectors, classifier and recommender are all null, or an approximate index is
   *     given without vectors
   */
  public static ServedModels of(
      Vectors vectors, ApproximateNeighbors approximate, TextClassifier classifier, Recommender recommender) {
    if (vectors == null && classifier == null && recommender == null) {
      throw new IllegalArgumentException("nothing to serve: give vectors, a classifier or a recommender");
    }
    if (approximate != null && vectors == null) {
      throw new IllegalArgumentException("an approximate index needs the vectors it was built from");
    }
    return new ServedModels(vectors, approximate, classifier, recommender);
  }

  /** The vectors, or null. */
  Vectors vectors() {
    return vectors;
  }

  /** The exact index over the vectors, or null. */
  NearestNeighbors neighbors() {
    return neighbors;
  }

  /** Exact cosine searches over the vectors, concurrent requests scored together, or null. */
  CoalescedSearch coalesced() {
    return coalesced;
  }

  /** The approximate index over the vectors, or null. */
  ApproximateNeighbors approximate() {
    return approximate;
  }

  /** The classifier, or null. */
  TextClassifier classifier() {
    return classifier;
  }

  /** The recommender, or null. */
  Recommender recommender() {
    return recommender;
  }

  /** The projector's points of this generation, computed by {@code compute} the first time. */
  synchronized ProjectedPoints projection(Function<ServedModels, ProjectedPoints> compute) {
    if (projection == null) {
      projection = compute.apply(this);
    }
    return projection;
  }

  /** Takes a lease, unless this generation is already closed. */
  boolean tryAcquire() {
    while (true) {
      int n = leases.get();
      if (n == 0) {
        return false;
      }
      if (leases.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Returns a lease; the last one closes the resources of a retired generation. */
  void release() {
    if (leases.decrementAndGet() == 0) {
      closeResources();
    }
  }

  /** Drops the server's reference: the resources close once no request holds a lease. */
  void retire() {
    release();
  }

  private void closeResources() {
    if (neighbors != null) {
      neighbors.close();
    }
    if (approximate != null) {
      approximate.close();
    }
    if (vectors != null) {
      vectors.close();
    }
    if (classifier != null) {
      classifier.close();
    }
    if (recommender != null) {
      recommender.close();
    }
  }
}
