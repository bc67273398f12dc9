package dev.emb4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Printing, argmax, softmax, topk, matmul, transpose, broadcasting, one-hot, indexing and mini-batches. */
class TensorConveniencesTest {
  private static final FloatTensor M = FloatTensor.fromArray(new float[][] {{1, -2.5f, 3}, {4, 5, -6}});

  @Test
  void smallTensorsPrintInFullAndNested() {
    assertEquals("FloatTensor([[ 1.0, -2.5,  3.0],\n             [ 4.0,  5.0, -6.0]])", M.toString());
    assertEquals("FloatTensor(3.5)", FloatTensor.of(Shape.scalar(), 3.5f).toString());
    assertEquals("FloatTensor([], shape=[0, 3])", FloatTensor.zeros(Shape.of(0, 3)).toString());
    assertEquals(
        "FloatTensor([[[0.0, 1.0]],\n\n             [[2.0, 3.0]]])",
        FloatTensor.of(Shape.of(2, 1, 2), 0, 1, 2, 3).toString());
    assertEquals(
        "IndexTensor([[0, 1],\n             [2, 3]], dtype=int32)",
        IndexTensor.fromArray(new int[][] {{0, 1}, {2, 3}}).toString());
    assertEquals("IndexTensor([7, 8])", IndexTensor.of(7L, 8L).toString());
  }

  @Test
  void largeTensorsAreSummarised() {
    FloatTensor big = FloatTensor.zeros(Shape.of(1001));
    for (int i = 0; i < big.numel(); i++) {
      big.set(i, i);
    }
    assertEquals("FloatTensor([   0.0,    1.0,    2.0, ...,  998.0,  999.0, 1000.0], shape=[1001])", big.toString());
  }

  @Test
  void argmaxSoftmaxAndTopk() {
    assertEquals(IndexTensor.of(Shape.of(2), new long[] {2, 1}), M.argmax(1));
    assertEquals(IndexTensor.of(Shape.of(3), new long[] {1, 1, 0}), M.argmax(0));
    assertEquals(4, M.argmax());
    FloatTensor p = FloatTensor.vector(1, 2, 3).softmax(0);
    double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    assertArrayEquals(
        new float[] {(float) (Math.exp(1) / z), (float) (Math.exp(2) / z), (float) (Math.exp(3) / z)}, p.data(), 1e-7f);
    assertArrayEquals(new float[] {0.5f, 0.5f}, FloatTensor.vector(1000, 1000).softmax(-1).data(), "no overflow");
    FloatTensor.TopK top = M.topk(2, 1);
    assertEquals(FloatTensor.of(Shape.of(2, 2), 3, 1, 5, 4), top.values());
    assertEquals(IndexTensor.of(Shape.of(2, 2), new long[] {2, 0, 1, 0}), top.indices());
    assertThrows(IllegalArgumentException.class, () -> M.topk(4, 1));
  }

  @Test
  void matmulTransposeAndBroadcastAdd() {
    FloatTensor mt = M.t();
    assertEquals(FloatTensor.fromArray(new float[][] {{1, 4}, {-2.5f, 5}, {3, -6}}), mt);
    assertEquals(FloatTensor.fromArray(new float[][] {{16.25f, -26.5f}, {-26.5f, 77}}), M.matmul(mt));
    assertEquals(FloatTensor.vector(-1, 8), M.matmul(FloatTensor.vector(1, 0, 0)).add(FloatTensor.vector(-2, 4)));
    assertEquals(
        FloatTensor.fromArray(new float[][] {{11, 21, 31}, {12, 22, 32}}),
        FloatTensor.of(Shape.of(2, 1), 1, 2).add(FloatTensor.vector(10, 20, 30)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> M.add(FloatTensor.vector(1, 2)));
    assertEquals(
        "shapes [2, 3] and [2] do not broadcast: sizes 3 and 2 at dimension 1 of the result differ and neither is 1",
        e.getMessage());
    FloatTensor cube = FloatTensor.zeros(Shape.of(2, 3, 4));
    for (int i = 0; i < 24; i++) {
      cube.set(i, i);
    }
    FloatTensor swapped = cube.transpose(0, 2);
    assertEquals(Shape.of(4, 3, 2), swapped.shape());
    assertEquals(cube.at(1, 2, 3), swapped.at(3, 2, 1));
    assertEquals(cube.at(0, 1, 2), swapped.at(2, 1, 0));
  }

  @Test
  void oneHotAndIndexing() {
    assertEquals(
        FloatTensor.fromArray(new float[][] {{0, 0, 1}, {1, 0, 0}}), FloatTensor.oneHot(IndexTensor.of(2, 0), 3));
    assertThrows(IndexOutOfBoundsException.class, () -> FloatTensor.oneHot(IndexTensor.of(3), 3));
    assertEquals(
        FloatTensor.fromArray(new float[][] {{4, 5, -6}, {4, 5, -6}, {1, -2.5f, 3}}), M.index(IndexTensor.of(1, 1, 0)));
    IndexTensor rows = IndexTensor.fromArray(new long[][] {{1, 2}, {3, 4}, {5, 6}});
    assertEquals(IndexTensor.fromArray(new long[][] {{5, 6}, {1, 2}}), rows.index(IndexTensor.of(2, 0)));
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> M.index(IndexTensor.of(0, 2)));
    assertEquals("index 2 at position [1] is out of range for dimension 0 of size 2 (valid 0..1)", e.getMessage());
    assertArrayEquals(new int[] {5, 6}, IndexTensor.of(5L, 6L).toIntArray());
  }

  @Test
  void miniBatchesCoverEveryPositionOnceAndReshuffleEachEpoch() {
    MiniBatches batches = MiniBatches.of(10, 4).shuffle(7);
    assertEquals(3, batches.numBatches());
    List<Integer> first = flatten(batches);
    List<Integer> second = flatten(batches);
    List<Integer> sorted = new ArrayList<>(first);
    sorted.sort(null);
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), sorted);
    assertNotEquals(first, second, "a new order each epoch");
    assertEquals(first, flatten(MiniBatches.of(10, 4).shuffle(7)), "the same seed, the same order");
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), flatten(MiniBatches.of(10, 4).dropLast(true)));
  }

  private static List<Integer> flatten(Iterable<IndexTensor> batches) {
    List<Integer> out = new ArrayList<>();
    for (IndexTensor b : batches) {
      for (int i : b.toIntArray()) {
        out.add(i);
      }
    }
    return out;
  }
}
