package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The system property that forces a vector width: the values it takes and the message for the others. */
class KernelProviderTest {

  @Test
  void vectorBitsTakes128To512AndNamesAnyOtherValue() {
    String saved = System.getProperty(KernelProvider.VECTOR_BITS);
    try {
      System.setProperty(KernelProvider.VECTOR_BITS, " 256 ");
      assertEquals(256, KernelProvider.forcedVectorBits());
      System.clearProperty(KernelProvider.VECTOR_BITS);
      assertEquals(0, KernelProvider.forcedVectorBits());
      System.setProperty(KernelProvider.VECTOR_BITS, "96");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, KernelProvider::forcedVectorBits);
      assertEquals("system property emb4j.vectorBits must be 128, 256 or 512, got '96'", e.getMessage());
    } finally {
      if (saved == null) {
        System.clearProperty(KernelProvider.VECTOR_BITS);
      } else {
        System.setProperty(KernelProvider.VECTOR_BITS, saved);
      }
    }
  }
}
