package dev.emb4j.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The memory views the kernels use address the same floats as the stores' own methods. */
class RowMemoryTest {

  private static void checkSameValues(RowStore s) {
    for (long r = 0; r < s.rows(); r++) {
      for (int j = 0; j < s.dim(); j++) {
        s.set(r, j, r * 100 + j);
      }
    }
    RowMemory m = s.memory().orElseThrow();
    assertEquals(s.rows(), m.rows());
    assertEquals(s.dim(), m.dim());
    for (long r = 0; r < s.rows(); r++) {
      for (int j = 0; j < s.dim(); j++) {
        float viaView = m.segment(r).get(ValueLayout.JAVA_FLOAT_UNALIGNED, m.offset(r) + 4L * j);
        assertEquals(s.get(r, j), viaView, "row " + r + ", col " + j);
      }
    }
    // and writes through the view are seen by the store
    m.segment(s.rows() - 1).set(ValueLayout.JAVA_FLOAT_UNALIGNED, m.offset(s.rows() - 1), -1f);
    assertEquals(-1f, s.get(s.rows() - 1, 0));
  }

  @Test
  void heapChunksAreAddressedRowByRow() {
    HeapRowStore s = HeapRowStore.allocate(10, 3, 4); // chunks of 4, 4 and 2 rows (a power of two: shifts)
    checkSameValues(HeapRowStore.allocate(11, 2, 3)); // chunks of 3 rows: divisions
    checkSameValues(s);
    assertNull(s.memory().orElseThrow().single(), "three chunks have no single segment");
  }

  @Test
  void oneHeapChunkIsOneSegment() {
    HeapRowStore s = HeapRowStore.allocate(7, 5);
    checkSameValues(s);
    assertSame(s.memory().orElseThrow().single(), s.memory().orElseThrow().segment(6));
  }

  @Test
  void offHeapRowsUseThePaddedStride() {
    try (OffHeapRowStore s = OffHeapRowStore.allocate(9, 17)) {
      checkSameValues(s);
      assertEquals(s.strideBytes(), s.memory().orElseThrow().strideBytes());
    }
  }
}
