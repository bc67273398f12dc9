package dev.emb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Row addressing of tables with more than 2^31 floats. The default tests check the long offset arithmetic on its own
 * (no big allocation); the {@code big} tests (run with {@code mvn -Pbig}) allocate such a table.
 */
class LongAddressingTest {

  private static final long TWO_31 = 1L << 31;

  @Test
  void paddedStrideRoundsUpToWholeCacheLines() {
    assertEquals(64, OffHeapRowStore.paddedStrideBytes(1));
    assertEquals(64, OffHeapRowStore.paddedStrideBytes(16));
    assertEquals(128, OffHeapRowStore.paddedStrideBytes(17));
    assertEquals(512, OffHeapRowStore.paddedStrideBytes(128));
    assertEquals(1216, OffHeapRowStore.paddedStrideBytes(300));
    // no int overflow for the widest possible row: ceil((2^31 - 1) / 16) * 64 = 2^33
    assertEquals(8_589_934_592L, OffHeapRowStore.paddedStrideBytes(Integer.MAX_VALUE));
    for (int dim = 1; dim <= 1000; dim++) {
      long s = OffHeapRowStore.paddedStrideBytes(dim);
      assertEquals(0, s % 64, "dim " + dim);
      assertTrue(s >= 4L * dim && s < 4L * dim + 64, "dim " + dim + " stride " + s);
    }
  }

