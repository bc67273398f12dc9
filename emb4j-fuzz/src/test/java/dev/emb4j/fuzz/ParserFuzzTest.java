package dev.emb4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.emb4j.io.SafeTensorsHeader;
import dev.emb4j.io.VectorFormat;
import dev.emb4j.io.VectorFormatException;
import dev.emb4j.io.VectorReadOptions;
import dev.emb4j.io.VectorWriteOptions;
import dev.emb4j.io.Vectors;
import dev.emb4j.store.Storage;
import dev.emb4j.vocab.Vocabulary;
import dev.emb4j.vocab.VocabularyFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One fuzz target per parser. The contract under test: any byte string either reads (and then writes and reads back
 * to the same tokens and values) or is rejected with {@link VectorFormatException} ({@link
 * VocabularyFormatException} for vocabularies); any other exception, a hang or an
 * out-of-memory is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ=1} each target only replays its seed inputs (a regression run); with it, Jazzer
 * fuzzes the target named by {@code -Dtest=ParserFuzzTest#target} for the annotation's duration. See the README.
 */
class ParserFuzzTest {
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("emb4j-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void check(VectorFormat format, byte[] data) throws IOException {
    Path in = DIR.resolve("in" + format.extension());
    Files.write(in, data);
    Vectors v;
    try {
      v = Vectors.read(in, format, VectorReadOptions.DEFAULTS, Storage.HEAP);
    } catch (VectorFormatException expected) {
      return;
    }
    if (v.size() * v.dim() > 1 << 22) {
      return; // big but valid: the round trip adds nothing
    }
    Path out = DIR.resolve("out" + format.extension());
    v.write(out, format, VectorWriteOptions.DEFAULTS);
    Vectors back = Vectors.read(out, format, VectorReadOptions.DEFAULTS, Storage.HEAP);
    assertEquals(v.tokens(), back.tokens());
    assertArrayEquals(v.table().toTensor().data(), back.table().toTensor().data());
  }

  @FuzzTest(maxDuration = "60s")
  void word2vecText(byte[] data) throws IOException {
    check(VectorFormat.WORD2VEC_TEXT, data);
  }

  @FuzzTest(maxDuration = "60s")
  void glove(byte[] data) throws IOException {
    check(VectorFormat.GLOVE, data);
  }

  @FuzzTest(maxDuration = "60s")
  void fastTextVec(byte[] data) throws IOException {
    check(VectorFormat.FASTTEXT_VEC, data);
  }

  @FuzzTest(maxDuration = "60s")
  void word2vecBinary(byte[] data) throws IOException {
    check(VectorFormat.WORD2VEC_BINARY, data);
  }

  @FuzzTest(maxDuration = "60s")
  void npy(byte[] data) throws IOException {
    check(VectorFormat.NPY, data);
  }

  @FuzzTest(maxDuration = "60s")
  void safetensors(byte[] data) throws IOException {
    check(VectorFormat.SAFETENSORS, data);
    Path in = DIR.resolve("header.safetensors");
    Files.write(in, data);
    try {
      SafeTensorsHeader.read(in);
    } catch (VectorFormatException expected) {
      // rejected cleanly
    }
  }

  @FuzzTest(maxDuration = "60s")
  void emb4jTable(byte[] data) throws IOException {
    check(VectorFormat.EMB4J, data);
  }

  @FuzzTest(maxDuration = "60s")
  void vocabulary(byte[] data) throws IOException {
    Path in = DIR.resolve("in.vocab");
    Files.write(in, data);
    Vocabulary v;
    try {
      v = Vocabulary.load(in);
    } catch (VocabularyFormatException expected) {
      return;
    }
    Path out = DIR.resolve("out.vocab");
    v.save(out);
    assertEquals(v, Vocabulary.load(out));
  }
}
