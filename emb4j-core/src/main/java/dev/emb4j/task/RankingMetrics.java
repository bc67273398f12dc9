package dev.emb4j.task;

/**
 * Hit rate and NDCG at a cutoff over users who each have one held-out item ranked among sampled negatives (the
 * leave-one-out protocol of He et al., Neural Collaborative Filtering, 2017).
 *
 * <p>A user's rank is the number of negatives that score at least as high as the held-out item: ties count against
 * it, so a model that scores everything alike ranks every held-out item last rather than first. The user contributes
 * a hit when {@code rank < cutoff}, and {@code 1 / log2(rank + 2)} to NDCG then (0 otherwise); both are averaged over
 * the users.
 *
 * @param users the users evaluated
 * @param cutoff the list length k of HR@k and NDCG@k
 * @param hitRate the share of users whose held-out item ranks within the first {@code cutoff}
 * @param ndcg the mean discounted gain of the held-out item's position
 */
public record RankingMetrics(int users, int cutoff, double hitRate, double ndcg) {

  /** Checks the values. */
  public RankingMetrics {
    if (users < 0 || cutoff < 1) {
      throw new IllegalArgumentException("need users >= 0 and cutoff >= 1, got " + users + " and " + cutoff);
    }
  }

  /**
   * The 0-based rank of an item scoring {@code positive} among {@code negatives}: how many of them score at least as
   * much. A NaN score of the item ranks it last.
   */
  public static int rank(float positive, float[] negatives) {
    int rank = 0;
    for (float s : negatives) {
      if (!(s < positive)) {
        rank++;
      }
    }
    return rank;
  }

  /**
   * HR@{@code cutoff} and NDCG@{@code cutoff} of users whose held-out items ranked {@code ranks}; both 0 for no
   * users.
   *
   * @throws IllegalArgumentException for a negative rank or {@code cutoff < 1}
   */
  public static RankingMetrics ofRanks(int[] ranks, int cutoff) {
    if (cutoff < 1) {
      throw new IllegalArgumentException("the cutoff must be at least 1, got " + cutoff);
    }
    double hits = 0;
    double gain = 0;
    for (int k = 0; k < ranks.length; k++) {
      if (ranks[k] < 0) {
        throw new IllegalArgumentException("rank " + ranks[k] + " at position [" + k + "] is negative");
      }
      if (ranks[k] < cutoff) {
        hits++;
        gain += 1 / (Math.log(ranks[k] + 2) / Math.log(2));
      }
    }
    int n = ranks.length;
    return new RankingMetrics(n, cutoff, n == 0 ? 0 : hits / n, n == 0 ? 0 : gain / n);
  }
}
