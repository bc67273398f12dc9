package dev.emb4j.vocab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FastTextHashTest {

  /**
   * Expected values from a transcription of fastText's {@code Dictionary::hash} (uint32 arithmetic, each byte
   * sign-extended through int8_t); "a" is also the textbook FNV-1a value 0xe40c292c. Non-ASCII tokens differ from
   * textbook FNV-1a because of the sign extension.
   */
  @ParameterizedTest
  @CsvSource({
    "hello, 1335831723",
    "the, 3020861980",
    "</s>, 3617362777",
    "é, 1023043777",
    "日本語, 308035559",
    "a, 3826002220"
  })
  void matchesFastText(String token, long expected) {
    assertEquals(expected, Integer.toUnsignedLong(FastTextHash.hash(token)));
    assertEquals((int) (expected % 2_000_000), FastTextHash.bucket(token, 2_000_000));
  }

  @ParameterizedTest
  @CsvSource({"0", "-3"})
  void rejectsNonPositiveBucketCounts(int buckets) {
    assertThrows(IllegalArgumentException.class, () -> FastTextHash.bucket("x", buckets));
  }
}
