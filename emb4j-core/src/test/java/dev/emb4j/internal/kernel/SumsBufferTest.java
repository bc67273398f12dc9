package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SumsBufferTest {

  @Test
  void aThreadKeepsItsBufferGrowsItWhenNeededAndDoesNotKeepHugeOnes() throws Exception {
    float[] first = SumsBuffer.atLeast(1000);
    assertTrue(first.length >= 1000);
    assertSame(first, SumsBuffer.atLeast(10), "a smaller request reuses the kept buffer");
    float[] bigger = SumsBuffer.atLeast(first.length + 1);
    assertEquals(first.length + 1, bigger.length);
    assertSame(bigger, SumsBuffer.atLeast(first.length));
    float[] other = CompletableFuture.supplyAsync(() -> SumsBuffer.atLeast(10)).get();
    assertNotSame(bigger, other, "each thread has its own buffer");
    float[] huge = SumsBuffer.atLeast(SumsBuffer.MAX_KEPT_FLOATS + 1);
    assertNotSame(huge, SumsBuffer.atLeast(SumsBuffer.MAX_KEPT_FLOATS + 1), "buffers above the cap are not kept");
    assertSame(bigger, SumsBuffer.atLeast(10), "and do not replace the kept one");
  }
}
