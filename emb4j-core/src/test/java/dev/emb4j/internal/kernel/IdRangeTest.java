package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class IdRangeTest {
  @Test
  void theEdgesOfTheRange() {
    assertTrue(IdRange.allWithin(new long[] {0, 9, 5}, 10));
    assertFalse(IdRange.allWithin(new long[] {0, 10, 5}, 10));
    assertFalse(IdRange.allWithin(new long[] {0, -1, 5}, 10));
    assertFalse(IdRange.allWithin(new long[] {Long.MIN_VALUE}, 10));
    assertFalse(IdRange.allWithin(new long[] {Long.MAX_VALUE}, Long.MAX_VALUE));
    assertTrue(IdRange.allWithin(new long[] {Long.MAX_VALUE - 1}, Long.MAX_VALUE));
    assertTrue(IdRange.allWithin(new long[0], 0));
    assertFalse(IdRange.allWithin(new long[] {0}, 0));
    assertFalse(IdRange.allWithin(new long[] {0}, Long.MIN_VALUE));
    assertTrue(IdRange.allWithin(new int[] {0, 9}, 10));
    assertFalse(IdRange.allWithin(new int[] {10}, 10));
    assertFalse(IdRange.allWithin(new int[] {Integer.MIN_VALUE}, 10));
    assertTrue(IdRange.allWithin(new int[] {Integer.MAX_VALUE}, 1L << 40));
    assertFalse(IdRange.allWithin(new int[] {-1}, 1L << 40));
    assertFalse(IdRange.allWithin(new int[] {0}, 0));
  }

  @Property
  void agreesWithATestOfEachId(@ForAll("ids") long[] ids, @ForAll("rows") long rows) {
    boolean expected = Arrays.stream(ids).allMatch(id -> id >= 0 && id < rows);
    assertEquals(expected, IdRange.allWithin(ids, rows));
  }

  @Property
  void agreesWithATestOfEachPosition(@ForAll("positions") int[] positions, @ForAll("rows") long count) {
    boolean expected = Arrays.stream(positions).allMatch(r -> r >= 0 && r < count);
    assertEquals(expected, IdRange.allWithin(positions, count));
  }

  @Provide
  Arbitrary<Long> rows() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(-3, 40), Arbitraries.longs(), Arbitraries.of(Long.MAX_VALUE, 1L << 31));
  }

  @Provide
  Arbitrary<long[]> ids() {
    return Arbitraries.oneOf(Arbitraries.longs().between(-2, 40), Arbitraries.longs())
        .array(long[].class)
        .ofMaxSize(70);
  }

  @Provide
  Arbitrary<int[]> positions() {
    return Arbitraries.oneOf(Arbitraries.integers().between(-2, 40), Arbitraries.integers())
        .array(int[].class)
        .ofMaxSize(70);
  }
}
