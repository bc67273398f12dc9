package dev.emb4j.fuzz;

import dev.emb4j.io.VectorFormat;
import java.io.IOException;

/** The word2vecBinary reader: see {@link Contracts#vectorsRoundTrip}. */
class Word2VecBinaryFuzzTest {
  @Fuzz
  void word2vecBinary(byte[] data) throws IOException {
    Contracts.vectorsRoundTrip(VectorFormat.WORD2VEC_BINARY, data);
  }
}
