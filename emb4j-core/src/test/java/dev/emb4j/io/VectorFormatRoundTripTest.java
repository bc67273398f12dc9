package dev.emb4j.io;

import dev.emb4j.store.DType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VectorFormatRoundTripTest {
  @TempDir Path dir;

  /** Tokens that stress the encoders: accents, CJK, an astral emoji, punctuation, a number. */
  private static List<String> tokens(int n) {
    List<String> base = List.of("the", "naïve", "日本語", "😀", "</s>", "1984", "can't", "a,b", "ÉCOLE", "x");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i < base.size() ? base.get(i) : "tok" + i);
    }
    return out;
  }

  /** Random values, rounded to the given dtype so that a lossless round trip is possible. */
  static Vectors random(int rows, int dim, DType type, long seed, boolean withTokens) {
    Random rng = new Random(seed);
    float[] data = new float[rows * dim];
    for (int i = 0; i < data.length; i++) {
      float v = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(7) - 3));
      data[i] = type.decode(type.encode(v));
    }
    return Vectors.of(withTokens ? tokens(rows) : null, HeapRowStore.wrap(data, dim));
  }

  static void assertSame(Vectors expected, Vectors actual) {
    assertEquals(expected.size(), actual.size());
    assertEquals(expected.dim(), actual.dim());
    assertEquals(expected.tokens(), actual.tokens());
    assertArrayEquals(expected.table().toTensor().data(), actual.table().toTensor().data());
  }

  @ParameterizedTest
  @EnumSource(VectorFormat.class)
  void roundTripsF32Exactly(VectorFormat format) throws IOException {
    Vectors v = random(37, 13, DType.F32, format.ordinal(), format.canHoldTokens());
    Path f = dir.resolve("v" + format.extension());
    v.write(f, format, VectorWriteOptions.DEFAULTS);
    try (Vectors back = Vectors.read(f, format, VectorReadOptions.DEFAULTS, Storage.OFF_HEAP)) {
      assertSame(v, back);
    }
    assertEquals(List.of(f.getFileName().toString()), listDir(), "no temporary file is left");
  }

  @Test
  void roundTripsWithoutTokensWhereAllowed() throws IOException {
    for (VectorFormat format : List.of(VectorFormat.SAFETENSORS, VectorFormat.EMB4J, VectorFormat.NPY)) {
      Vectors v = random(5, 3, DType.F32, 1, false);
      Path f = dir.resolve("n" + format.extension());
      v.write(f, format, VectorWriteOptions.DEFAULTS);
      Vectors back = Vectors.read(f, format, VectorReadOptions.DEFAULTS, Storage.HEAP);
      assertFalse(back.hasTokens());
      assertSame(v, back);
    }
  }

  @Test
  void roundTripsHalfAndBfloat16() throws IOException {
    for (DType type : List.of(DType.F16, DType.BF16)) {
      for (VectorFormat format : List.of(VectorFormat.NPY, VectorFormat.SAFETENSORS)) {
        if (format == VectorFormat.NPY && type == DType.BF16) {
          continue;
        }
        Vectors v = random(11, 7, type, 3, format.canHoldTokens());
        Path f = dir.resolve(type + format.extension());
        v.write(f, format, VectorWriteOptions.DEFAULTS.withDtype(type));
        Vectors back = Vectors.read(f, format, VectorReadOptions.DEFAULTS, Storage.HEAP);
        assertSame(v, back);
        try (VectorReader r = format.open(f, VectorReadOptions.DEFAULTS)) {
          assertEquals(type, r.info().dtype());
        }
      }
    }
  }

  @Test
  void emptyTablesRoundTrip() throws IOException {
    for (VectorFormat format : List.of(VectorFormat.WORD2VEC_TEXT, VectorFormat.WORD2VEC_BINARY, VectorFormat.NPY, VectorFormat.SAFETENSORS, VectorFormat.EMB4J)) {
      Vectors v = Vectors.of(format.canHoldTokens() ? List.of() : null, HeapRowStore.allocate(0, 4));
      Path f = dir.resolve("empty" + format.extension());
      v.write(f, format, VectorWriteOptions.DEFAULTS);
      Vectors back = Vectors.read(f, format, VectorReadOptions.DEFAULTS, Storage.HEAP);
      assertEquals(0, back.size());
      assertEquals(4, back.dim());
    }
  }

  @Test
  void safetensorsAndEmb4jKeepMetadata() throws IOException {
    Vectors v = random(4, 2, DType.F32, 5, true);
    for (VectorFormat format : List.of(VectorFormat.SAFETENSORS, VectorFormat.EMB4J)) {
      Path f = dir.resolve("m" + format.extension());
      v.write(f, format, VectorWriteOptions.DEFAULTS.withMetadata(Map.of("source", "unit test", "ünï", "çödé")));
      assertEquals(Map.of("source", "unit test", "ünï", "çödé"), Vectors.read(f).metadata());
    }
  }

  @Test
  void detectsFormatsFromExtensionsAndTheFirstLine() throws IOException {
    Path w2v = dir.resolve("a.txt");
    Files.writeString(w2v, "1 2\nx 1 2\n");
    Path glove = dir.resolve("b.txt");
    Files.writeString(glove, "x 1 2\n");
    assertEquals(VectorFormat.WORD2VEC_TEXT, VectorFormat.detect(w2v));
    assertEquals(VectorFormat.GLOVE, VectorFormat.detect(glove));
    assertEquals(VectorFormat.NPY, VectorFormat.byExtension(Path.of("x.NPY")));
    assertEquals(VectorFormat.FASTTEXT_VEC, VectorFormat.byExtension(Path.of("cc.en.300.vec")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorFormat.byExtension(Path.of("x.csv")));
    assertTrue(e.getMessage().contains("x.csv"), e.getMessage());
  }

  @Test
  void fastTextWritesATrailingSpaceAndGloveNoHeader() throws IOException {
    Vectors v = Vectors.of(List.of("a", "b"), HeapRowStore.wrap(new float[] {1, 0.5f, -2, 1e-7f}, 2));
    Path ft = dir.resolve("x.vec");
    v.write(ft);
    assertEquals("2 2\na 1.0 0.5 \nb -2.0 1.0E-7 \n", Files.readString(ft));
    Path g = dir.resolve("g.txt");
    v.write(g, VectorFormat.GLOVE, VectorWriteOptions.DEFAULTS);
    assertEquals("a 1.0 0.5\nb -2.0 1.0E-7\n", Files.readString(g));
    assertSame(v, Vectors.read(g));
  }

  @Test
  void readersAcceptCrLfTabsAndTrailingSpaces() throws IOException {
    Path f = dir.resolve("crlf.txt");
    Files.writeString(f, "2 3\r\nfoo\t1 2  3 \r\nbar -1e2 +0.5 .25\r\n\r\n");
    Vectors v = Vectors.read(f);
    assertEquals(List.of("foo", "bar"), v.tokens());
    assertArrayEquals(new float[] {-100f, 0.5f, 0.25f}, v.vector("bar"));
  }

  @Test
  void textReadersSkipAByteOrderMark() throws IOException {
    Path w2v = dir.resolve("bom.txt");
    Files.writeString(w2v, "\uFEFF2 2\nthe 1 2\ncat 3 4\n");
    assertEquals(VectorFormat.WORD2VEC_TEXT, VectorFormat.detect(w2v));
    assertEquals(List.of("the", "cat"), Vectors.read(w2v).tokens());
    Path glove = dir.resolve("bom-glove.txt");
    Files.writeString(glove, "\uFEFFthe 1 2\ncat 3 4\n");
    assertEquals(VectorFormat.GLOVE, VectorFormat.detect(glove));
    Vectors g = Vectors.read(glove);
    assertEquals(List.of("the", "cat"), g.tokens());
    assertArrayEquals(new float[] {1, 2}, g.vector("the"));
    Path vec = dir.resolve("bom.vec");
    Files.writeString(vec, "\uFEFF1 2\nthe 1 2 \n");
    assertEquals(List.of("the"), Vectors.read(vec).tokens());
  }

  @Test
  void convertRefusesToWriteOverItsInputThroughALink() throws IOException {
    Path in = dir.resolve("in.txt");
    Files.writeString(in, "1 2\nx 1 2\n");
    Path link = Files.createSymbolicLink(dir.resolve("link.txt"), in);
    Path dotted = dir.resolve(".").resolve("in.txt");
    for (Path out : List.of(link, dotted)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> VectorFiles.convert(in, VectorFormat.WORD2VEC_TEXT, out, VectorFormat.WORD2VEC_TEXT,
                  VectorReadOptions.DEFAULTS, VectorWriteOptions.DEFAULTS, false));
      assertTrue(e.getMessage().startsWith("input and output are the same file"), e.getMessage());
    }
    assertEquals("1 2\nx 1 2\n", Files.readString(in));
  }

  @Test
  void convertStreamsAndReportsProgress() throws IOException {
    Vectors v = random(3000, 50, DType.F32, 9, true);
    Path txt = dir.resolve("big.txt");
    v.write(txt);
    Path out = dir.resolve("big.safetensors");
    AtomicLong lastRows = new AtomicLong(-1);
    AtomicLong calls = new AtomicLong();
    VectorInfo info =
        VectorFiles.convert(
            txt,
            VectorFormat.WORD2VEC_TEXT,
            out,
            VectorFormat.SAFETENSORS,
            VectorReadOptions.DEFAULTS.withProgress(
                (bytes, total, rows) -> {
                  assertTrue(bytes <= total);
                  calls.incrementAndGet();
                  lastRows.set(rows);
                }),
            VectorWriteOptions.DEFAULTS.withDtype(DType.F32),
            false);
    assertEquals(3000, info.rows());
    assertTrue(calls.get() >= 2, "progress reported at the start and the end, got " + calls.get());
    assertEquals(3000, lastRows.get());
    assertSame(v, Vectors.read(out));
  }

  @Test
  void npyNeedsTokensDroppedExplicitly() throws IOException {
    Vectors v = random(3, 2, DType.F32, 2, true);
    Path txt = dir.resolve("t.txt");
    v.write(txt);
    Path npy = dir.resolve("t.npy");
    VectorFormatException e =
        assertThrows(
            VectorFormatException.class,
            () -> VectorFiles.convert(txt, VectorFormat.WORD2VEC_TEXT, npy, VectorFormat.NPY, VectorReadOptions.DEFAULTS, VectorWriteOptions.DEFAULTS, false));
    assertTrue(e.getMessage().contains("cannot hold tokens"), e.getMessage());
    assertFalse(Files.exists(npy));
    VectorFiles.convert(txt, VectorFormat.WORD2VEC_TEXT, npy, VectorFormat.NPY, VectorReadOptions.DEFAULTS, VectorWriteOptions.DEFAULTS, true);
    assertArrayEquals(v.table().toTensor().data(), Vectors.read(npy).table().toTensor().data());
  }

  @Test
  void aFailedWriteLeavesNoFileAndKeepsTheOldOne() throws IOException {
    Path f = dir.resolve("keep.bin");
    Files.writeString(f, "old contents");
    float[] data = {1, 2, 3, Float.NaN, 5, 6};
    Vectors bad = Vectors.of(List.of("a", "b", "c"), HeapRowStore.wrap(data, 2));
    VectorFormatException e = assertThrows(VectorFormatException.class, () -> bad.write(f));
    assertTrue(e.getMessage().contains("row 1 ('b'), column 1 is NaN"), e.getMessage());
    assertEquals("old contents", Files.readString(f));
    assertEquals(List.of("keep.bin"), listDir());
    Path fresh = dir.resolve("fresh.safetensors");
    assertThrows(VectorFormatException.class, () -> bad.write(fresh));
    assertEquals(List.of("keep.bin"), listDir(), "the safetensors side file is gone too");
  }

  @Test
  void writersRejectWhatTheFormatCannotHold() throws IOException {
    Vectors spaced = Vectors.of(List.of("new york"), HeapRowStore.wrap(new float[] {1}, 1));
    VectorFormatException e = assertThrows(VectorFormatException.class, () -> spaced.write(dir.resolve("s.txt")));
    assertTrue(e.getMessage().contains("contains a separator (U+0020)"), e.getMessage());
    Vectors huge = Vectors.of(List.of("big"), HeapRowStore.wrap(new float[] {70000f}, 1));
    e =
        assertThrows(
            VectorFormatException.class,
            () -> huge.write(dir.resolve("h.safetensors"), VectorFormat.SAFETENSORS, VectorWriteOptions.DEFAULTS.withDtype(DType.F16)));
    assertTrue(e.getMessage().contains("beyond the range of F16"), e.getMessage());
    Vectors none = Vectors.of(null, HeapRowStore.wrap(new float[] {1}, 1));
    e = assertThrows(VectorFormatException.class, () -> none.write(dir.resolve("n.txt")));
    assertTrue(e.getMessage().contains("needs a token"), e.getMessage());
    e =
        assertThrows(
            VectorFormatException.class,
            () -> none.write(dir.resolve("n.npy"), VectorFormat.NPY, VectorWriteOptions.DEFAULTS.withDtype(DType.BF16)));
    assertTrue(e.getMessage().contains("bfloat16"), e.getMessage());
    Vectors surrogate = Vectors.of(List.of("a\uD800"), HeapRowStore.wrap(new float[] {1}, 1));
    e = assertThrows(VectorFormatException.class, () -> surrogate.write(dir.resolve("u.emb4j")));
    assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
    assertEquals(List.of(), listDir());
  }

  @Test
  void tokensWithOtherWhitespaceRoundTrip() throws IOException {
    // Readers split only on space and tab (text) or space (binary): anything else belongs to the token, both ways.
    Vectors v = Vectors.of(List.of("a\r", "b\u000c", "c\u001e", "d\u00a0e"), HeapRowStore.wrap(new float[] {1, 2, 3, 4}, 1));
    for (VectorFormat format : List.of(VectorFormat.WORD2VEC_TEXT, VectorFormat.GLOVE, VectorFormat.FASTTEXT_VEC, VectorFormat.WORD2VEC_BINARY)) {
      Path f = dir.resolve("ws-" + format.cliName() + format.extension());
      v.write(f, format, VectorWriteOptions.DEFAULTS);
      assertSame(v, Vectors.read(f, format, VectorReadOptions.DEFAULTS, Storage.HEAP));
    }
    Vectors tab = Vectors.of(List.of("a\tb"), HeapRowStore.wrap(new float[] {1}, 1));
    tab.write(dir.resolve("tab.bin"));
    assertThrows(VectorFormatException.class, () -> tab.write(dir.resolve("tab.txt")));
  }

  @Test
  void dtypeConversionsRoundToNearestEven() {
    assertEquals(0x3F80, DType.BF16.encode(1.0f));
    // 1 + 2^-8 is halfway between two bfloat16 values: ties go to the even one (1.0)
    assertEquals(0x3F80, DType.BF16.encode(Float.intBitsToFloat(0x3F808000)));
    assertEquals(0x3F82, DType.BF16.encode(Float.intBitsToFloat(0x3F818000)));
    assertTrue(Float.isNaN(DType.BF16.decode(DType.BF16.encode(Float.NaN))));
    assertEquals(65504f, DType.F16.decode(DType.F16.encode(65504f)));
    assertTrue(Float.isInfinite(DType.F16.decode(DType.F16.encode(70000f))));
    RowStore s = HeapRowStore.wrap(new float[] {1}, 1);
    assertEquals(1, s.rows());
  }

  @Test
  void textValuesUseTheShortestExactForm() throws IOException {
    Vectors v = Vectors.of(List.of("π"), HeapRowStore.wrap(new float[] {(float) Math.PI, Float.MIN_VALUE, -Float.MAX_VALUE}, 3));
    Path f = dir.resolve("pi.txt");
    v.write(f);
    assertEquals("1 3\nπ 3.1415927 1.4E-45 -3.4028235E38\n", Files.readString(f, StandardCharsets.UTF_8));
    assertSame(v, Vectors.read(f));
  }

  private List<String> listDir() throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
