package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RowOffsetsTest {
  @Test
  void offsetsOfARangeStartAtItsFirstIdAndMarkPadding() {
    long[] ids = {4, 0, 2, 9, 2, 5};
    int[] offsets = RowOffsets.of(ids, 1, 5, 12, 128, 2);
    assertArrayEquals(new int[] {12, RowOffsets.SKIP, 12 + 9 * 128, RowOffsets.SKIP}, Arrays.copyOf(offsets, 4));
  }

  @Test
  void theThreadKeepsItsBufferBetweenCallsUpToTheCap() {
    int[] first = RowOffsets.of(new long[10], 0, 10, 0, 4, -1);
    assertSame(first, RowOffsets.of(new long[20], 0, 20, 0, 4, -1));
    int over = RowOffsets.MAX_KEPT_INTS + 1;
    int[] big = RowOffsets.of(new long[over], 0, over, 0, 1, -1);
    assertEquals(over, big.length);
    assertSame(first, RowOffsets.of(new long[5], 0, 5, 0, 4, -1), "a buffer over the cap is not kept");
  }
}
