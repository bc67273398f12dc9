package dev.emb4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.internal.kernel.IdSort;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The grouping behind fused sparse updates equals {@link SparseGradient#coalesce()}, bit for bit. */
class SparseRowsTest {

  @Test
  void groupsRowsAscendingWithEntriesInInputOrder() {
    SparseRows rows = SparseRows.of(new long[] {5, 2, 5, 0, 2, 5});
    assertEquals(3, rows.size());
    assertArrayEquals(new long[] {0, 2, 5}, new long[] {rows.row(0), rows.row(1), rows.row(2)});
    assertArrayEquals(new int[] {1, 2, 3}, new int[] {rows.count(0), rows.count(1), rows.count(2)});
  }

  @Test
  void emptyGradientHasNoRows() {
    assertEquals(0, SparseRows.of(new long[0]).size());
    assertEquals(0, SparseRows.of(new long[0], true).size());
  }

  @Test
  void bothSortsAgreeAndSumsEqualCoalesce() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (int n : new int[] {1, 2, 3, 13, 17, 100, 1000}) {
      int dim = 1 + rnd.nextInt(9);
      long[] ids = new long[n];
      for (int i = 0; i < n; i++) {
        ids[i] = rnd.nextInt(Math.max(1, n / 3));
      }
      float[] values = new float[n * dim];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) rnd.nextGaussian();
      }
      assertArrayEquals(IdSort.stableOrder(ids), IdSort.stableMergeOrder(ids), "n = " + n);
      SparseGradient c =
          new SparseGradient(n, dim, ids, FloatTensor.wrap(Shape.of(n, dim), values)).coalesce();
      for (boolean merge : new boolean[] {false, true}) {
        SparseRows rows = SparseRows.of(ids, merge);
        assertEquals(c.nnz(), rows.size());
        float[] sum = new float[dim];
        for (int u = 0; u < rows.size(); u++) {
          assertEquals(c.indices()[u], rows.row(u));
          rows.sumInto(u, values, dim, sum);
          for (int j = 0; j < dim; j++) {
            assertEquals(c.values().data()[u * dim + j], sum[j], 0f, "row " + rows.row(u) + " col " + j);
          }
        }
      }
    }
  }

  @Test
  void hugeRowIdsFallBackToTheMergeSort() {
    long big = Long.MAX_VALUE - 1;
    SparseRows rows = SparseRows.of(new long[] {big, 3, big, 3, 1});
    assertEquals(3, rows.size());
    assertEquals(1, rows.row(0));
    assertEquals(3, rows.row(1));
    assertEquals(big, rows.row(2));
    assertEquals(2, rows.count(2));
  }
}
