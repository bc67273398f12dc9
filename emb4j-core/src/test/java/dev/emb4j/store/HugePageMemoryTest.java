package dev.emb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.kernel.StoreMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HugePageMemoryTest {

  @Test
  void theModeFileIsReadAsTheKernelWritesIt(@TempDir Path dir) throws IOException {
    Path mode = dir.resolve("enabled");
    Files.writeString(mode, "always [madvise] never\n");
    assertTrue(HugePageMemory.offered(mode));
    Files.writeString(mode, "[always] madvise never\n");
    assertTrue(HugePageMemory.offered(mode));
    Files.writeString(mode, "always madvise [never]\n");
    assertFalse(HugePageMemory.offered(mode));
    assertFalse(HugePageMemory.offered(dir.resolve("missing")));
  }

  @Test
  void smallRequestsAreLeftToTheArena() {
    try (Arena arena = Arena.ofConfined()) {
      assertNull(HugePageMemory.allocate(HugePageMemory.MIN_BYTES - 1, arena));
    }
  }

  @Test
  void aHugePageAllocationIsZeroedAlignedAndUnmappedWithItsArena() {
    long bytes = HugePageMemory.MIN_BYTES + 12_344;
    Arena arena = Arena.ofShared();
    MemorySegment seg = HugePageMemory.allocate(bytes, arena);
    if (!HugePageMemory.available()) {
      assertNull(seg, "no huge pages here (not Linux, no THP, or no native access): the arena allocates");
      arena.close();
      return;
    }
    assertEquals(bytes, seg.byteSize());
    assertEquals(0, seg.address() % HugePageMemory.HUGE_PAGE_BYTES, "starts on a huge page");
    for (long off = 0; off < bytes - 4; off += 4099) {
      assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, off), "zero at " + off);
    }
    seg.set(ValueLayout.JAVA_FLOAT, bytes - 4, 7f);
    assertEquals(7f, seg.get(ValueLayout.JAVA_FLOAT, bytes - 4));
    arena.close();
    assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_FLOAT, 0));
  }

  @Test
  void largeOffHeapStoresUseHugePagesWhereTheyCanAndBehaveAsAnyStore() {
    long rows = 20_000;
    int dim = 130; // padded to 144 floats: 11.5 MB, above the huge-page threshold
    OffHeapRowStore store = OffHeapRowStore.allocate(rows, dim);
    MemorySegment seg = StoreMemory.of(store).orElseThrow().single();
    if (HugePageMemory.available()) {
      assertEquals(0, seg.address() % HugePageMemory.HUGE_PAGE_BYTES);
    }
    float[] row = new float[dim];
    store.readRow(rows - 1, row, 0);
    assertArrayEquals(new float[dim], row);
    for (int j = 0; j < dim; j++) {
      row[j] = j;
    }
    store.writeRow(rows - 1, row, 0);
    float[] back = new float[dim];
    store.readRow(rows - 1, back, 0);
    assertArrayEquals(row, back);
    store.close();
    assertThrows(IllegalStateException.class, () -> store.readRow(0, back, 0));
  }
}
