package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RankingEvaluationTest {
  /** 3 users over items 0..299: user u interacted with items u*10 .. u*10+9, the last held out. */
  private static LeaveOneOut split() {
    List<long[]> rows = new ArrayList<>();
    for (long u = 0; u < 3; u++) {
      for (long i = u * 10; i < u * 10 + 10; i++) {
        rows.add(new long[] {u, i});
      }
    }
    for (long i = 30; i < 300; i++) {
      rows.add(new long[] {3, i}); // user 3 makes every item known
    }
    long[] users = rows.stream().mapToLong(r -> r[0]).toArray();
    long[] items = rows.stream().mapToLong(r -> r[1]).toArray();
    long[] time = new long[users.length];
    for (int k = 0; k < time.length; k++) {
      time[k] = items[k];
    }
    return LeaveOneOut.split(new Ratings(users, items, new float[users.length]), time);
  }

  @Test
  void negativesAreDistinctItemsTheUserNeverTouchedAndTheSameForEveryScorer() {
    RankingEvaluation eval = RankingEvaluation.sample(split(), 99, 10, 1);
    assertEquals(4, eval.users());
    List<long[]> seen = new ArrayList<>();
    eval.evaluate(
        (user, items) -> {
          seen.add(items.clone());
          if (user < 3) {
            assertEquals(100, items.length);
            assertEquals(user * 10 + 9, items[0], "the held-out item comes first");
            Set<Long> distinct = new HashSet<>();
            for (int k = 1; k < items.length; k++) {
              assertFalse(items[k] >= user * 10 && items[k] < user * 10 + 10, "item " + items[k] + " is the user's");
              assertTrue(distinct.add(items[k]), "item " + items[k] + " drawn twice");
            }
          } else {
            assertEquals(31, items.length, "user 3 has only items 0..29 left, all of them drawn");
          }
          return new float[items.length];
        });
    List<long[]> again = new ArrayList<>();
    RankingEvaluation.sample(split(), 99, 10, 1).evaluate(
        (user, items) -> {
          again.add(items.clone());
          return new float[items.length];
        });
    for (int k = 0; k < seen.size(); k++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(seen.get(k), again.get(k), "the same seed draws the same");
    }
  }

  @Test
  void anOracleHitsEveryTimeAndAConstantModelNever() {
    RankingEvaluation eval = RankingEvaluation.sample(split(), 99, 10, 7);
    RankingMetrics oracle =
        eval.evaluate(
            (user, items) -> {
              float[] s = new float[items.length];
              s[0] = 1;
              return s;
            });
    assertEquals(1.0, oracle.hitRate());
    assertEquals(1.0, oracle.ndcg());
    RankingMetrics constant = eval.evaluate((user, items) -> new float[items.length]);
    assertEquals(0.0, constant.hitRate());
  }

  @Test
  void mostPopularScoresItemsByTheirTrainingInteractions() {
    // items 1 and 2 each have 2 training interactions; held-out items: user 10 -> 2, user 11 -> 3 (never in training)
    Ratings all =
        new Ratings(
            new long[] {10, 10, 11, 11, 12, 12, 13, 10, 11},
            new long[] {1, 4, 1, 2, 2, 5, 6, 2, 3},
            new float[9]);
    LeaveOneOut split = LeaveOneOut.split(all, new long[] {1, 1, 1, 1, 1, 1, 1, 2, 2});
    RankingEvaluation eval = RankingEvaluation.sample(split, 5, 1, 3);
    RankingMetrics pop = eval.mostPopular(split.train());
    assertEquals(3, pop.users(), "users 10, 11 and 12");
    // user 10: item 2 (count 2) against {3, 5, 6} with counts {0, 0, 1}: rank 0; user 11: item 3 (count 0)
    // against {4, 5, 6} with counts {1, 0, 1}: rank 3, ties counting against it; user 12: item 5 (count 0, its one
    // interaction held out) against {1, 3, 4, 6} with counts {2, 0, 1, 1}: rank 4
    assertEquals(1 / 3.0, pop.hitRate(), 1e-12);
    assertEquals(1 / 3.0, pop.ndcg(), 1e-12);
  }
}
