package dev.emb4j.fuzz;

import dev.emb4j.io.VectorFormat;
import java.io.IOException;

/** The fastTextVec reader: see {@link Contracts#vectorsRoundTrip}. */
class FastTextVecFuzzTest {
  @Fuzz
  void fastTextVec(byte[] data) throws IOException {
    Contracts.vectorsRoundTrip(VectorFormat.FASTTEXT_VEC, data);
  }
}
