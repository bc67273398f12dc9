package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** BPR training of {@link FeatureFactorizationTrainer#trainImplicit} against the most-popular baseline. */
class ImplicitFeedbackTest {
  private static final int GROUPS = 5;
  private static final int USERS_PER_GROUP = 20;
  private static final int ITEMS_PER_GROUP = 40;
  private static final int PER_USER = 12;

  /**
   * Users and items in 5 taste groups: each user interacts with 12 random items of its own group only, so every item
   * is about equally popular and popularity cannot tell a user's group, while the co-occurrences can.
   */
  private static LeaveOneOut groups() {
    int n = GROUPS * USERS_PER_GROUP * PER_USER;
    long[] users = new long[n];
    long[] items = new long[n];
    long[] time = new long[n];
    SplittableRandom rng = new SplittableRandom(11);
    int k = 0;
    for (int g = 0; g < GROUPS; g++) {
      for (int u = 0; u < USERS_PER_GROUP; u++) {
        long user = 1_000_000_007L * (g * USERS_PER_GROUP + u + 1); // raw ids, far from 0..V-1
        boolean[] taken = new boolean[ITEMS_PER_GROUP];
        for (int j = 0; j < PER_USER; j++) {
          int item;
          do {
            item = rng.nextInt(ITEMS_PER_GROUP);
          } while (taken[item]);
          taken[item] = true;
          users[k] = user;
          items[k] = -(g * ITEMS_PER_GROUP + item + 1L) * 31;
          time[k] = rng.nextLong(1_000_000);
          k++;
        }
      }
    }
    return LeaveOneOut.split(new Ratings(users, items, new float[n]), time);
  }

  private static MatrixFactorizationTrainer.Result train(LeaveOneOut split, RankingEvaluation eval) {
    MatrixFactorizationTrainer.Config config =
        MatrixFactorizationTrainer.Config.builder()
            .dim(16)
            .epochs(30)
            .batchSize(32)
            .learningRate(0.1)
            .reg(0.01)
            .regExponent(0)
            .initStd(0.1)
            .build();
    return new FeatureFactorizationTrainer(config, SideFeatures.none(), SideFeatures.none())
        .trainImplicit(split.train(), eval, TrainingListener.NONE);
  }

  @Test
  void bprClearlyBeatsPopularityOnTasteGroupsAndIsDeterministic() {
    LeaveOneOut split = groups();
    RankingEvaluation eval = RankingEvaluation.sample(split, 99, 10, 5);
    assertEquals(GROUPS * USERS_PER_GROUP, eval.users());
    MatrixFactorizationTrainer.Result result = train(split, eval);
    RankingMetrics bpr = eval.evaluate(result);
    RankingMetrics popular = eval.mostPopular(split.train());
    // about 99 * 28 / 188 = 15 of a user's negatives are of its own group: a model that knows the groups ranks the
    // held-out item about 8th among them (HR@10 near 0.6), popularity about 50th (HR@10 near 0.1)
    assertTrue(bpr.hitRate() > popular.hitRate() + 0.3, "BPR " + bpr + " against popularity " + popular);
    assertTrue(bpr.ndcg() > popular.ndcg() + 0.15, "BPR " + bpr + " against popularity " + popular);
    double lastHr = result.history().getLast().validation().get("hr10");
    assertEquals(bpr.hitRate(), lastHr, 1e-12, "the last epoch's validation is the final model's");

    MatrixFactorizationTrainer.Result again = train(split, eval);
    int items = result.items().size();
    int[] user = new int[items];
    int[] all = new int[items];
    for (int i = 0; i < items; i++) {
      all[i] = i;
    }
    assertArrayEquals(
        result.model().predictValues(user, all), again.model().predictValues(user, all),
        "the same seed gives the same model");
  }
}
