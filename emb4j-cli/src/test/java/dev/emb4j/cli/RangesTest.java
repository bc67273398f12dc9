package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class RangesTest {
  private final Ranges.NonNegative count = new Ranges.NonNegative();

  @Test
  void wholeNumbersMayBeWrittenInScientificNotationOrWithUnderscores() {
    assertEquals(2_000_000, count.convert("2e6"));
    assertEquals(1_000, count.convert("1_000"));
    assertEquals(0, count.convert("0"));
  }

  @Test
  void aValueBeyondTheOptionsTypeSaysTheLargestItTakes() {
    TypeConversionException e = assertThrows(TypeConversionException.class, () -> count.convert("3e9"));
    assertEquals("must be a whole number of at least 0, got '3e9' (the largest is 2147483647)", e.getMessage());
    e = assertThrows(TypeConversionException.class, () -> count.convert("99999999999999999999"));
    assertEquals(
        "must be a whole number of at least 0, got '99999999999999999999' (the largest is 2147483647)", e.getMessage());
  }

  @Test
  void fractionsWordsAndNegativesAreRejected() {
    for (String bad : new String[] {"1.5", "abc", "-1", "1e-3", "NaN"}) {
      TypeConversionException e = assertThrows(TypeConversionException.class, () -> count.convert(bad), bad);
      assertEquals("must be a whole number of at least 0, got '" + bad + "'", e.getMessage());
    }
  }
}