  @Test
  void byteOffsetsOfRowsBeyondTwoToThe31FloatsAreExact() {
    long stride = OffHeapRowStore.paddedStrideBytes(128);
    long rows = 20_000_000;
    assertTrue(rows * 128 > TWO_31);
    assertEquals(10_239_999_488L, OffHeapRowStore.byteOffset(rows - 1, stride));
    assertEquals(10_240_000_000L, OffHeapRowStore.byteOffset(rows, stride));
    // the first row whose float offset (row * 128) no longer fits an int
    assertEquals(8_589_934_592L, OffHeapRowStore.byteOffset(16_777_216, stride));
    assertEquals(8_589_935_104L, OffHeapRowStore.byteOffset(16_777_217, stride));
    // packed (wrapped) rows: stride = dim * 4
    assertEquals(3_000_000_000L * 4, OffHeapRowStore.byteOffset(3_000_000_000L, 4));
    assertEquals(1_000_000_007L * 1200, OffHeapRowStore.byteOffset(1_000_000_007L, 1200));
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      long row = rng.nextLong(0, 1L << 40);
      long s = OffHeapRowStore.paddedStrideBytes(rng.nextInt(1, 4096));
      BigInteger exact = BigInteger.valueOf(row).multiply(BigInteger.valueOf(s));
      assertEquals(exact.longValueExact(), OffHeapRowStore.byteOffset(row, s), "row " + row + " stride " + s);
    }
  }

  @Test
  void byteOffsetOverflowThrowsInsteadOfWrapping() {
    long stride = 512;
    long last = Long.MAX_VALUE / stride;
    assertEquals(last * stride, OffHeapRowStore.byteOffset(last, stride));
    assertThrows(ArithmeticException.class, () -> OffHeapRowStore.byteOffset(last + 1, stride));
    assertThrows(ArithmeticException.class, () -> OffHeapRowStore.byteOffset(Long.MAX_VALUE, 64));
    assertThrows(ArithmeticException.class, () -> OffHeapRowStore.byteOffset(1L << 40, 1L << 30));
  }

  @Test
  void storesWhoseByteSizeOverflowsALongAreRejectedWithoutAllocating() {
    assertThrows(RuntimeException.class, () -> OffHeapRowStore.allocate(Long.MAX_VALUE / 10, 128));
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      var seg = arena.allocate(1024);
      assertThrows(RuntimeException.class, () -> OffHeapRowStore.wrap(seg, Long.MAX_VALUE / 100, 128));
    }
  }

  @Test
  void heapChunkAndOffsetOfRowsBeyondTwoToThe31FloatsAreExact() {
    // dim 128: the default chunk holds 2^30 / 128 = 8,388,608 rows
    long perChunk = HeapRowStore.MAX_CHUNK_FLOATS / 128;
    assertEquals(8_388_608L, perChunk);
    long row = 20_000_000; // > 2^31 / 128 = 16,777,216
    assertEquals(2, HeapRowStore.chunkOf(row, perChunk));
    assertEquals(412_516_352, HeapRowStore.offsetInChunk(row, perChunk, 128));
    assertEquals(2, HeapRowStore.chunkOf(16_777_216, perChunk));
    assertEquals(0, HeapRowStore.offsetInChunk(16_777_216, perChunk, 128));
    assertEquals(1, HeapRowStore.chunkOf(16_777_215, perChunk));
    assertEquals((int) (HeapRowStore.MAX_CHUNK_FLOATS - 128), HeapRowStore.offsetInChunk(16_777_215, perChunk, 128));
    // dim 1: rows up to 3e9
    long perChunk1 = HeapRowStore.MAX_CHUNK_FLOATS;
    assertEquals(2, HeapRowStore.chunkOf(3_000_000_000L, perChunk1));
    assertEquals(852_516_352, HeapRowStore.offsetInChunk(3_000_000_000L, perChunk1, 1));
    // dim 300: 3,579,139 rows per chunk
    long perChunk300 = HeapRowStore.MAX_CHUNK_FLOATS / 300;
    assertEquals(3_579_139L, perChunk300);
    assertEquals(2, HeapRowStore.chunkOf(10_000_000, perChunk300));
    assertEquals(852_516_600, HeapRowStore.offsetInChunk(10_000_000, perChunk300, 300));
  }

  @Test
  void heapChunkArithmeticMatchesBigIntegerForRandomLargeRows() {
    SplittableRandom rng = new SplittableRandom(11);
    for (int i = 0; i < 20_000; i++) {
      int dim = rng.nextInt(1, 2049);
      long perChunk = rng.nextBoolean() ? HeapRowStore.MAX_CHUNK_FLOATS / dim : rng.nextLong(1, HeapRowStore.MAX_CHUNK_FLOATS / dim + 1);
      long row = rng.nextLong(TWO_31 / dim, 1L << 42);
      long chunk = HeapRowStore.chunkOf(row, perChunk);
      int off = HeapRowStore.offsetInChunk(row, perChunk, dim);
      BigInteger flat = BigInteger.valueOf(row).multiply(BigInteger.valueOf(dim));
      BigInteger rebuilt =
          BigInteger.valueOf(chunk).multiply(BigInteger.valueOf(perChunk)).multiply(BigInteger.valueOf(dim))
              .add(BigInteger.valueOf(off));
      assertEquals(flat, rebuilt, "row " + row + " dim " + dim + " rowsPerChunk " + perChunk);
      assertTrue(off >= 0 && (long) off + dim <= perChunk * dim, "offset " + off + " outside its chunk");
      assertEquals(0, off % dim);
    }
  }

  @Test
  void lookupOutputsBeyondOneJavaArrayAreRejectedBeforeAllocating() {
    int wide = 1 << 21; // one row of 2M floats (8 MB); 1024 lookups would need 2^31 floats
    try (Embedding emb = Embedding.builder(1, wide).initializer(dev.emb4j.nn.Initializer.constant(1)).build();
        EmbeddingBag bag =
            EmbeddingBag.builder(1, wide).mode(BagMode.SUM).initializer(dev.emb4j.nn.Initializer.constant(1)).build()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> emb.lookup(IndexTensor.of(new long[1024])));
      assertTrue(e.getMessage().contains("1024"), e.getMessage());
      assertThrows(
          IllegalArgumentException.class, () -> bag.lookup(IndexTensor.of(Shape.of(1024, 1), new long[1024])));
      // just under the limit still works for a smaller batch
      assertEquals(Shape.of(2, wide), emb.lookup(IndexTensor.of(0L, 0L)).shape());
    }
  }

  // ---- opt-in: real tables of more than 2^31 floats (mvn -Pbig) ----

  private static final long BIG_ROWS = 16_800_000; // x 128 = 2,150,400,000 floats > 2^31
  private static final int BIG_DIM = 128;

  @Test
  @Tag("big")
  void offHeapStoreOfMoreThanTwoToThe31Floats() {
    assertTrue(BIG_ROWS * BIG_DIM > TWO_31);
    try (OffHeapRowStore store = OffHeapRowStore.allocate(BIG_ROWS, BIG_DIM)) {
      assertTrue(store.sizeInBytes() >= BIG_ROWS * BIG_DIM * 4L);
      checkBigStore(store);
    }
  }

  /**
   * A heap store of more than 2^31 floats needs about 8.6 GB of old generation (the default ParallelGC gives the old
   * generation only about 2/3 of -Xmx): skipped unless the JVM has about 14 GB of heap. (Suggestion for the {@code big}
   * profile: {@code -Xmx16g} instead of {@code -Xmx4g} would make this run, on a machine with 20+ GB of RAM.)
   */
  @Test
  @Tag("big")
  void heapStoreOfMoreThanTwoToThe31Floats() {
    long need = BIG_ROWS * BIG_DIM * 4L;
    assumeTrue(
        Runtime.getRuntime().maxMemory() > need * 3 / 2 + (1L << 30),
        "needs -Xmx of at least " + ((need * 3 / 2 >> 30) + 1) + " GiB; max heap is "
            + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
    HeapRowStore store;
    try {
      store = HeapRowStore.allocate(BIG_ROWS, BIG_DIM);
    } catch (OutOfMemoryError e) {
      store = null;
    }
    assumeTrue(store != null, "the heap could not hold " + (need >> 20) + " MiB at once");
    checkBigStore(store);
  }

  private static void checkBigStore(RowStore store) {
    long mid = TWO_31 / BIG_DIM + 1; // 16,777,217: float offset past 2^31
    long aliasOfMid = mid - TWO_31 / BIG_DIM; // where mid lands if the float offset wrapped at 2^31 (row 1)
    long last = BIG_ROWS - 1;
    float[] r0 = row(1f);
    float[] r1 = row(2f);
    float[] rm = row(3f);
    float[] rl = row(4f);
    store.writeRow(0, r0, 0);
    store.writeRow(aliasOfMid, r1, 0);
    store.writeRow(mid, rm, 0);
    store.writeRow(last, rl, 0);
    store.set(last, BIG_DIM - 1, -42f);
    rl[BIG_DIM - 1] = -42f;
    assertArrayEquals(r0, read(store, 0));
    assertArrayEquals(r1, read(store, aliasOfMid), "row " + aliasOfMid + " was overwritten: offsets wrapped");
    assertArrayEquals(rm, read(store, mid));
    assertArrayEquals(rl, read(store, last));
    assertArrayEquals(new float[BIG_DIM], read(store, mid - 1));
    assertArrayEquals(new float[BIG_DIM], read(store, last - 1));
    assertEquals(-42f, store.get(last, BIG_DIM - 1));
    assertThrows(IllegalStateException.class, store::toTensor, "more than 2^31 floats do not fit one tensor");

    try (Embedding emb = Embedding.wrap(store).build()) {
      FloatTensor out = emb.lookup(IndexTensor.of(last, mid, 0L));
      assertEquals(Shape.of(3, BIG_DIM), out.shape());
      assertArrayEquals(rl, out.row(0));
      assertArrayEquals(rm, out.row(1));
      assertArrayEquals(r0, out.row(2));
    }
    try (EmbeddingBag bag = EmbeddingBag.wrap(store).mode(BagMode.SUM).build()) {
      FloatTensor out = bag.lookup(IndexTensor.of(last, mid), IndexTensor.of(0L)).output();
      float[] expected = new float[BIG_DIM];
      for (int c = 0; c < BIG_DIM; c++) {
        expected[c] = rl[c] + rm[c];
      }
      assertArrayEquals(expected, out.row(0));
    }
    // the caller's store is left open and intact by closing the wrapping tables
    assertArrayEquals(rl, read(store, last));
  }

  private static float[] row(float base) {
    float[] r = new float[BIG_DIM];
    for (int c = 0; c < BIG_DIM; c++) {
      r[c] = base * 1000 + c;
    }
    return r;
  }

  private static float[] read(RowStore store, long row) {
    float[] r = new float[store.dim()];
    store.readRow(row, r, 0);
    return r;
  }

  /**
   * Rows wider than a chunk fit when one array holds the table (no rows at all, as a vector file's header may say),
   * and are refused with the widths when the table would need several chunks.
   */
  @Test
  void rowsWiderThanAChunkFitOneArrayOnly() {
    int wide = (int) HeapRowStore.MAX_CHUNK_FLOATS + 1;
    try (HeapRowStore none = HeapRowStore.allocate(0, wide)) {
      assertEquals(0, none.rows());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> HeapRowStore.allocate(2, wide));
    assertTrue(e.getMessage().contains("exceed the largest heap chunk"), e.getMessage());
  }
}
