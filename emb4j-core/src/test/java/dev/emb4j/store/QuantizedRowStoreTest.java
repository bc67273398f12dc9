package dev.emb4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.tensor.IndexTensor;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The quantized store's arithmetic, sizes, read-only contract and refusals, and the tables built over it. */
class QuantizedRowStoreTest {

  @Test
  void int8RowsHoldTheBytesScaleAndBiasOfPyTorchsLayout() {
    float[] w = {0f, 1f, 2f, 0.5f, -1f, -1f, -1f, -1f};
    try (QuantizedRowStore q = QuantizedRowStore.quantize(HeapRowStore.wrap(w, 4), DType.INT8)) {
      assertEquals(12, DType.INT8.rowBytes(4));
      assertEquals(24, q.sizeInBytes());
      byte[] b = q.prepacked().toArray(ValueLayout.JAVA_BYTE);
      // scale 2/255, bias 0; q = rint(x * 255 / (2 + 1e-8)): 0, 128 (127.5 rounds to even), 255, 64 (63.75)
      assertArrayEquals(new byte[] {0, (byte) 128, (byte) 255, 64}, java.util.Arrays.copyOf(b, 4));
      assertEquals(2f / 255f, q.scale(0));
      assertEquals(0f, q.bias(0));
      assertEquals(Math.fma(2f / 255f, 128f, 0f), q.get(0, 1));
      // a constant row: scale 0, every q 0, decoded exactly
      assertEquals(0f, q.scale(1));
      float[] row = new float[4];
      q.readRow(1, row, 0);
      assertArrayEquals(new float[] {-1f, -1f, -1f, -1f}, row);
    }
  }

  @Test
  void int4RowsPackTwoValuesPerByteLowNibbleFirstWithHalfScaleAndBias() {
    float[] w = {0f, 15f, 3f}; // odd width: the last byte's high nibble stays 0
    try (QuantizedRowStore q = QuantizedRowStore.quantize(HeapRowStore.wrap(w, 3), DType.INT4)) {
      assertEquals(2 + 4, DType.INT4.rowBytes(3));
      byte[] b = q.prepacked().toArray(ValueLayout.JAVA_BYTE);
      assertEquals((byte) 0xF0, b[0]); // value 0 -> q 0 low, value 15 -> q 15 high
      assertEquals((byte) 0x03, b[1]);
      assertEquals(Float.floatToFloat16(1f), (short) ((b[2] & 0xFF) | b[3] << 8)); // scale 15 / 15
      assertEquals(3f, q.get(0, 2));
      assertEquals(15f, q.get(0, 1));
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"INT8", "INT4"})
  void aRowWithNaNOrInfinityIsNamedAndNothingIsKept(DType type) {
    float[] w = {1f, 2f, 3f, 4f, Float.NaN, 0f, 1f, Float.NEGATIVE_INFINITY};
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> QuantizedRowStore.quantize(HeapRowStore.wrap(w, 2), type));
    assertEquals(
        "row 2 cannot be quantized to " + type.label() + ": column 0 is NaN; nothing was quantized", e.getMessage());
  }

  @Test
  void valuesBeyondTheRangeOfTheScaleAreRefused() {
    float[] wide = {-3e38f, 3e38f};
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> QuantizedRowStore.quantize(HeapRowStore.wrap(wide, 2), DType.INT8))
            .getMessage()
            .contains("a range beyond float32"));
    float[] big = {1e6f, 2e6f};
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> QuantizedRowStore.quantize(HeapRowStore.wrap(big, 2), DType.INT4))
            .getMessage()
            .contains("float16"));
  }

  @Test
  void writesAreRefusedWithTheWayToATrainableTable() {
    try (QuantizedRowStore q = QuantizedRowStore.quantize(HeapRowStore.wrap(new float[] {1, 2, 3, 4}, 2), DType.INT8)) {
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> q.set(0, 0, 1f));
      assertTrue(e.getMessage().contains("read-only") && e.getMessage().contains("dequantize"), e.getMessage());
      assertThrows(UnsupportedOperationException.class, () -> q.writeRow(0, new float[2], 0));
      assertThrows(UnsupportedOperationException.class, () -> q.addToRow(0, 1f, new float[2], 0));
      assertThrows(UnsupportedOperationException.class, () -> q.scaleRow(0, 2f));
      try (RowStore copy = q.dequantize(Storage.HEAP)) {
        copy.set(0, 0, 7f);
        assertEquals(7f, copy.get(0, 0));
        assertEquals(q.get(1, 1), copy.get(1, 1));
      }
    }
  }

  @Test
  void prepackedBytesLoadAsTheyAreAndMustBeWholeRows() {
    try (QuantizedRowStore q = QuantizedRowStore.quantize(HeapRowStore.wrap(new float[] {1, 2, 3, 4, 5, 9}, 3), DType.INT8);
        QuantizedRowStore back = QuantizedRowStore.fromPrepacked(DType.INT8, q.prepacked().toArray(ValueLayout.JAVA_BYTE), 3)) {
      assertEquals(2, back.rows());
      assertArrayEquals(q.toTensor().data(), back.toTensor().data());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> QuantizedRowStore.fromPrepacked(DType.INT8, new byte[10], 3));
      assertEquals("10 bytes are not a whole number of int8 rows of 3 values (11 bytes each)", e.getMessage());
      assertThrows(
          IllegalArgumentException.class, () -> QuantizedRowStore.fromPrepacked(DType.F16, new byte[10], 3));
      assertThrows(IllegalArgumentException.class, () -> QuantizedRowStore.quantize(q, DType.F32));
    }
  }

  @Test
  void tablesOverQuantizedRowsAreForInferenceOnly() {
    try (QuantizedRowStore q = QuantizedRowStore.quantize(HeapRowStore.wrap(new float[] {1, 2, 3, 4}, 2), DType.INT4)) {
      Embedding emb = Embedding.wrap(q).build();
      assertTrue(emb.frozen());
      assertEquals("Embedding(2, 2, frozen=true, dtype=int4)", emb.toString());
      emb.forward(IndexTensor.of(0, 1));
      IllegalStateException noGrad = assertThrows(IllegalStateException.class, emb::grad);
      assertTrue(noGrad.getMessage().contains("quantized to int4"), noGrad.getMessage());
      IllegalArgumentException trainable =
          assertThrows(IllegalArgumentException.class, () -> EmbeddingBag.wrap(q).freeze(false).build());
      assertTrue(trainable.getMessage().contains("inference only"), trainable.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Embedding.wrap(q).maxNorm(1.0).build());
      float[] pooled =
          EmbeddingBag.wrap(q).mode(BagMode.MEAN).build().lookup(IndexTensor.fromArray(new long[][] {{0, 1}})).output().data();
      assertArrayEquals(new float[] {(q.get(0, 0) + q.get(1, 0)) / 2, (q.get(0, 1) + q.get(1, 1)) / 2}, pooled);
    }
  }
}
