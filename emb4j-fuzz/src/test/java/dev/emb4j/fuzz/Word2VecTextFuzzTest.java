package dev.emb4j.fuzz;

import dev.emb4j.io.VectorFormat;
import java.io.IOException;

/** The word2vecText reader: see {@link Contracts#vectorsRoundTrip}. */
class Word2VecTextFuzzTest {
  @Fuzz
  void word2vecText(byte[] data) throws IOException {
    Contracts.vectorsRoundTrip(VectorFormat.WORD2VEC_TEXT, data);
  }
}
