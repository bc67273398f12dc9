package dev.emb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The {@link RowStore} contract, run against every store implementation through one factory per kind: heap
 * (default and tiny chunks, so rows cross chunk boundaries), heap over caller memory, off-heap allocated and off-heap
 * over caller memory, mapped files, and lazy stores over the heap and over a mapped file; heap and off-heap again with
 * 16-bit rows (F16, BF16), whose expected values are the float32 results rounded to nearest ({@link DType#encode}).
 */
class RowStoreContractTest {

  static final int[] DIMS = {1, 3, 17, 128, 300};
  static final long ROWS = 10;

  /** The contract. Each nested class supplies a factory for zero-filled stores. */
  abstract static class Contract {
    private final List<RowStore> created = new ArrayList<>();
    final List<Arena> arenas = new ArrayList<>();

    /** A zero-filled store of {@code rows x dim} of this kind. */
    abstract RowStore newStore(long rows, int dim);

    /** The element type of this kind's stores. */
    DType dtype() {
      return DType.F32;
    }

    /** {@code x} as the store keeps it: rounded to nearest in its dtype. */
    float q(float x) {
      return dtype().decode(dtype().encode(x));
    }

    /** Whether using the store after close() must throw (allocated off-heap memory is freed). */
    boolean closeFreesMemory() {
      return false;
    }

    /** Whether this kind of factory can be asked for a negative row count. */
    boolean acceptsRowCountArgument() {
      return true;
    }

    RowStore store(long rows, int dim) {
      RowStore s = newStore(rows, dim);
      created.add(s);
      return s;
    }

    @AfterEach
    void release() {
      for (RowStore s : created) {
        s.close();
      }
      for (Arena a : arenas) {
        if (a.scope().isAlive()) {
          a.close();
        }
      }
    }

    static float value(long row, int col) {
      return (float) (row * 1000 + col + 0.25);
    }

    @Test
    void reportsItsShapeAndSize() {
      for (int dim : DIMS) {
        RowStore s = store(ROWS, dim);
        assertEquals(ROWS, s.rows(), "rows of " + s);
        assertEquals(dim, s.dim(), "dim of " + s);
        assertEquals(dtype(), s.dtype(), "dtype of " + s);
        assertTrue(s.sizeInBytes() >= ROWS * dim * dtype().bytes(), "sizeInBytes of " + s + ": " + s.sizeInBytes());
      }
    }

    @Test
    void isZeroFilledOnCreation() {
      for (int dim : DIMS) {
        RowStore s = store(ROWS, dim);
        float[] row = new float[dim];
        for (long r = 0; r < ROWS; r++) {
          for (int c = 0; c < dim; c++) {
            assertEquals(0f, s.get(r, c), "get(" + r + ", " + c + ") of " + s);
          }
          java.util.Arrays.fill(row, 7f);
          s.readRow(r, row, 0);
          assertArrayEquals(new float[dim], row, "readRow(" + r + ") of " + s);
        }
        assertArrayEquals(new float[(int) ROWS * dim], s.toTensor().data());
      }
    }

    @Test
    void setThenGetEveryCell() {
      for (int dim : DIMS) {
        RowStore s = store(ROWS, dim);
        for (long r = 0; r < ROWS; r++) {
          for (int c = 0; c < dim; c++) {
            s.set(r, c, value(r, c));
          }
        }
        for (long r = 0; r < ROWS; r++) {
          for (int c = 0; c < dim; c++) {
            assertEquals(q(value(r, c)), s.get(r, c), "cell (" + r + ", " + c + ") of " + s);
          }
        }
      }
    }

    @Test
    void setTouchesOnlyItsCell() {
      for (int dim : DIMS) {
        RowStore s = store(ROWS, dim);
        s.set(4, dim - 1, 9f);
        s.set(5, 0, -3f);
        FloatTensor t = s.toTensor();
        for (int i = 0; i < t.numel(); i++) {
          float expected = i == 4 * dim + dim - 1 ? 9f : i == 5 * dim ? -3f : 0f;
          assertEquals(expected, t.get(i), "flat " + i + " of " + s);
        }
      }
    }

    @Test
    void writeRowThenReadRowWithOffsets() {
      for (int dim : DIMS) {
        RowStore s = store(ROWS, dim);
        for (long r = 0; r < ROWS; r++) {
          float[] src = new float[dim + 5];
          java.util.Arrays.fill(src, Float.NaN);
          for (int c = 0; c < dim; c++) {
            src[3 + c] = value(r, c);
          }
          s.writeRow(r, src, 3);
        }
        for (long r = ROWS - 1; r >= 0; r--) {
          float[] dst = new float[dim + 4];
          java.util.Arrays.fill(dst, -1f);
          s.readRow(r, dst, 2);
          assertEquals(-1f, dst[0]);
          assertEquals(-1f, dst[1]);
          assertEquals(-1f, dst[dim + 2], "readRow wrote past its row");
          assertEquals(-1f, dst[dim + 3]);
          for (int c = 0; c < dim; c++) {
            assertEquals(q(value(r, c)), dst[2 + c], "row " + r + " col " + c + " of " + s);
            assertEquals(q(value(r, c)), s.get(r, c));
          }
        }
      }
    }

    @Test
    void accumulateRowAddsAScaledRowIntoTheDestination() {
      SplittableRandom rng = new SplittableRandom(1);
      for (int dim : DIMS) {
        RowStore s = store(ROWS, dim);
        fillRandom(s, rng);
        FloatTensor before = s.toTensor();
        long r = ROWS - 2;
        float scale = -1.75f;
        float[] dst = new float[dim + 3];
        for (int i = 0; i < dst.length; i++) {
          dst[i] = (float) rng.nextDouble(-4, 4);
        }
        float[] expected = dst.clone();
        for (int c = 0; c < dim; c++) {
          expected[1 + c] = expected[1 + c] + scale * s.get(r, c);
        }
        s.accumulateRow(r, scale, dst, 1);
        assertArrayEquals(expected, dst, "accumulateRow on " + s);
        assertEquals(before, s.toTensor(), "accumulateRow must not change the store");
      }
    }

    @Test
    void addToRowAddsAScaledSourceIntoOneRow() {
      SplittableRandom rng = new SplittableRandom(2);
      for (int dim : DIMS) {
        RowStore s = store(ROWS, dim);
        fillRandom(s, rng);
        float[] before = s.toTensor().data();
        long r = 3;
        float scale = 0.5f;
        float[] src = new float[dim + 2];
        for (int i = 0; i < src.length; i++) {
          src[i] = (float) rng.nextDouble(-4, 4);
        }
        float[] srcCopy = src.clone();
        s.addToRow(r, scale, src, 1);
        float[] after = s.toTensor().data();
        for (int i = 0; i < after.length; i++) {
          int row = i / dim;
          int col = i % dim;
          float expected = row == r ? q(before[i] + scale * src[1 + col]) : before[i];
          assertEquals(expected, after[i], "flat " + i + " after addToRow(" + r + ") on " + s);
        }
        assertArrayEquals(srcCopy, src, "addToRow must not change its source");
      }
    }

    @Test
    void scaleRowScalesOnlyThatRow() {
      SplittableRandom rng = new SplittableRandom(3);
      for (int dim : DIMS) {
        RowStore s = store(ROWS, dim);
        fillRandom(s, rng);
        float[] before = s.toTensor().data();
        long r = ROWS - 1;
        s.scaleRow(r, -0.3f);
        s.scaleRow(0, 0f);
        float[] after = s.toTensor().data();
        for (int i = 0; i < after.length; i++) {
          int row = i / dim;
          float expected = row == r ? q(before[i] * -0.3f) : row == 0 ? before[i] * 0f : before[i];
          assertEquals(expected, after[i], "flat " + i + " of " + s);
        }
      }
    }

    @Test
    void toTensorIsARowMajorCopy() {
      for (int dim : DIMS) {
        RowStore s = store(ROWS, dim);
        for (long r = 0; r < ROWS; r++) {
          for (int c = 0; c < dim; c++) {
            s.set(r, c, value(r, c));
          }
        }
        FloatTensor t = s.toTensor();
        assertEquals(Shape.of((int) ROWS, dim), t.shape());
        for (int r = 0; r < ROWS; r++) {
          for (int c = 0; c < dim; c++) {
            assertEquals(q(value(r, c)), t.at(r, c));
          }
        }
        t.set(0, 12345f);
        assertEquals(q(value(0, 0)), s.get(0, 0), "toTensor must return a copy");
      }
    }

    @Test
    void zeroRows() {
      for (int dim : DIMS) {
        RowStore s = store(0, dim);
        assertEquals(0, s.rows());
        assertEquals(dim, s.dim());
        assertTrue(s.sizeInBytes() >= 0);
        FloatTensor t = s.toTensor();
        assertEquals(Shape.of(0, dim), t.shape());
        assertEquals(0, t.numel());
      }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsDetectedWhereMemoryIsFreed() {
      RowStore s = newStore(ROWS, 5);
      s.set(1, 1, 2f);
      s.close();
      assertDoesNotThrow(s::close, "a second close must be harmless");
      if (closeFreesMemory()) {
        assertThrows(IllegalStateException.class, () -> s.get(1, 1));
        assertThrows(IllegalStateException.class, () -> s.set(1, 1, 3f));
        assertThrows(IllegalStateException.class, () -> s.readRow(1, new float[5], 0));
        assertThrows(IllegalStateException.class, () -> s.writeRow(1, new float[5], 0));
        assertThrows(IllegalStateException.class, () -> s.accumulateRow(1, 1f, new float[5], 0));
        assertThrows(IllegalStateException.class, () -> s.addToRow(1, 1f, new float[5], 0));
        assertThrows(IllegalStateException.class, () -> s.scaleRow(1, 2f));
        assertThrows(IllegalStateException.class, s::toTensor);
      } else {
        // heap memory and caller memory stay readable; the values are still there
        assertEquals(2f, s.get(1, 1));
      }
    }

    @Test
    void negativeRowCountIsRejectedWithTheValueInTheMessage() {
      if (!acceptsRowCountArgument()) {
        return; // wrap(float[], dim) derives the row count from the array: see the dim test
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> newStore(-3, 4));
      assertTrue(e.getMessage().contains("-3"), e.getMessage());
    }

    @Test
    void nonPositiveDimIsRejectedWithTheValueInTheMessage() {
      IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> newStore(4, 0));
      assertTrue(zero.getMessage().contains("0"), zero.getMessage());
      IllegalArgumentException neg = assertThrows(IllegalArgumentException.class, () -> newStore(0, -7));
      assertTrue(neg.getMessage().contains("-7"), neg.getMessage());
    }

    static void fillRandom(RowStore s, SplittableRandom rng) {
      float[] row = new float[s.dim()];
      for (long r = 0; r < s.rows(); r++) {
        for (int c = 0; c < row.length; c++) {
          row[c] = (float) rng.nextDouble(-10, 10);
        }
        s.writeRow(r, row, 0);
      }
    }
  }

  /** Stores whose close frees what they hold (a mapping, a bitmap), with a directory for their files. */
  abstract static class ClosingContract extends Contract {
    @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir;
    private int files;

    java.nio.file.Path newFile() {
      return dir.resolve("t" + files++ + ".emb4j");
    }

    @Override
    boolean closeFreesMemory() {
      return true;
    }
  }

  @Nested
  class Mapped extends ClosingContract {
    @Override
    RowStore newStore(long rows, int dim) {
      return Storage.mapped(newFile()).allocate(rows, dim);
    }
  }

  /** Lazy rows whose initial values are zeros: the contract of a zero-filled store, over the heap and over a file. */
  @Nested
  class LazyOverHeap extends ClosingContract {
    @Override
    RowStore newStore(long rows, int dim) {
      return Storage.HEAP.allocateLazy(rows, dim, RowInit.constant(0));
    }
  }

  @Nested
  class LazyMapped extends ClosingContract {
    @Override
    RowStore newStore(long rows, int dim) {
      return Storage.mapped(newFile()).allocateLazy(rows, dim, RowInit.constant(0));
    }
  }

  @Nested
  class HeapAllocated extends Contract {
    @Override
    RowStore newStore(long rows, int dim) {
      return HeapRowStore.allocate(rows, dim);
    }
  }

  @Nested
  class HeapTinyChunks extends Contract {
    @Override
    RowStore newStore(long rows, int dim) {
      return HeapRowStore.allocate(rows, dim, 3);
    }

    @Test
    void rowsOnBothSidesOfEveryChunkBoundaryAreIndependent() {
      HeapRowStore s = (HeapRowStore) store(ROWS, 4);
      assertTrue(s.toString().contains("4 chunks"), s.toString());
      for (long r = 0; r < ROWS; r++) {
        s.writeRow(r, new float[] {r, -r, r + 0.5f, 100 + r}, 0);
      }
      for (long r = 0; r < ROWS; r++) {
        float[] got = new float[4];
        s.readRow(r, got, 0);
        assertArrayEquals(new float[] {r, -r, r + 0.5f, 100 + r}, got, "row " + r);
      }
    }

    @Test
    void invalidChunkSizeIsRejected() {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> HeapRowStore.allocate(10, 4, 0));
      assertTrue(e.getMessage().contains("0"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> HeapRowStore.allocate(10, 4, HeapRowStore.MAX_CHUNK_FLOATS));
    }
  }

  @Nested
  class HeapWrapped extends Contract {
    @Override
    RowStore newStore(long rows, int dim) {
      return HeapRowStore.wrap(new float[Math.toIntExact(Math.max(rows, 0) * Math.max(dim, 0))], dim);
    }

    @Override
    boolean acceptsRowCountArgument() {
      return false;
    }

    @Test
    void sharesTheCallersArrayBothWays() {
      float[] data = new float[12];
      HeapRowStore s = HeapRowStore.wrap(data, 3);
      assertEquals(4, s.rows());
      s.set(2, 1, 5f);
      assertEquals(5f, data[7]);
      data[11] = -2f;
      assertEquals(-2f, s.get(3, 2));
      s.close();
      data[0] = 1f;
      assertEquals(5f, data[7], "closing a wrapped store leaves the caller's array intact");
    }

    @Test
    void raggedDataIsRejected() {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> HeapRowStore.wrap(new float[10], 3));
      assertTrue(e.getMessage().contains("10"), e.getMessage());
    }
  }

  @Nested
  class HeapBf16 extends Contract {
    @Override
    DType dtype() {
      return DType.BF16;
    }

    @Override
    RowStore newStore(long rows, int dim) {
      return HeapRowStore.allocate(rows, dim, DType.BF16);
    }
  }

  @Nested
  class HeapF16TinyChunks extends Contract {
    @Override
    DType dtype() {
      return DType.F16;
    }

    @Override
    RowStore newStore(long rows, int dim) {
      return HeapRowStore.allocate(rows, dim, 3, DType.F16);
    }

    @Test
    void halvesTheBytesAndRoundsWritesToNearest() {
      RowStore s = store(ROWS, 128);
      assertEquals(ROWS * 128 * 2, s.sizeInBytes());
      s.set(0, 0, 1f + 0x1p-11f); // a tie between 1 and 1 + 2^-10: to even
      s.set(0, 1, 1f + 0x1p-11f + 0x1p-20f);
      s.set(0, 2, 70000f); // beyond 65504: an infinity, as PyTorch's .half()
      assertEquals(1f, s.get(0, 0));
      assertEquals(1f + 0x1p-10f, s.get(0, 1));
      assertEquals(Float.POSITIVE_INFINITY, s.get(0, 2));
    }
  }

  /** Allocated off-heap stores of 16-bit rows. */
  abstract static class OffHeapSixteenBit extends OffHeapContract {
    @Override
    RowStore newStore(long rows, int dim) {
      return OffHeapRowStore.allocate(rows, dim, dtype());
    }

    @Override
    boolean closeFreesMemory() {
      return true;
    }
  }

  @Nested
  class OffHeapBf16 extends OffHeapSixteenBit {
    @Override
    DType dtype() {
      return DType.BF16;
    }
  }

  @Nested
  class OffHeapF16 extends OffHeapSixteenBit {
    @Override
    DType dtype() {
      return DType.F16;
    }

    @Test
    void rowsOfSixteenBitsStartOnA64ByteBoundary() {
      for (int dim : DIMS) {
        OffHeapRowStore s = (OffHeapRowStore) store(ROWS, dim);
        assertEquals((dim * 2 + 63) / 64 * 64, s.strideBytes(), "stride of dim " + dim);
        assertEquals(0, s.segment().address() % 64);
      }
    }
  }

  /** Checks common to both off-heap kinds. */
  abstract static class OffHeapContract extends Contract {
    @Test
    void rowsAreAtStrideIntervalsAndPaddingIsUntouched() {
      SplittableRandom rng = new SplittableRandom(4);
      int eb = dtype().bytes();
      for (int dim : DIMS) {
        OffHeapRowStore s = (OffHeapRowStore) store(ROWS, dim);
        long stride = s.strideBytes();
        assertTrue(stride >= (long) dim * eb, "stride " + stride + " for dim " + dim);
        MemorySegment seg = s.segment();
        assertTrue(seg.byteSize() >= (ROWS - 1) * stride + (long) dim * eb, "segment too small");
        // sentinels in every padding element
        int padElements = (int) (stride / eb) - dim;
        for (long r = 0; r < ROWS; r++) {
          for (int p = 0; p < padElements; p++) {
            long at = r * stride + (long) (dim + p) * eb;
            if (at + eb <= seg.byteSize()) {
              setElement(seg, at, 1000f + p);
            }
          }
        }
        fillRandom(s, rng);
        for (long r = 0; r < ROWS; r++) {
          s.set(r, dim - 1, 4f);
          s.addToRow(r, 2f, new float[dim + 1], 0);
          s.scaleRow(r, 0.5f);
          float[] ones = new float[dim];
          java.util.Arrays.fill(ones, 1f);
          s.addToRow(r, 1f, ones, 0);
        }
        FloatTensor t = s.toTensor();
        for (long r = 0; r < ROWS; r++) {
          for (int c = 0; c < dim; c++) {
            assertEquals(
                t.at((int) r, c), element(seg, r * stride + (long) c * eb),
                "row " + r + " col " + c + " is not at r * stride + c * " + eb);
          }
          for (int p = 0; p < padElements; p++) {
            long at = r * stride + (long) (dim + p) * eb;
            if (at + eb <= seg.byteSize()) {
              assertEquals(q(1000f + p), element(seg, at), "padding element " + p + " of row " + r);
            }
          }
        }
      }
    }

    private float element(MemorySegment seg, long at) {
      return dtype() == DType.F32 ? seg.get(ValueLayout.JAVA_FLOAT, at) : dtype().decode(seg.get(ValueLayout.JAVA_SHORT, at));
    }

    private void setElement(MemorySegment seg, long at, float value) {
      if (dtype() == DType.F32) {
        seg.set(ValueLayout.JAVA_FLOAT, at, value);
      } else {
        seg.set(ValueLayout.JAVA_SHORT, at, (short) dtype().encode(value));
      }
    }
  }

  @Nested
  class OffHeapAllocated extends OffHeapContract {
    @Override
    RowStore newStore(long rows, int dim) {
      return OffHeapRowStore.allocate(rows, dim);
    }

    @Override
    boolean closeFreesMemory() {
      return true;
    }

    @Test
    void everyRowStartsOnA64ByteBoundary() {
      for (int dim : DIMS) {
        OffHeapRowStore s = (OffHeapRowStore) store(ROWS, dim);
        assertEquals(OffHeapRowStore.paddedStrideBytes(dim), s.strideBytes());
        assertEquals(0, s.strideBytes() % OffHeapRowStore.ROW_ALIGNMENT_BYTES, "stride " + s.strideBytes());
        long base = s.segment().address();
        for (long r = 0; r < ROWS; r++) {
          assertEquals(0, (base + r * s.strideBytes()) % 64, "row " + r + " of dim " + dim + " is not aligned");
        }
        assertTrue(s.segment().byteSize() >= ROWS * s.strideBytes());
      }
    }

    @Test
    void paddingFloatsOfAFreshStoreAreZero() {
      OffHeapRowStore s = (OffHeapRowStore) store(ROWS, 3);
      for (long off = 0; off < ROWS * s.strideBytes(); off += Float.BYTES) {
        assertEquals(0f, s.segment().get(ValueLayout.JAVA_FLOAT, off), "byte offset " + off);
      }
    }
  }

  @Nested
  class OffHeapWrapped extends OffHeapContract {
    @Override
    RowStore newStore(long rows, int dim) {
      Arena arena = Arena.ofShared();
      arenas.add(arena);
      long bytes = Math.max(0, rows) * Math.max(0, dim) * Float.BYTES;
      return OffHeapRowStore.wrap(arena.allocate(Math.max(bytes, 4), Float.BYTES), rows, dim);
    }

    @Test
    void sharesTheCallersSegmentAndClosingLeavesItUsable() {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment seg = arena.allocate(4L * 6 * Float.BYTES, 64);
        OffHeapRowStore s = OffHeapRowStore.wrap(seg, 4, 6);
        assertEquals(6L * Float.BYTES, s.strideBytes(), "wrapped rows are packed");
        s.set(3, 5, 8f);
        assertEquals(8f, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 23));
        seg.setAtIndex(ValueLayout.JAVA_FLOAT, 6, -1f);
        assertEquals(-1f, s.get(1, 0));
        s.close();
        assertTrue(arena.scope().isAlive(), "closing a wrapped store must not close the caller's arena");
        seg.setAtIndex(ValueLayout.JAVA_FLOAT, 0, 3f);
        assertEquals(3f, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
        assertEquals(8f, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 23));
        assertEquals(8f, s.get(3, 5), "a wrapped store stays readable while the caller's memory lives");
      }
    }

    @Test
    void wrapsAHeapSegmentOfAFloatArray() {
      float[] data = new float[12];
      OffHeapRowStore s = OffHeapRowStore.wrap(MemorySegment.ofArray(data), 3, 4);
      s.set(2, 3, 6f);
      assertEquals(6f, data[11]);
      data[4] = -5f;
      assertEquals(-5f, s.get(1, 0));
      assertArrayEquals(data, s.toTensor().data());
    }

    @Test
    void misalignedNativeSegmentIsRejected() {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment seg = arena.allocate(64, 64).asSlice(1);
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> OffHeapRowStore.wrap(seg, 2, 3));
        assertTrue(e.getMessage().contains(Long.toString(seg.address())), e.getMessage());
      }
    }

    @Test
    void tooSmallSegmentIsRejected() {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment seg = arena.allocate(10L * Float.BYTES, 4);
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> OffHeapRowStore.wrap(seg, 4, 3));
        assertTrue(e.getMessage().contains("40"), e.getMessage());
      }
    }
  }
}
