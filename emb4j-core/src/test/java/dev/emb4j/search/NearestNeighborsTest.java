package dev.emb4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emb4j.store.HeapRowStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class NearestNeighborsTest {

  @Test
  void classicAnalogyOnAHandMadeTable() {
    // dims: royalty, maleness, femaleness, fruitiness
    float[] data = {
      0.9f, 0.9f, 0.0f, 0.0f, // 0 king
      0.9f, 0.0f, 0.9f, 0.0f, // 1 queen
      0.0f, 0.9f, 0.0f, 0.1f, // 2 man
      0.0f, 0.0f, 0.9f, 0.1f, // 3 woman
      0.0f, 0.0f, 0.0f, 1.0f, // 4 apple
    };
    try (NearestNeighbors nn = NearestNeighbors.over(HeapRowStore.wrap(data, 4), 1)) {
      assertEquals(1, nn.analogy(0, 2, 3, 1).get(0).id());
      List<Neighbor> near = nn.similar(0, 2, Similarity.COSINE);
      // king . man / (|king| |man|) = 0.81 / (sqrt(1.62) sqrt(0.82)) = 0.7028; king . queen = 0.81 / 1.62 = 0.5
      assertEquals(List.of(2L, 1L), near.stream().map(Neighbor::id).toList());
      assertEquals(0.7028f, near.get(0).score(), 1e-4f);
      assertEquals(0.5f, near.get(1).score(), 1e-6f);
    }
  }

  @Test
  void zeroRowsScoreZeroAndTheCacheIsASnapshotUntilRefresh() {
    HeapRowStore s = HeapRowStore.wrap(new float[] {0, 0, 1, 0, 0, 1}, 2);
    try (NearestNeighbors nn = NearestNeighbors.over(s)) {
      List<Neighbor> r = nn.search(new float[] {1, 0}, 3, Similarity.COSINE, null);
      assertEquals(List.of(new Neighbor(1, 1f), new Neighbor(0, 0f), new Neighbor(2, 0f)), r);
      s.writeRow(0, new float[] {2, 0}, 0);
      assertEquals(1L, nn.search(new float[] {1, 0}, 1, Similarity.COSINE, null).get(0).id());
      nn.refresh();
      assertEquals(0L, nn.search(new float[] {1, 0}, 1, Similarity.COSINE, null).get(0).id());
      assertEquals(new Neighbor(0, 4f), nn.search(new float[] {2, 0}, 1, Similarity.DOT, null).get(0));
    }
  }

  @Test
  void rejectsBadArguments() {
    try (NearestNeighbors nn = NearestNeighbors.over(HeapRowStore.wrap(new float[] {1, 2}, 2))) {
      assertThrows(IllegalArgumentException.class, () -> nn.search(new float[] {1}, 1, Similarity.DOT, null));
      assertThrows(IllegalArgumentException.class, () -> nn.search(new float[] {1, Float.NaN}, 1, Similarity.DOT, null));
      assertThrows(IllegalArgumentException.class, () -> nn.search(new float[] {1, 1}, -1, Similarity.DOT, null));
      assertThrows(IndexOutOfBoundsException.class, () -> nn.similar(1, 1, Similarity.COSINE));
      assertThrows(IllegalArgumentException.class, () -> NearestNeighbors.over(HeapRowStore.wrap(new float[] {1}, 1), 0));
    }
  }

  @Test
  void bigTablesAreSplitAcrossThreadsWithTheSameAnswer() {
    int rows = 20_000;
    int dim = 32;
    float[] data = new float[rows * dim];
    java.util.Random rng = new java.util.Random(1);
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) rng.nextGaussian();
    }
    float[] q = new float[dim];
    for (int j = 0; j < dim; j++) {
      q[j] = (float) rng.nextGaussian();
    }
    try (NearestNeighbors one = NearestNeighbors.over(HeapRowStore.wrap(data, dim), 1);
        NearestNeighbors four = NearestNeighbors.over(HeapRowStore.wrap(data, dim), 4)) {
      for (Similarity sim : Similarity.values()) {
        assertEquals(one.search(q, 50, sim, id -> id % 7 == 0), four.search(q, 50, sim, id -> id % 7 == 0));
      }
    }
  }
}
