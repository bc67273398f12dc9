package dev.emb4j.fuzz;

import dev.emb4j.io.VectorFormat;
import java.io.IOException;

/** The emb4jTable reader: see {@link Contracts#vectorsRoundTrip}. */
class Emb4jTableFuzzTest {
  @Fuzz
  void emb4jTable(byte[] data) throws IOException {
    Contracts.vectorsRoundTrip(VectorFormat.EMB4J, data);
  }
}
