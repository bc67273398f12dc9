package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import org.junit.jupiter.api.Test;

/** Bad input to {@link EmbeddingBag}: clear messages and no side effects; plus the spec's edge semantics. */
class EmbeddingBagValidationTest {
  private static final float[][] W5 = {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}};
  private static final IndexTensor INP = IndexTensor.of(3L, 1, 1, 1, 4, 0);

  private static EmbeddingBag bag(BagMode mode) {
    return EmbeddingBag.fromPretrained(W5).mode(mode).freeze(false).build();
  }

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void offsetsAreChecked() {
    EmbeddingBag b = bag(BagMode.SUM);
    assertTrue(message(() -> b.lookup(INP, IndexTensor.of(1L, 3))).contains("offsets[0] must be 0"));
    String past = message(() -> b.lookup(INP, IndexTensor.of(0L, 7)));
    assertTrue(past.contains("offsets[1] = 7") && past.contains("length 6"), past);
    String dec = message(() -> b.lookup(INP, IndexTensor.of(0L, 4, 2)));
    assertTrue(dec.contains("offsets[2] = 2 < offsets[1] = 4"), dec);
    assertTrue(message(() -> b.lookup(INP)).contains("needs offsets"));
    assertTrue(message(() -> b.lookup(INP, IndexTensor.fromArray(new long[][] {{0, 1}}))).contains("1-D"));
    assertTrue(
        message(() -> b.lookup(IndexTensor.of(Shape.of(2, 3), INP.toLongArray()), IndexTensor.of(0L, 1)))
            .contains("takes no offsets"));
    assertTrue(message(() -> b.lookup(IndexTensor.of(Shape.of(1, 2, 3), INP.toLongArray()))).contains("rank 3"));
  }

  @Test
  void includeLastOffsetMustEndAtTheInputLength() {
    EmbeddingBag b = EmbeddingBag.fromPretrained(W5).mode(BagMode.SUM).includeLastOffset(true).build();
    assertTrue(message(() -> b.lookup(INP, IndexTensor.of(new long[0]))).contains("at least one"));
    String notEnd = message(() -> b.lookup(INP, IndexTensor.of(0L, 2, 5)));
    assertTrue(notEnd.contains("must equal the input length 6"), notEnd);
    BagResult r = b.lookup(INP, IndexTensor.of(0L, 2, 6));
    assertArrayEquals(new float[] {10, 12, 16, 20}, r.output().data());
    assertEquals(Shape.of(0, 2), b.lookup(IndexTensor.of(new long[0]), IndexTensor.of(0L)).output().shape());
  }

  @Test
  void perSampleWeightsAreChecked() {
    EmbeddingBag mean = bag(BagMode.MEAN);
    String m = message(() -> mean.lookup(INP, IndexTensor.of(0L, 3), FloatTensor.vector(1, 1, 1, 1, 1, 1)));
    assertTrue(m.contains("SUM mode") && m.contains("MEAN"), m);
    EmbeddingBag sum = bag(BagMode.SUM);
    String s = message(() -> sum.lookup(INP, IndexTensor.of(0L, 3), FloatTensor.vector(1, 1, 1, 1, 1)));
    assertTrue(s.contains("[5]") && s.contains("[6]"), s);
  }

  @Test
  void modeRestrictionsAtBuild() {
    assertThrows(
        IllegalArgumentException.class,
        () -> EmbeddingBag.builder(5, 2).mode(BagMode.MAX).sparse(true).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> EmbeddingBag.builder(5, 2).mode(BagMode.MAX).scaleGradByFreq(true).build());
    assertEquals(BagMode.MEAN, EmbeddingBag.builder(5, 2).build().mode(), "PyTorch's default mode");
  }

  @Test
  void rejectedCallChangesNothing() {
    EmbeddingBag b = EmbeddingBag.fromPretrained(W5).mode(BagMode.SUM).maxNorm(1).freeze(false).build();
    FloatTensor before = b.weightTensor();
    IndexOutOfBoundsException e =
        assertThrows(IndexOutOfBoundsException.class, () -> b.lookup(IndexTensor.of(0L, 5), IndexTensor.of(0L)));
    assertTrue(e.getMessage().contains("index 5 at position [1] of the input"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.lookup(IndexTensor.of(0L, 1), IndexTensor.of(1L)));
    assertEquals(before, b.weightTensor());
  }

  @Test
  void forwardIntoOutputChecksItsShapeAndLeavesItAloneOnBadInput() {
    EmbeddingBag b = bag(BagMode.SUM);
    IndexTensor offsets = IndexTensor.of(0L, 3);
    assertEquals(
        "out has shape [3, 2] but 2 bags of this table pool into shape [2, 2]",
        message(() -> b.lookupInto(INP, offsets, null, FloatTensor.zeros(Shape.of(3, 2)))));
    FloatTensor untouched = FloatTensor.zeros(Shape.of(2, 2));
    assertThrows(
        IndexOutOfBoundsException.class, () -> b.lookupInto(IndexTensor.of(0L, 1, 5), offsets, null, untouched));
    assertArrayEquals(new float[4], untouched.data());
    assertThrows(NullPointerException.class, () -> b.lookupInto(INP, offsets, null, null));
  }

  @Test
  void emptyBagsAndNoBags() {
    for (BagMode mode : BagMode.values()) {
      EmbeddingBag b = bag(mode);
      BagResult r = b.lookup(IndexTensor.of(new long[0]), IndexTensor.of(0L, 0, 0, 0));
      assertArrayEquals(new float[8], r.output().data(), mode.toString());
      assertEquals(Shape.of(0, 2), b.lookup(INP, IndexTensor.of(new long[0])).output().shape());
      BagResult none = b.lookup(INP, IndexTensor.of(new long[0]));
      b.backward(none, FloatTensor.zeros(Shape.of(0, 2)));
      // A (B, 0) 2-D input is B empty bags (PyTorch 1.13 raises "step must be nonzero").
      BagResult zeroWidth = b.lookup(IndexTensor.of(Shape.of(3, 0), new long[0]));
      assertArrayEquals(new float[6], zeroWidth.output().data());
    }
  }

  @Test
  void backwardChecksItsResultAndShape() {
    EmbeddingBag a = bag(BagMode.SUM);
    EmbeddingBag other = bag(BagMode.SUM);
    BagResult r = a.lookup(INP, IndexTensor.of(0L, 3));
    assertTrue(message(() -> other.backward(r, FloatTensor.zeros(Shape.of(2, 2)))).contains("another table"));
    String s = message(() -> a.backward(r, FloatTensor.zeros(Shape.of(3, 2))));
    assertTrue(s.contains("[3, 2]") && s.contains("[2, 2]"), s);
  }

  @Test
  void scaleGradByFreqUsesTheTrueCount() {
    // PyTorch CPU gives row 3 = 0.5 here (spec 3.7, golden B26); the correct value is 1.
    EmbeddingBag b =
        EmbeddingBag.fromPretrained(new float[][] {{1}, {1}, {1}, {1}})
            .mode(BagMode.SUM)
            .scaleGradByFreq(true)
            .freeze(false)
            .build();
    BagResult r = b.lookup(IndexTensor.of(1L, 1, 3), IndexTensor.of(0L));
    b.backward(r, FloatTensor.of(Shape.of(1, 1), 1));
    assertArrayEquals(new float[] {0, 1, 0, 1}, b.grad().toDense().data());
  }

  @Test
  void frozenBagStillGivesPerSampleWeightGradient() {
    // PyTorch 1.13 fails here with an internal assert (spec 6.4); the gradient is well defined.
    EmbeddingBag b = EmbeddingBag.fromPretrained(W5).mode(BagMode.SUM).build();
    BagResult r = b.lookup(IndexTensor.of(0L, 1), IndexTensor.of(0L), FloatTensor.vector(2, 3));
    FloatTensor dpsw = b.backward(r, FloatTensor.of(Shape.of(1, 2), 1, 1)).orElseThrow();
    assertArrayEquals(new float[] {3, 7}, dpsw.data());
    assertTrue(!b.hasGrad());
  }
}
