package dev.emb4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emb4j.search.NearestNeighbors;
import dev.emb4j.search.Neighbor;
import dev.emb4j.search.Similarity;
import dev.emb4j.store.HeapRowStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/** Concurrent requests scored together answer exactly what one search each answers, and a bad one fails alone. */
class CoalescedSearchTest {
  private static final int DIM = 37;
  private static final int ROWS = 3_001;

  @Test
  void concurrentRequestsGetTheirOwnSearchesAnswers() throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    float[] data = new float[ROWS * DIM];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextGaussian();
    }
    try (NearestNeighbors nn = NearestNeighbors.over(HeapRowStore.wrap(data, DIM), 2);
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      CoalescedSearch coalesced = new CoalescedSearch(nn);
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < 48; c++) {
        long seed = c;
        done.add(clients.submit(() -> {
          SplittableRandom r = new SplittableRandom(seed);
          for (int i = 0; i < 25; i++) {
            float[] q = new float[DIM];
            for (int j = 0; j < DIM; j++) {
              q[j] = (float) r.nextGaussian();
            }
            int k = 1 + r.nextInt(40); // different k in one batch: each gets the prefix of the largest
            long banned = r.nextInt(ROWS);
            LongPredicate exclude = i % 2 == 0 ? null : id -> id == banned;
            List<Neighbor> got = coalesced.search(q, k, exclude);
            assertEquals(nn.search(q, k, Similarity.COSINE, exclude), got, "client " + seed + ", request " + i);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
  }

  @Test
  void aRequestTheIndexRefusesFailsAloneWithTheIndexsMessage() {
    try (NearestNeighbors nn = NearestNeighbors.over(HeapRowStore.wrap(new float[] {1, 0, 0, 1}, 2), 1)) {
      CoalescedSearch coalesced = new CoalescedSearch(nn);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> coalesced.search(new float[] {1, 0, 0}, 1, null));
      assertEquals("query has 3 values, the table's rows have 2", e.getMessage());
      assertEquals(List.of(new Neighbor(0, 1f)), coalesced.search(new float[] {1, 0}, 1, null));
    }
  }
}
