package dev.emb4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.emb4j.store.Storage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed corpus of malformed files (src/test/resources/malformed, written by make_corpus.py): each one must be
 * rejected with a {@link VectorFormatException} (and nothing else) whose message names the file, says what is wrong,
 * and gives the line or byte offset listed in expected.tsv.
 */
class MalformedCorpusTest {

  record Case(String file, String format, String message, String line, String offset) {
    @Override
    public String toString() {
      return file;
    }
  }

  private static Path dir() throws URISyntaxException {
    return Path.of(MalformedCorpusTest.class.getResource("/malformed/expected.tsv").toURI()).getParent();
  }

  static Stream<Case> cases() throws IOException, URISyntaxException {
    return Files.readAllLines(dir().resolve("expected.tsv")).stream()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> l.split("\t", -1))
        .map(p -> new Case(p[0], p[1], p[2], p[3], p[4]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRejectedWithTheDocumentedException(Case c) throws Exception {
    Path file = dir().resolve(c.file());
    VectorFormat format = VectorFormat.fromName(c.format());
    try {
      Vectors v = Vectors.read(file, format, VectorReadOptions.DEFAULTS, Storage.HEAP);
      fail(c.file() + " was read without an error: " + v);
    } catch (VectorFormatException e) {
      assertEquals(VectorFormatException.class, e.getClass());
      assertTrue(e.getMessage().startsWith(file + ": "), "names the file: " + e.getMessage());
      assertTrue(e.getMessage().contains(c.message()), "expected '" + c.message() + "' in: " + e.getMessage());
      assertEquals(file, e.file());
      assertEquals(expected(c.line()), e.line(), "line in: " + e.getMessage());
      if (!c.offset().equals("-")) {
        assertEquals(expected(c.offset()), e.offset(), "offset in: " + e.getMessage());
      }
    }
  }

  private static OptionalLong expected(String s) {
    return s.equals("-") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(s));
  }

  @Test
  void everyFormatHasMalformedCases() throws Exception {
    List<String> formats = cases().map(Case::format).distinct().sorted().toList();
    assertEquals(List.of("emb4j", "fasttext", "glove", "npy", "safetensors", "word2vec", "word2vec-bin"), formats);
    try (Stream<Path> files = Files.list(dir())) {
      long data = files.filter(p -> !p.getFileName().toString().matches("expected\\.tsv|make_corpus\\.py")).count();
      assertEquals(cases().count(), data, "every file in the corpus is listed in expected.tsv");
    }
  }
}
