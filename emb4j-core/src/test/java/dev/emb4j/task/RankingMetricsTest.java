package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RankingMetricsTest {
  @Test
  void tiesAndNaNsCountAgainstTheHeldOutItem() {
    assertEquals(0, RankingMetrics.rank(0.9f, new float[] {0.1f, 0.5f, 0.8f}));
    assertEquals(2, RankingMetrics.rank(0.5f, new float[] {0.1f, 0.5f, 0.9f}));
    assertEquals(3, RankingMetrics.rank(0.5f, new float[] {0.5f, 0.5f, 0.5f}), "a constant model ranks last");
    assertEquals(1, RankingMetrics.rank(0.5f, new float[] {Float.NaN, 0.1f}));
    assertEquals(2, RankingMetrics.rank(Float.NaN, new float[] {0.2f, 0.1f}));
  }

  @Test
  void hitRateAndNdcgByHand() {
    // ranks 0, 1 and 9 are hits at k = 10: gains 1/log2(2) = 1, 1/log2(3) = 0.63093, 1/log2(11) = 0.28906
    RankingMetrics m = RankingMetrics.ofRanks(new int[] {0, 1, 9, 10, 50}, 10);
    assertEquals(5, m.users());
    assertEquals(10, m.cutoff());
    assertEquals(0.6, m.hitRate(), 1e-12);
    assertEquals((1 + 0.6309297535714575 + 0.2890648263178879) / 5, m.ndcg(), 1e-12);

    RankingMetrics top1 = RankingMetrics.ofRanks(new int[] {0, 1, 0, 3}, 1);
    assertEquals(0.5, top1.hitRate(), 1e-12);
    assertEquals(0.5, top1.ndcg(), 1e-12);

    RankingMetrics none = RankingMetrics.ofRanks(new int[0], 10);
    assertEquals(0, none.hitRate());
    assertEquals(0, none.ndcg());
  }

  @Test
  void rejectsANegativeRankOrCutoff() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RankingMetrics.ofRanks(new int[] {0, -1}, 10));
    assertEquals("rank -1 at position [1] is negative", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RankingMetrics.ofRanks(new int[] {0}, 0));
  }
}
