package dev.emb4j.vocab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
  private static final List<String> CORPUS =
      List.of("the cat sat on the mat the end cat dog bird".split(" "));

  @TempDir Path dir;

  @Test
  void specialsFirstThenByFallingCountWithTiesByToken() {
    Vocabulary v = Vocabulary.builder().padding("<pad>").unknown("<unk>").addAll(CORPUS).build();
    // the x3, cat x2, then the singletons in String order
    assertEquals(List.of("<pad>", "<unk>", "the", "cat", "bird", "dog", "end", "mat", "on", "sat"), v.tokens());
    assertEquals(OptionalInt.of(0), v.paddingId());
    assertEquals(OptionalInt.of(1), v.unknownId());
    assertEquals(2, v.id("the"));
    assertEquals("cat", v.token(3));
  }

  @Test
  void orderDoesNotDependOnTheCorpusOrder() {
    List<String> shuffled = new ArrayList<>(CORPUS);
    Collections.shuffle(shuffled, new Random(7));
    assertEquals(
        Vocabulary.builder().addAll(CORPUS).build(), Vocabulary.builder().addAll(shuffled).build());
  }

  @Test
  void minCountAndMaxSize() {
    Vocabulary v = Vocabulary.builder().unknown("<unk>").minCount(2).addAll(CORPUS).build();
    assertEquals(List.of("<unk>", "the", "cat"), v.tokens());
    Vocabulary w = Vocabulary.builder().padding("<pad>").maxSize(3).addAll(CORPUS).build();
    assertEquals(List.of("<pad>", "the", "cat"), w.tokens());
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().padding("p").unknown("u").maxSize(1).build());
  }

  @Test
  void errorPolicyNamesTheToken() {
    Vocabulary v = Vocabulary.of(List.of("a", "b"));
    OutOfVocabularyException e = assertThrows(OutOfVocabularyException.class, () -> v.id("zyzzyva"));
    assertEquals("zyzzyva", e.token());
    assertTrue(e.getMessage().contains("'zyzzyva'"), e.getMessage());
    assertTrue(e.getMessage().contains("2 tokens"), e.getMessage());
  }

  @Test
  void unknownPolicyMapsToTheUnknownRow() {
    Vocabulary v = Vocabulary.builder().padding("<pad>").unknown("<unk>").oov(OovPolicy.UNKNOWN).addAll(CORPUS).build();
    assertArrayEquals(new long[] {2, 1, 3}, v.encode(List.of("the", "zebra", "cat")).toLongArray());
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("a")).withOov(OovPolicy.UNKNOWN, 0));
  }

  @Test
  void hashPolicyUsesFastTextBucketsAfterTheTokens() {
    Vocabulary v = Vocabulary.builder().addAll(CORPUS).hashBuckets(100).build();
    assertEquals(CORPUS.stream().distinct().count() + 100, v.tableRows());
    int id = v.id("hello");
    assertEquals(v.size() + (int) (1335831723L % 100), id);
    assertEquals(id, v.id("hello"));
    assertFalse(v.contains("hello"));
    assertThrows(IndexOutOfBoundsException.class, () -> v.token(id));
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("a")).withOov(OovPolicy.HASH, 0));
  }

  @Test
  void rejectsDuplicateAndEmptyTokens() {
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("a", "b", "a")));
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("a", "")));
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().padding("x").unknown("x").build());
  }

  @Test
  void savesAndLoadsEverything() throws IOException {
    Vocabulary v =
        Vocabulary.builder()
            .padding("<pad>")
            .unknown("<unk>")
            .hashBuckets(7)
            .addAll(List.of("naïve", "tab\there", "quote\"s", "line\nbreak", "日本語", "😀"))
            .build();
    Path f = dir.resolve("v.vocab");
    v.save(f);
    assertEquals(v, Vocabulary.load(f));
    assertEquals(List.of("v.vocab"), listDir());
  }

  @Test
  void loadNamesTheBadLine() throws IOException {
    Path f = dir.resolve("bad.vocab");
    Files.writeString(
        f,
        "{\"format\":\"emb4j-vocabulary\",\"version\":1,\"size\":2,\"padding\":null,\"unknown\":null,"
            + "\"oov\":\"ERROR\",\"hash_buckets\":0}\n\"a\"\nnot json\n",
        StandardCharsets.UTF_8);
    VocabularyFormatException e = assertThrows(VocabularyFormatException.class, () -> Vocabulary.load(f));
    assertEquals(3, e.line().orElseThrow());
    Files.writeString(
        f,
        "{\"format\":\"emb4j-vocabulary\",\"version\":1,\"size\":3,\"padding\":null,\"unknown\":null,"
            + "\"oov\":\"ERROR\",\"hash_buckets\":0}\n\"a\"\n\"a\"\n\"b\"\n",
        StandardCharsets.UTF_8);
    e = assertThrows(VocabularyFormatException.class, () -> Vocabulary.load(f));
    assertTrue(e.getMessage().contains("duplicate token 'a'"), e.getMessage());
  }

  @Test
  void savesInTheContainerAndStillReadsVersionOneText() throws IOException {
    Vocabulary v = Vocabulary.builder().padding("<pad>").addAll(List.of("the")).build();
    Path f = dir.resolve("v.vocab");
    v.save(f);
    byte[] bytes = Files.readAllBytes(f);
    assertEquals("EMB4JVOC", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
    assertEquals(2, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(8));
    assertEquals(0, (16 + ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(12)) % 64, "tokens aligned");
    Path text = dir.resolve("v1.vocab");
    Files.writeString(
        text,
        "{\"format\":\"emb4j-vocabulary\",\"version\":1,\"size\":2,\"padding\":\"<pad>\",\"unknown\":null,"
            + "\"oov\":\"ERROR\",\"hash_buckets\":0}\n\"<pad>\"\n\"the\"\n",
        StandardCharsets.UTF_8);
    assertEquals(v, Vocabulary.load(text));
    Files.writeString(text, "\uFEFF" + Files.readString(text), StandardCharsets.UTF_8);
    assertEquals(v, Vocabulary.load(text), "a byte-order mark before the header is skipped");
  }

  @Test
  void invalidUtf8InVersionOneTextNamesItsLine() throws IOException {
    Path f = dir.resolve("latin1.vocab");
    byte[] head =
        ("{\"format\":\"emb4j-vocabulary\",\"version\":1,\"size\":2,\"padding\":null,\"unknown\":null,"
                + "\"oov\":\"ERROR\",\"hash_buckets\":0}\n\"a\"\n\"caf")
            .getBytes(StandardCharsets.UTF_8);
    byte[] all = java.util.Arrays.copyOf(head, head.length + 3);
    all[head.length] = (byte) 0xE9;
    all[head.length + 1] = '"';
    all[head.length + 2] = '\n';
    Files.write(f, all);
    VocabularyFormatException e = assertThrows(VocabularyFormatException.class, () -> Vocabulary.load(f));
    assertEquals(3, e.line().orElseThrow(), e.getMessage());
    assertTrue(e.getMessage().endsWith("is not valid UTF-8 (byte 5 of the line is 0xE9)"), e.getMessage());
  }

  @Test
  void aCorruptedOrTruncatedContainerIsRejectedWithItsOffset() throws IOException {
    Path f = dir.resolve("v.vocab");
    Vocabulary.of(List.of("a", "b", "c")).save(f);
    byte[] good = Files.readAllBytes(f);
    byte[] flipped = good.clone();
    flipped[good.length - 6] ^= 1; // inside the last token
    Files.write(f, flipped);
    VocabularyFormatException e = assertThrows(VocabularyFormatException.class, () -> Vocabulary.load(f));
    assertEquals(good.length - 4, e.offset().orElseThrow());
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    Files.write(f, Arrays.copyOf(good, 12));
    e = assertThrows(VocabularyFormatException.class, () -> Vocabulary.load(f));
    assertTrue(e.getMessage().contains("file is truncated"), e.getMessage());
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    Files.write(f, Arrays.copyOf(good, good.length - 1));
    e = assertThrows(VocabularyFormatException.class, () -> Vocabulary.load(f));
    assertTrue(e.offset().isPresent(), e.getMessage());
  }

  private List<String> listDir() throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
