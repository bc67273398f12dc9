package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import org.junit.jupiter.api.Test;

/** Bad input to {@link Embedding}: a clear message naming value, position and range, and no side effect. */
class EmbeddingValidationTest {

  private static final float[][] MW = {{3, 4}, {0.3f, 0.4f}, {6, 8}, {1, 0}};

  @Test
  void outOfRangeIndexNamesValuePositionAndRange() {
    Embedding emb = Embedding.builder(10, 3).build();
    int[][] idx = {{0, 1}, {2, 3}, {4, 5}, {6, 12}};
    IndexOutOfBoundsException e =
        assertThrows(IndexOutOfBoundsException.class, () -> emb.lookup(IndexTensor.fromArray(idx)));
    assertEquals(
        "index 12 at position [3, 1] of the indices is out of range for a table of 10 rows (valid 0..9)",
        e.getMessage());
  }

  @Test
  void negativeIndexIsNotWrapped() {
    Embedding emb = Embedding.builder(5, 2).build();
    IndexOutOfBoundsException e =
        assertThrows(IndexOutOfBoundsException.class, () -> emb.lookup(IndexTensor.of(0, -1)));
    assertTrue(e.getMessage().contains("index -1 at position [1]"), e.getMessage());
    assertTrue(e.getMessage().contains("not wrapped"), e.getMessage());
  }

  @Test
  void scalarIndexErrorNamesEmptyPosition() {
    Embedding emb = Embedding.builder(5, 2).build();
    IndexOutOfBoundsException e =
        assertThrows(IndexOutOfBoundsException.class, () -> emb.lookup(IndexTensor.scalar(5)));
    assertTrue(e.getMessage().startsWith("index 5 at position []"), e.getMessage());
  }

  @Test
  void rejectedLookupLeavesMaxNormRowsUntouched() {
    // PyTorch renorms row 0 before raising on id 9 (golden E23b); emb4j checks first (deliberate difference 1).
    Embedding emb = Embedding.fromPretrained(MW).maxNorm(1.0).build();
    FloatTensor before = emb.weightTensor();
    assertThrows(IndexOutOfBoundsException.class, () -> emb.lookup(IndexTensor.of(0, 9)));
    assertThrows(IndexOutOfBoundsException.class, () -> emb.lookup(IndexTensor.of(-2)));
    assertEquals(before, emb.weightTensor());
  }

  @Test
  void rejectedBackwardLeavesGradientUnchanged() {
    Embedding emb = Embedding.builder(4, 2).build();
    emb.backward(IndexTensor.of(1), FloatTensor.of(Shape.of(1, 2), 1, 2));
    FloatTensor before = emb.grad().toDense();
    assertThrows(
        IndexOutOfBoundsException.class,
        () -> emb.backward(IndexTensor.of(1, 4), FloatTensor.zeros(Shape.of(2, 2))));
    IllegalArgumentException shape =
        assertThrows(
            IllegalArgumentException.class,
            () -> emb.backward(IndexTensor.of(1, 2), FloatTensor.zeros(Shape.of(2, 3))));
    assertTrue(shape.getMessage().contains("[2, 3]") && shape.getMessage().contains("[2, 2]"), shape.getMessage());
    assertEquals(before, emb.grad().toDense());
  }

