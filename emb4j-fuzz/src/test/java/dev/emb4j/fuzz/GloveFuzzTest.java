package dev.emb4j.fuzz;

import dev.emb4j.io.VectorFormat;
import java.io.IOException;

/** The glove reader: see {@link Contracts#vectorsRoundTrip}. */
class GloveFuzzTest {
  @Fuzz
  void glove(byte[] data) throws IOException {
    Contracts.vectorsRoundTrip(VectorFormat.GLOVE, data);
  }
}
