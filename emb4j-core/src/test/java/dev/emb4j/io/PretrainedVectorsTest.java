package dev.emb4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.nn.Embedding;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.vocab.Vocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;

class PretrainedVectorsTest {
  private static final Vectors VECTORS =
      Vectors.of(List.of("cat", "dog", "the"), HeapRowStore.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2));

  @Test
  void knownTokensAreCopiedTheRestRandomAndReported() {
    Vocabulary vocab = Vocabulary.builder().padding("<pad>").unknown("<unk>").addAll(List.of("the", "the", "cat", "emu", "yak")).build();
    // ids: <pad>=0, <unk>=1, the=2, cat=3, emu=4, yak=5
    try (PretrainedEmbedding p = PretrainedEmbedding.load(VECTORS, vocab, true)) {
      Embedding e = p.embedding();
      assertEquals(6, e.numEmbeddings());
      assertEquals(0, e.paddingIdx().orElseThrow());
      assertTrue(e.frozen());
      FloatTensor w = e.weightTensor();
      assertArrayEquals(new float[] {0, 0}, w.row(0), "missing padding row is zero");
      assertArrayEquals(new float[] {5, 6}, w.row(2));
      assertArrayEquals(new float[] {1, 2}, w.row(3));
      assertFalse(w.row(4)[0] == 0 && w.row(4)[1] == 0);
      assertEquals(new Coverage(2, 3, List.of("<unk>", "emu", "yak")), p.coverage());
      assertEquals("2 of 5 tokens found (40.0%); missing: <unk>, emu, yak", p.coverage().toString());
    }
  }

  @Test
  void isDeterministicAndCoversHashBuckets() {
    Vocabulary vocab = Vocabulary.of(List.of("dog", "zebra")).withOov(dev.emb4j.vocab.OovPolicy.HASH, 3);
    PretrainedAlignment a = PretrainedAlignment.align(VECTORS, vocab, 5);
    PretrainedAlignment b = PretrainedAlignment.align(VECTORS, vocab, 5);
    assertEquals(5, a.weights().rows());
    assertArrayEquals(a.weights().toTensor().data(), b.weights().toTensor().data());
    assertArrayEquals(new float[] {3, 4}, a.weights().toTensor().row(0));
    try (PretrainedEmbedding p = PretrainedEmbedding.load(VECTORS, vocab, false)) {
      assertFalse(p.embedding().frozen());
      assertTrue(p.embedding().paddingIdx().isEmpty());
    }
  }

  @Test
  void vectorsWithoutTokensAreRejected() {
    Vectors noTokens = Vectors.of(null, HeapRowStore.wrap(new float[] {1, 2}, 2));
    assertThrows(IllegalArgumentException.class, () -> PretrainedEmbedding.load(noTokens, Vocabulary.of(List.of("a")), true));
  }
}
