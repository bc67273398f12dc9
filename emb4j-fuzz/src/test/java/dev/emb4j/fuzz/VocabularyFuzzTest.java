package dev.emb4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emb4j.vocab.Vocabulary;
import dev.emb4j.vocab.VocabularyFormatException;
import java.io.IOException;
import java.nio.file.Path;

/** The vocabulary reader: a file loads and round-trips, or is rejected with {@link VocabularyFormatException}. */
class VocabularyFuzzTest {
  @Fuzz
  void vocabulary(byte[] data) throws IOException {
    Path in = Contracts.file("in.vocab", data);
    Vocabulary v;
    try {
      v = Vocabulary.load(in);
    } catch (VocabularyFormatException expected) {
      return;
    }
    Path out = Contracts.DIR.resolve("out.vocab");
    v.save(out);
    assertEquals(v, Vocabulary.load(out));
  }
}