  @Test
  void badIndexTypeIsRejectedWithItsName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IndexTensor.fromArray(new short[] {1}));
    assertTrue(e.getMessage().contains("int32") && e.getMessage().contains("short"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> IndexTensor.fromArray(new float[][] {{1}}));
    assertThrows(IllegalArgumentException.class, () -> IndexTensor.fromArray(new int[][] {{1, 2}, {3}}));
  }

  @Test
  void constructionArgumentsAreChecked() {
    IllegalArgumentException dim = assertThrows(IllegalArgumentException.class, () -> Embedding.builder(5, 0).build());
    assertTrue(dim.getMessage().contains("0"), dim.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Embedding.builder(-1, 2).build());
    IllegalArgumentException pad =
        assertThrows(IllegalArgumentException.class, () -> Embedding.builder(5, 2).paddingIdx(5).build());
    assertTrue(pad.getMessage().contains("paddingIdx 5") && pad.getMessage().contains("-5..4"), pad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Embedding.builder(5, 2).paddingIdx(-6).build());
    assertThrows(
        IllegalArgumentException.class, () -> Embedding.builder(5, 2).sparse(true).scaleGradByFreq(true).build());
    assertThrows(IllegalArgumentException.class, () -> Embedding.builder(5, 2).maxNorm(Double.NaN).build());
    assertThrows(
        IllegalArgumentException.class, () -> Embedding.fromPretrained(FloatTensor.vector(1, 2, 3)).build());
  }

  @Test
  void nonFinitePretrainedWeightsAreRejectedWithPosition() {
    float[][] w = {{1, 2}, {3, Float.NaN}};
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Embedding.fromPretrained(w).build());
    assertTrue(e.getMessage().contains("NaN at [1, 1]"), e.getMessage());
    float[][] inf = {{Float.NEGATIVE_INFINITY, 2}};
    assertThrows(IllegalArgumentException.class, () -> EmbeddingBag.fromPretrained(inf).build());
  }

  @Test
  void negativePaddingIsNormalisedAndZeroedOnlyForFreshTables() {
    Embedding fresh = Embedding.builder(5, 2).paddingIdx(-1).build();
    assertEquals(4, fresh.paddingIdx().getAsLong());
    assertArrayEquals(new float[2], fresh.weightTensor().row(4));
    Embedding pre = Embedding.fromPretrained(MW).paddingIdx(-2).build();
    assertEquals(2, pre.paddingIdx().getAsLong());
    assertArrayEquals(new float[] {6, 8}, pre.weightTensor().row(2), "from_pretrained keeps the padding row");
    assertArrayEquals(new float[] {6, 8}, pre.lookup(IndexTensor.of(2)).data(), "padding does not change forward");
  }

  @Test
  void fromPretrainedCopiesAndWrapShares() {
    float[] data = {1, 2, 3, 4};
    Embedding copy = Embedding.fromPretrained(FloatTensor.wrap(Shape.of(2, 2), data)).build();
    Embedding shared = Embedding.wrap(HeapRowStore.wrap(data, 2)).build();
    data[0] = 100;
    assertEquals(1f, copy.lookup(IndexTensor.of(0)).get(0));
    assertEquals(100f, shared.lookup(IndexTensor.of(0)).get(0));
    assertTrue(shared.frozen());
  }

  @Test
  void frozenTableTakesNoGradient() {
    Embedding emb = Embedding.fromPretrained(MW).build();
    emb.backward(IndexTensor.of(0), FloatTensor.of(Shape.of(1, 2), 1, 1));
    assertFalse(emb.hasGrad());
  }

  @Test
  void outputIsAFreshTensor() {
    Embedding emb = Embedding.fromPretrained(MW).build();
    FloatTensor out = emb.lookup(IndexTensor.of(0));
    out.set(0, 42);
    assertEquals(3f, emb.lookup(IndexTensor.of(0)).get(0));
  }

  @Test
  void emptyAndZeroDimensionalInputs() {
    Embedding emb = Embedding.fromPretrained(MW).storage(Storage.OFF_HEAP).build();
    assertEquals(Shape.of(0, 2), emb.lookup(IndexTensor.of(new long[0])).shape());
    assertEquals(Shape.of(2, 0, 2), emb.lookup(IndexTensor.of(Shape.of(2, 0), new int[0])).shape());
    assertEquals(Shape.of(2), emb.lookup(IndexTensor.scalar(3)).shape());
    emb.close();
  }

  @Test
  void forwardIntoOutputEqualsForwardAndChecksItsShape() {
    Embedding emb = Embedding.fromPretrained(MW).build();
    IndexTensor ids = IndexTensor.fromArray(new int[][] {{3, 0}, {2, 2}});
    FloatTensor out = FloatTensor.zeros(Shape.of(2, 2, 2));
    java.util.Arrays.fill(out.data(), Float.NaN); // every value is overwritten
    assertTrue(out == emb.lookupInto(ids, out));
    assertEquals(emb.lookup(ids), out);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> emb.lookupInto(ids, FloatTensor.zeros(Shape.of(4, 2))));
    assertEquals(
        "out has shape [4, 2] but a lookup of indices of shape [2, 2] has output shape [2, 2, 2]", e.getMessage());
    FloatTensor untouched = FloatTensor.zeros(Shape.of(1, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> emb.lookupInto(IndexTensor.of(7), untouched));
    assertArrayEquals(new float[2], untouched.data());
  }

  @Test
  void toStringShowsOnlyNonDefaultOptions() {
    assertEquals("Embedding(10, 3)", Embedding.builder(10, 3).build().toString());
    assertEquals(
        "Embedding(10, 3, paddingIdx=9, maxNorm=1.0, normType=1.0, scaleGradByFreq=true)",
        Embedding.builder(10, 3).paddingIdx(9).maxNorm(1).normType(1).scaleGradByFreq(true).build().toString());
  }
}
