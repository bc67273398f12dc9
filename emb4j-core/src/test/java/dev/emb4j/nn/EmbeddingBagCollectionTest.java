package dev.emb4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.KeyedJaggedTensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A collection pools each feature as its table alone would, and trains every table in one step. */
class EmbeddingBagCollectionTest {

  static EmbeddingBag genreTable() {
    return EmbeddingBag.builder(10, 3).mode(BagMode.SUM).sparse(true).initializer(Initializer.normal(5)).build();
  }

  static DynamicEmbeddingBag userTable() {
    return DynamicEmbeddingBag.builder(100, 2)
        .mode(BagMode.SUM)
        .sparse(true)
        .initializer(Initializer.normal(0, 1, 6))
        .build();
  }

  // two samples: genres [1, 2] and [3]; liked genres (sharing the genre table) [] and [2, 2]; users 900 and -4
  static KeyedJaggedTensor batch(float[] weights) {
    return KeyedJaggedTensor.of(
        List.of("genres", "liked", "user"),
        new long[] {1, 2, 3, 2, 2, 900, -4},
        new int[] {2, 1, 0, 2, 1, 1},
        weights);
  }

  @Test
  void eachFeatureIsPooledAsItsTableWouldPoolItAlone() {
    try (EmbeddingBagCollection ebc =
            EmbeddingBagCollection.builder()
                .table("genre", genreTable(), "genres", "liked")
                .table("users", userTable(), "user")
                .build();
        EmbeddingBag genres = genreTable()) {
      Map<String, Variable> pooled = ebc.forward(batch(null));
      assertEquals(List.of("genres", "liked", "user"), List.copyOf(pooled.keySet()));
      assertEquals(
          genres.lookup(IndexTensor.of(1L, 2, 3), IndexTensor.of(0L, 2)).output(), pooled.get("genres").value());
      assertEquals(
          genres.lookup(IndexTensor.of(2L, 2), IndexTensor.of(0L, 0)).output(), pooled.get("liked").value());
      assertEquals(2, pooled.get("user").value().shape().dim(0));
      assertEquals(List.of("genre.weight", "users.ids", "users.table.weight"), List.copyOf(ebc.namedParameters().keySet()));
    }
  }

  @Test
  void oneBackwardAndOneStepTrainEveryTable() {
    try (EmbeddingBagCollection ebc =
        EmbeddingBagCollection.builder().table("genre", genreTable(), "genres", "liked").table("users", userTable(), "user").build()) {
      Adagrad opt = new Adagrad(ebc.parameters(), Adagrad.Config.of(0.1));
      FloatTensor genresBefore = ((EmbeddingBag) ebc.namedChildren().get("genre")).weightTensor();
      Map<String, Variable> pooled = ebc.forward(batch(null));
      Variable loss = Ops.add(Ops.add(Ops.sum(pooled.get("genres")), Ops.sum(pooled.get("liked"))), Ops.sum(pooled.get("user")));
      loss.backward();
      opt.step();
      FloatTensor genresAfter = ((EmbeddingBag) ebc.namedChildren().get("genre")).weightTensor();
      // rows 1, 2, 3 moved (2 through both features), row 0 did not
      for (int r = 0; r < 4; r++) {
        boolean moved = genresAfter.get(r * 3) != genresBefore.get(r * 3);
        assertEquals(r != 0, moved, "row " + r);
      }
      DynamicEmbeddingBag users = (DynamicEmbeddingBag) ebc.namedChildren().get("users");
      assertEquals(2, users.size());
    }
  }

  @Test
  void weightsArePerSampleWeightsOfTheirTables() {
    try (EmbeddingBagCollection ebc =
            EmbeddingBagCollection.builder().table("genre", genreTable(), "genres", "liked").table("users", userTable(), "user").build();
        EmbeddingBag genres = genreTable()) {
      float[] w = {0.5f, 2, 1, 3, 4, 1, 1};
      Map<String, Variable> pooled = ebc.forward(batch(w));
      assertEquals(
          genres.lookup(IndexTensor.of(2L, 2), IndexTensor.of(0L, 0), FloatTensor.vector(3, 4)).output(),
          pooled.get("liked").value());
    }
  }

  @Test
  void mismatchedFeaturesAreNamed() {
    try (EmbeddingBagCollection ebc = EmbeddingBagCollection.builder().table("genre", genreTable(), "genres", "liked").build()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ebc.forward(KeyedJaggedTensor.of(List.of("genres", "year"), new long[] {1}, new int[] {1, 0})));
      assertEquals(
          "the input's features [genres, year] do not match the collection's [genres, liked]: missing [liked]: read"
              + " by no table [year]",
          e.getMessage());
    }
    IllegalArgumentException twice =
        assertThrows(
            IllegalArgumentException.class,
            () -> EmbeddingBagCollection.builder().table("a", genreTable(), "x").table("b", genreTable(), "x"));
    assertEquals("feature 'x' is already read by a table; a feature is pooled by one table", twice.getMessage());
  }

  @Test
  void keyedJaggedTensorChecksItsShape() {
    assertEquals(
        "the lengths sum to 3 but 2 values were given",
        assertThrows(
                IllegalArgumentException.class,
                () -> KeyedJaggedTensor.of(List.of("a"), new long[] {1, 2}, new int[] {1, 2}))
            .getMessage());
    assertEquals(
        "length -1 of key 'b' at sample 0 is negative",
        assertThrows(
                IllegalArgumentException.class,
                () -> KeyedJaggedTensor.of(List.of("a", "b"), new long[] {1, 2}, new int[] {3, -1}))
            .getMessage());
    assertEquals(
        "3 lengths do not split evenly over the 2 keys [a, b] (one length per key and sample)",
        assertThrows(
                IllegalArgumentException.class,
                () -> KeyedJaggedTensor.of(List.of("a", "b"), new long[] {1}, new int[] {1, 0, 0}))
            .getMessage());
    KeyedJaggedTensor kjt = batch(null);
    assertEquals(2, kjt.stride());
    assertArrayEquals(new long[] {0, 0}, kjt.offsets("liked").toLongArray());
    assertArrayEquals(new long[] {900, -4}, kjt.values("user").toLongArray());
    assertEquals("KeyedJaggedTensor(keys=[genres, liked, user], stride=2, values=7)", kjt.toString());
  }
}
