package dev.emb4j.task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The leave-one-out evaluation of implicit feedback (the NCF protocol): each held-out interaction of a {@link
 * LeaveOneOut} split is ranked among {@code negatives} items its user never interacted with, drawn once, uniformly
 * and without replacement from every item of the split, by a seeded generator; {@link RankingMetrics} turns the ranks
 * into HR@k and NDCG@k. The candidates are fixed when the evaluation is made, so a model and a baseline scored by the
 * same evaluation face the same negatives. A user with fewer than {@code negatives} items left to draw gets all of
 * them.
 */
public final class RankingEvaluation {
  /** The negatives per held-out item of the NCF protocol. */
  public static final int DEFAULT_NEGATIVES = 99;

  /** The list length of the NCF protocol's HR@10 and NDCG@10. */
  public static final int DEFAULT_CUTOFF = 10;

  /** Scores items for a user; a higher score ranks first. */
  @FunctionalInterface
  public interface Scorer {
    /** The score of each of {@code items} (raw ids) for {@code user} (a raw id). */
    float[] scores(long user, long[] items);
  }

  private final long[] users;
  /** Per user: the held-out item, then its negatives. */
  private final long[][] candidates;
  private final int cutoff;

  private RankingEvaluation(long[] users, long[][] candidates, int cutoff) {
    this.users = users;
    this.candidates = candidates;
    this.cutoff = cutoff;
  }

  /**
   * Draws the negatives of each held-out interaction of {@code split}.
   *
   * @param split the held-out interactions and the training ones (a user's negatives avoid both)
   * @param negatives items drawn per held-out one ({@link #DEFAULT_NEGATIVES} in the protocol)
   * @param cutoff k of HR@k and NDCG@k ({@link #DEFAULT_CUTOFF} in the protocol)
   * @param seed fixes the draw
   * @throws IllegalArgumentException unless {@code negatives >= 1} and {@code cutoff >= 1}
   */
  public static RankingEvaluation sample(LeaveOneOut split, int negatives, int cutoff, long seed) {
    if (negatives < 1 || cutoff < 1) {
      throw new IllegalArgumentException("need negatives >= 1 and cutoff >= 1, got " + negatives + " and " + cutoff);
    }
    Set<Long> universe = new LinkedHashSet<>();
    Map<Long, Set<Long>> seen = new HashMap<>();
    for (Ratings r : List.of(split.train(), split.heldOut())) {
      for (int k = 0; k < r.size(); k++) {
        universe.add(r.items()[k]);
        seen.computeIfAbsent(r.users()[k], u -> new HashSet<>()).add(r.items()[k]);
      }
    }
    long[] items = universe.stream().mapToLong(Long::longValue).toArray();
    SplittableRandom rng = new SplittableRandom(seed);
    Ratings held = split.heldOut();
    long[][] candidates = new long[held.size()][];
    for (int k = 0; k < held.size(); k++) {
      Set<Long> own = seen.get(held.users()[k]);
      List<Long> drawn = draw(items, own, negatives, rng);
      candidates[k] = new long[drawn.size() + 1];
      candidates[k][0] = held.items()[k];
      for (int j = 0; j < drawn.size(); j++) {
        candidates[k][j + 1] = drawn.get(j);
      }
    }
    return new RankingEvaluation(held.users().clone(), candidates, cutoff);
  }

  /**
   * Up to {@code count} distinct items outside {@code own}: by rejection while they are plenty, else from the list of
   * all that remain.
   */
  private static List<Long> draw(long[] items, Set<Long> own, int count, SplittableRandom rng) {
    int available = items.length - own.size();
    List<Long> out = new ArrayList<>();
    if (available > 2L * count) {
      Set<Long> taken = new HashSet<>();
      while (out.size() < count) {
        long item = items[rng.nextInt(items.length)];
        if (!own.contains(item) && taken.add(item)) {
          out.add(item);
        }
      }
      return out;
    }
    for (long item : items) {
      if (!own.contains(item)) {
        out.add(item);
      }
    }
    for (int k = 0; k < Math.min(count, out.size()); k++) { // a partial Fisher-Yates shuffle
      int j = k + rng.nextInt(out.size() - k);
      Long t = out.get(k);
      out.set(k, out.get(j));
      out.set(j, t);
    }
    return new ArrayList<>(out.subList(0, Math.min(count, out.size())));
  }

  /** The number of users evaluated. */
  public int users() {
    return users.length;
  }

  /** HR@k and NDCG@k of {@code scorer} on the drawn candidates. */
  public RankingMetrics evaluate(Scorer scorer) {
    Objects.requireNonNull(scorer, "scorer");
    int[] ranks = new int[users.length];
    for (int k = 0; k < users.length; k++) {
      float[] s = scorer.scores(users[k], candidates[k]);
      if (s.length != candidates[k].length) {
        throw new IllegalStateException(
            "the scorer gave " + s.length + " scores for " + candidates[k].length + " items of user " + users[k]);
      }
      ranks[k] = RankingMetrics.rank(s[0], java.util.Arrays.copyOfRange(s, 1, s.length));
    }
    return RankingMetrics.ofRanks(ranks, cutoff);
  }

  /** HR@k and NDCG@k of a trained model (an unknown user or item scores by the biases it has). */
  public RankingMetrics evaluate(MatrixFactorizationTrainer.Result result) {
    return evaluate(result.model(), result.users(), result.items());
  }

  /** HR@k and NDCG@k of {@code model}, whose rows {@code users} and {@code items} number. */
  RankingMetrics evaluate(MatrixFactorization model, IdIndex users, IdIndex items) {
    return evaluate(
        (user, candidateItems) -> {
          int[] u = new int[candidateItems.length];
          int[] i = new int[candidateItems.length];
          java.util.Arrays.fill(u, users.indexOf(user));
          for (int k = 0; k < i.length; k++) {
            i[k] = items.indexOf(candidateItems[k]);
          }
          return model.predictValues(u, i);
        });
  }

  /** HR@k and NDCG@k of the most-popular baseline: each item scored by its interactions in {@code train}. */
  public RankingMetrics mostPopular(Ratings train) {
    Map<Long, Integer> counts = new HashMap<>();
    for (long item : train.items()) {
      counts.merge(item, 1, Integer::sum);
    }
    return evaluate(
        (user, candidateItems) -> {
          float[] s = new float[candidateItems.length];
          for (int k = 0; k < s.length; k++) {
            s[k] = counts.getOrDefault(candidateItems[k], 0);
          }
          return s;
        });
  }
}
