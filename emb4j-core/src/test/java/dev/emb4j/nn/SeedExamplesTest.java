package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The seed documents' examples, each as a test. */
class SeedExamplesTest {

  @Test
  void lookupOfOneTwoThreeReturnsRowsOneTwoThree() {
    Embedding emb = Embedding.builder(10, 4).initializer(Initializer.normal(7)).build();
    FloatTensor out = emb.lookup(IndexTensor.of(1, 2, 3));
    assertEquals(Shape.of(3, 4), out.shape());
    for (int i = 0; i < 3; i++) {
      float[] expected = new float[4];
      emb.weight().readRow(i + 1, expected, 0);
      assertArrayEquals(expected, out.row(i), "output row " + i);
    }
  }

  @Test
  void fromPretrainedLookupEqualsIndexingTheMatrix() {
    float[][] w = randomMatrix(6, 5, 1);
    Embedding emb = Embedding.fromPretrained(w).build();
    int[][] idx = {{5, 0, 3}, {3, 3, 1}};
    FloatTensor out = emb.lookup(IndexTensor.fromArray(idx));
    assertEquals(Shape.of(2, 3, 5), out.shape());
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 3; b++) {
        for (int d = 0; d < 5; d++) {
          assertEquals(w[idx[a][b]][d], out.at(a, b, d));
        }
      }
    }
    assertTrue(emb.frozen(), "fromPretrained freezes by default, as in PyTorch");
  }

  @Test
  void lookupEqualsOneHotTimesWeight() {
    for (long seed = 0; seed < 5; seed++) {
      int v = 13;
      int d = 7;
      float[][] w = randomMatrix(v, d, seed);
      Embedding emb = Embedding.fromPretrained(w).build();
      long[] ids = new SplittableRandom(seed).longs(20, 0, v).toArray();
      IndexTensor idx = IndexTensor.of(ids);
      FloatTensor viaMatmul = FloatTensor.oneHot(idx, v).matmul(emb.weightTensor());
      assertEquals(viaMatmul, emb.lookup(idx), "oneHot(ids) @ W equals the lookup, bit for bit");
      assertEquals(viaMatmul, emb.forward(idx).value());
    }
  }

  @Test
  void dimensionOneTableIsAnIdToValueDictionary() {
    float[][] prices = {{9.99f}, {4.50f}, {120f}, {0.25f}};
    Embedding price = Embedding.fromPretrained(prices).build();
    FloatTensor out = price.lookup(IndexTensor.of(2, 0, 3));
    assertEquals(Shape.of(3, 1), out.shape());
    assertArrayEquals(new float[] {120f, 9.99f, 0.25f}, out.data());
    assertEquals(4.50f, price.lookup(IndexTensor.scalar(1)).get(0));
  }

  @Test
  void paddingRowGetsNoGradientWhileNeighboursDo() {
    Embedding emb = Embedding.builder(5, 3).paddingIdx(2).initializer(Initializer.normal(3)).build();
    assertArrayEquals(new float[3], rowOf(emb.weightTensor(), 2), "padding row is zeroed at creation");
    IndexTensor ids = IndexTensor.of(1, 2, 3, 2);
    FloatTensor out = emb.lookup(ids);
    emb.backward(ids, ones(out.shape()));
    FloatTensor g = emb.grad().toDense();
    assertArrayEquals(new float[] {0, 0, 0}, rowOf(g, 2), "padding row");
    assertArrayEquals(new float[] {1, 1, 1}, rowOf(g, 1), "neighbour row 1");
    assertArrayEquals(new float[] {1, 1, 1}, rowOf(g, 3), "neighbour row 3");
    assertNotEquals(0f, rowOf(g, 1)[0]);
  }

  static float[][] randomMatrix(int rows, int cols, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] w = new float[rows][cols];
    for (float[] row : w) {
      for (int c = 0; c < cols; c++) {
        row[c] = (float) rng.nextGaussian();
      }
    }
    return w;
  }

  static FloatTensor ones(Shape shape) {
    FloatTensor t = FloatTensor.zeros(shape);
    java.util.Arrays.fill(t.data(), 1f);
    return t;
  }

  static float[] rowOf(FloatTensor matrix, int r) {
    return matrix.row(r);
  }
}
