package dev.emb4j.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import org.junit.jupiter.api.Test;

/** {@link SparseGradient}: the entries a backward pass refers to without copying, and their copied form. */
class SparseGradientTest {
  // three source rows of dim 2
  private static final float[] SOURCE = {1, 2, 3, 4, 5, 6};

  @Test
  void entriesReferToSourceRowsTimesTheirScale() {
    SparseGradient g =
        SparseGradient.ofRows(10, 2, new long[] {7, 3, 7}, SOURCE, new int[] {2, 0, 2}, new float[] {1, 0.5f, -2});
    assertEquals(3, g.nnz());
    assertArrayEquals(new float[] {5, 6, 0.5f, 1, -10, -12}, g.values().data());
    assertSame(SOURCE, g.entryRows().source()); // held, not copied
    assertSame(g.values(), g.values()); // copied once
  }

  @Test
  void withoutSourceRowsOrScalesEntryIIsRowI() {
    SparseGradient g = SparseGradient.ofRows(10, 2, new long[] {4, 4}, SOURCE, null, null);
    assertArrayEquals(new float[] {1, 2, 3, 4}, g.values().data());
    assertEquals(
        new SparseGradient(10, 2, new long[] {4, 4}, FloatTensor.wrap(Shape.of(2, 2), new float[] {1, 2, 3, 4})), g);
  }

  @Test
  void coalesceAndConcatWorkOnTheReferringForm() {
    SparseGradient g = SparseGradient.ofRows(10, 2, new long[] {7, 3, 7}, SOURCE, new int[] {2, 0, 1}, null);
    SparseGradient c = g.coalesce();
    assertArrayEquals(new long[] {3, 7}, c.indices());
    assertArrayEquals(new float[] {1, 2, 8, 10}, c.values().data());
    SparseGradient twice = g.concat(g);
    assertEquals(6, twice.nnz());
    assertArrayEquals(new float[] {2, 4, 16, 20}, twice.coalesce().values().data());
  }

  @Test
  void badShapesAreRefused() {
    IllegalArgumentException rows =
        assertThrows(
            IllegalArgumentException.class,
            () -> SparseGradient.ofRows(10, 2, new long[] {1, 2}, SOURCE, new int[] {0}, null));
    assertEquals("2 indices need as many source rows, got 1", rows.getMessage());
    IllegalArgumentException range =
        assertThrows(
            IllegalArgumentException.class,
            () -> SparseGradient.ofRows(10, 2, new long[] {1}, SOURCE, new int[] {3}, null));
    assertEquals("source row 3 of entry 0 is outside the 3 rows of the source", range.getMessage());
    IllegalArgumentException scales =
        assertThrows(
            IllegalArgumentException.class,
            () -> SparseGradient.ofRows(10, 2, new long[] {1}, SOURCE, null, new float[2]));
    assertEquals("1 indices need as many scales, got 2", scales.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> SparseGradient.ofRows(10, 2, new long[4], SOURCE, null, null));
  }
}
