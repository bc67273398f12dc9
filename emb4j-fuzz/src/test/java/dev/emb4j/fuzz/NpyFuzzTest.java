package dev.emb4j.fuzz;

import dev.emb4j.io.VectorFormat;
import java.io.IOException;

/** The npy reader: see {@link Contracts#vectorsRoundTrip}. */
class NpyFuzzTest {
  @Fuzz
  void npy(byte[] data) throws IOException {
    Contracts.vectorsRoundTrip(VectorFormat.NPY, data);
  }
}
