package dev.emb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.internal.kernel.StoreMemory;
import dev.emb4j.internal.store.RowMemory;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The memory views the kernels use address the same floats as the stores' own methods. */
class RowMemoryTest {

  private static void checkSameValues(RowStore s) {
    for (long r = 0; r < s.rows(); r++) {
      for (int j = 0; j < s.dim(); j++) {
        s.set(r, j, r * 100 + j);
      }
    }
    RowMemory m = StoreMemory.of(s).orElseThrow();
    assertEquals(s.rows(), m.rows());
    assertEquals(s.dim(), m.dim());
    for (long r = 0; r < s.rows(); r++) {
      for (int j = 0; j < s.dim(); j++) {
        float viaView = m.segment(r).get(ValueLayout.JAVA_FLOAT_UNALIGNED, m.offset(r) + 4L * j);
        assertEquals(s.get(r, j), viaView, "row " + r + ", col " + j);
        if (m.isHeap()) {
          assertEquals(s.get(r, j), m.array(r)[m.index(r) + j], "row " + r + ", col " + j + " through the array");
        }
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
    assertNull(StoreMemory.of(s).orElseThrow().single(), "three chunks have no single segment");
  }

  @Test
  void oneHeapChunkIsOneSegment() {
    HeapRowStore s = HeapRowStore.allocate(7, 5);
    checkSameValues(s);
    assertSame(StoreMemory.of(s).orElseThrow().single(), StoreMemory.of(s).orElseThrow().segment(6));
  }

  @Test
  void largeHeapChunksStartRowsOnACacheLineAfterTheArrayHeader() {
    int lead = Math.floorMod(-HeapAlignment.arrayBaseOffset(), HeapAlignment.LINE_BYTES) / Float.BYTES;
    HeapRowStore one = HeapRowStore.allocate(2048, 128); // 1 MiB: padded
    assertEquals(lead, one.leadingFloats());
    assertEquals(0, (HeapAlignment.arrayBaseOffset() + 4 * StoreMemory.of(one).orElseThrow().index(1)) % 64);
    checkSameValues(one);
    HeapRowStore chunked = HeapRowStore.allocate(2500, 256, 1024); // chunks of 1 MiB, 1 MiB and 452 rows
    assertEquals(lead, chunked.leadingFloats());
    checkSameValues(chunked);
    assertEquals(0, HeapRowStore.allocate(2047, 128).leadingFloats(), "under 1 MiB: left where it is");
    assertEquals(0, HeapRowStore.wrap(new float[1 << 20], 128).leadingFloats(), "a caller's array is used as is");
  }

  /** Bag sums read a table in chunks row by row and a one-array table through precomputed offsets: same sums. */
  @Test
  void bagSumsOverChunksEqualThoseOverOneArray() {
    HeapRowStore chunked = HeapRowStore.allocate(300, 128, 64);
    HeapRowStore single = HeapRowStore.allocate(300, 128);
    SplittableRandom rnd = new SplittableRandom(11);
    float[] row = new float[128];
    for (long r = 0; r < 300; r++) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) rnd.nextGaussian();
      }
      chunked.writeRow(r, row, 0);
      single.writeRow(r, row, 0);
    }
    long[] ids = new long[4000];
    float[] psw = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rnd.nextLong(300);
      psw[i] = (float) rnd.nextGaussian();
    }
    int[] starts = new int[ids.length / 8 + 1];
    for (int b = 0; b < starts.length; b++) {
      starts[b] = b * 8;
    }
    int bags = starts.length - 1;
    for (long pad : new long[] {-1, 7}) {
      for (float[] weights : new float[][] {null, psw}) {
        float[] a = new float[bags * 128];
        float[] b = new float[bags * 128];
        int[] sizes = new int[bags];
        Kernels.poolSum(chunked, ids, starts, weights, pad, a, sizes);
        Kernels.poolSum(single, ids, starts, weights, pad, b, sizes);
        assertArrayEquals(a, b, "padding " + pad + ", weights " + (weights != null));
      }
    }
  }

  @Test
  void tablesThatFitOneJavaArrayAreOneChunk() {
    assertEquals(10_000_000, HeapRowStore.rowsPerChunkFor(10_000_000, 128), "5.1 GB of rows: one array");
    assertEquals(16_777_215, HeapRowStore.rowsPerChunkFor(16_777_215, 128));
    assertEquals(1L << 23, HeapRowStore.rowsPerChunkFor(16_777_216, 128), "2^31 floats: chunks of 2^30");
    assertEquals(1, HeapRowStore.rowsPerChunkFor(0, 4));
  }

  @Test
  void offHeapRowsUseThePaddedStride() {
    try (OffHeapRowStore s = OffHeapRowStore.allocate(9, 17)) {
      checkSameValues(s);
      assertEquals(s.strideBytes(), StoreMemory.of(s).orElseThrow().strideBytes());
    }
  }
}
