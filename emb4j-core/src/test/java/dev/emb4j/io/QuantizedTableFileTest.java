package dev.emb4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.DType;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.QuantizedRowStore;
import dev.emb4j.store.Storage;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** emb4j tables of every dtype: version 2 files, quantized rows written and read back, refusals. */
class QuantizedTableFileTest {
  @TempDir Path dir;

  private static final List<String> TOKENS = List.of("the", "naïve", "日本語", "😀", "</s>", "x");

  private static float[] values(int n, long seed) {
    Random rng = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    return v;
  }

  private static int version(Path f) throws IOException {
    byte[] b = Files.readAllBytes(f);
    return b[8] | b[9] << 8;
  }

  @ParameterizedTest
  @EnumSource(names = {"F16", "BF16"})
  void halfRowsRoundTripExactly(DType type) throws IOException {
    float[] data = values(6 * 5, 1);
    for (int i = 0; i < data.length; i++) {
      data[i] = type.decode(type.encode(data[i]));
    }
    Vectors v = Vectors.of(TOKENS, HeapRowStore.wrap(data, 5));
    Path f = dir.resolve("h.emb4j");
    v.write(f, VectorFormat.EMB4J, VectorWriteOptions.DEFAULTS.withDtype(type));
    assertEquals(2, version(f));
    try (VectorReader r = VectorFormat.EMB4J.open(f, VectorReadOptions.DEFAULTS)) {
      assertEquals(type, r.info().dtype());
    }
    Vectors back = Vectors.read(f, VectorFormat.EMB4J, VectorReadOptions.DEFAULTS, Storage.HEAP);
    assertEquals(TOKENS, back.tokens());
    assertArrayEquals(data, back.table().toTensor().data());
  }

  @Test
  void float32TablesAreStillWrittenAsVersion1() throws IOException {
    Path f = dir.resolve("f.emb4j");
    Vectors.of(null, HeapRowStore.wrap(values(8, 2), 4)).write(f);
    assertEquals(1, version(f));
    assertEquals(2, Vectors.read(f).size());
  }

  @ParameterizedTest
  @EnumSource(names = {"INT8", "INT4"})
  void quantizedRowsAreWrittenAndReadBackAsTheyAre(DType type) throws IOException {
    float[] data = values(6 * 10, 3);
    try (QuantizedRowStore expected = QuantizedRowStore.quantize(HeapRowStore.wrap(data, 10), type)) {
      Path f = dir.resolve("q.emb4j");
      Vectors.of(TOKENS, HeapRowStore.wrap(data, 10)).write(f, VectorFormat.EMB4J, VectorWriteOptions.DEFAULTS.withDtype(type));
      assertEquals(2, version(f));
      // read as floats: the decoded rows
      Vectors floats = Vectors.read(f);
      assertEquals(TOKENS, floats.tokens());
      assertArrayEquals(expected.toTensor().data(), floats.table().toTensor().data());
      // read as they are: the same bytes, and written again as they are: the same file
      try (Vectors kept = Vectors.readQuantized(f, VectorReadOptions.DEFAULTS)) {
        QuantizedRowStore q = assertInstanceOf(QuantizedRowStore.class, kept.table());
        assertEquals(type, q.dtype());
        assertEquals(TOKENS, kept.tokens());
        assertArrayEquals(
            expected.prepacked().toArray(ValueLayout.JAVA_BYTE), q.prepacked().toArray(ValueLayout.JAVA_BYTE));
        Path again = dir.resolve("again.emb4j");
        kept.write(again, VectorFormat.EMB4J, VectorWriteOptions.DEFAULTS.withDtype(type));
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(again));
      }
    }
  }

  @Test
  void aFloatTableIsNotReadAsQuantized() throws IOException {
    Path f = dir.resolve("f.emb4j");
    Vectors.of(null, HeapRowStore.wrap(values(8, 2), 4)).write(f);
    VectorFormatException e =
        assertThrows(VectorFormatException.class, () -> Vectors.readQuantized(f, VectorReadOptions.DEFAULTS));
    assertTrue(e.getMessage().contains("holds f32 rows, not quantized ones"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(names = {"INT8", "INT4"})
  void aRowWithNaNIsNamedWithItsTokenAndNothingIsWritten(DType type) throws IOException {
    float[] data = values(6 * 3, 4);
    data[2 * 3 + 1] = Float.NaN;
    Vectors v = Vectors.of(TOKENS, HeapRowStore.wrap(data, 3));
    Path f = dir.resolve("nan.emb4j");
    VectorFormatException e =
        assertThrows(
            VectorFormatException.class,
            () -> v.write(f, VectorFormat.EMB4J, VectorWriteOptions.DEFAULTS.withDtype(type)));
    assertTrue(e.getMessage().contains("row 2 ('日本語'), column 1 is NaN"), e.getMessage());
    float[] wide = {-3e38f, 3e38f};
    VectorFormatException range =
        assertThrows(
            VectorFormatException.class,
            () ->
                Vectors.of(List.of("far"), HeapRowStore.wrap(wide, 2))
                    .write(f, VectorFormat.EMB4J, VectorWriteOptions.DEFAULTS.withDtype(type)));
    assertTrue(range.getMessage().contains("row 0 ('far') cannot be quantized to " + type.label()), range.getMessage());
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = VectorFormat.class,
      names = {"EMB4J"},
      mode = EnumSource.Mode.EXCLUDE)
  void otherFormatsCannotHoldQuantizedRows(VectorFormat format) {
    Vectors v = Vectors.of(format.canHoldTokens() ? List.of("a") : null, HeapRowStore.wrap(new float[] {1, 2}, 2));
    VectorFormatException e =
        assertThrows(
            VectorFormatException.class,
            () -> v.write(dir.resolve("q" + format.extension()), format, VectorWriteOptions.DEFAULTS.withDtype(DType.INT8)));
    assertTrue(e.getMessage().contains("cannot hold int8 rows"), e.getMessage());
  }
}
