package dev.emb4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emb4j.store.HeapRowStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.LongPredicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * A block of queries ({@link NearestNeighbors#searchAll}, {@link NearestNeighbors#similarAll}) answers exactly what one
 * search per query answers: the same ids, in the same order, with the same float scores, ties included, for query
 * counts that are and are not a multiple of the query block and of the kernel's four, tables whose last tile is not
 * full, and any number of threads.
 */
class SearchAllPropertiesTest {

  @Property(tries = 100)
  void searchAllEqualsOneSearchPerQuery(
      @ForAll @IntRange(min = 1, max = 300) int rows,
      @ForAll @IntRange(min = 1, max = 2 * 16 + 9) int dim,
      @ForAll @IntRange(min = 1, max = 2 * NearestNeighbors.QUERY_BLOCK + 7) int queries,
      @ForAll @IntRange(min = 0, max = 12) int k,
      @ForAll @IntRange(min = 1, max = 3) int threads,
      @ForAll boolean cosine,
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    Random rng = new Random(seed);
    float[] data = new float[rows * dim];
    for (int i = 0; i < data.length; i++) {
      data[i] = rng.nextInt(4) == 0 ? 0 : (float) rng.nextGaussian();
    }
    for (int r = 1; r < rows; r += 3) { // repeated rows: exact ties, broken by id
      System.arraycopy(data, (r - 1) * dim, data, r * dim, dim);
    }
    List<float[]> qs = new ArrayList<>();
    List<LongPredicate> excludes = new ArrayList<>();
    for (int i = 0; i < queries; i++) {
      float[] q = new float[dim];
      if (i % 5 == 4) {
        System.arraycopy(data, rng.nextInt(rows) * dim, q, 0, dim); // a row itself
      } else {
        for (int j = 0; j < dim; j++) {
          q[j] = (float) rng.nextGaussian();
        }
      }
      qs.add(q);
      long banned = rng.nextInt(rows);
      excludes.add(i % 3 == 0 ? null : id -> id == banned);
    }
    Similarity sim = cosine ? Similarity.COSINE : Similarity.DOT;
    try (NearestNeighbors nn = NearestNeighbors.over(HeapRowStore.wrap(data, dim), threads)) {
      List<List<Neighbor>> all = nn.searchAll(qs, k, sim, excludes);
      assertEquals(queries, all.size());
      for (int i = 0; i < queries; i++) {
        assertEquals(nn.search(qs.get(i), k, sim, excludes.get(i)), all.get(i), "query " + i + " of " + queries);
      }
      List<List<Neighbor>> unfiltered = nn.searchAll(qs, k, sim, null);
      assertEquals(nn.search(qs.getLast(), k, sim, null), unfiltered.getLast(), "no filters");
      long[] ids = new long[Math.min(queries, rows)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = rng.nextInt(rows);
      }
      List<List<Neighbor>> similar = nn.similarAll(ids, k, sim);
      for (int i = 0; i < ids.length; i++) {
        assertEquals(nn.similar(ids[i], k, sim), similar.get(i), "row " + ids[i]);
      }
    }
  }

  @Test
  void aRejectedBlockNamesTheQueryAndAnswersNothing() {
    try (NearestNeighbors nn = NearestNeighbors.over(HeapRowStore.wrap(new float[] {1, 0, 0, 1}, 2), 1)) {
      List<float[]> qs = List.of(new float[] {1, 0}, new float[] {1});
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> nn.searchAll(qs, 1, Similarity.COSINE, null));
      assertEquals("query 1 has 1 values, the table's rows have 2", e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> nn.searchAll(List.of(new float[] {1, Float.NaN}, new float[] {1, 0}), 1, Similarity.DOT, null));
      assertEquals("query 0 value 1 is NaN; it must be finite", e.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> nn.searchAll(List.of(new float[] {1, 0}), 1, Similarity.DOT, Arrays.asList(null, null)));
      assertThrows(IndexOutOfBoundsException.class, () -> nn.similarAll(new long[] {0, 2}, 1, Similarity.DOT));
      assertEquals(List.of(), nn.searchAll(List.of(), 3, Similarity.COSINE, null));
    }
  }
}
