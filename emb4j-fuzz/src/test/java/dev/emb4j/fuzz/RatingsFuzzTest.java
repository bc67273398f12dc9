package dev.emb4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.task.Ratings;
import dev.emb4j.task.RatingsFormatException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The ratings reader of {@code recommend}: a file reads, or is rejected with {@link RatingsFormatException}; with
 * skipping, only invalid UTF-8 is rejected, and every rating read is finite.
 */
class RatingsFuzzTest {
  @Fuzz
  void ratings(byte[] data) throws IOException {
    Path in = Contracts.file("in.ratings", data);
    try {
      Ratings.load(in, false);
    } catch (RatingsFormatException expected) {
      // rejected cleanly
    }
    Ratings.Loaded skipping;
    try {
      skipping = Ratings.load(in, true);
    } catch (RatingsFormatException e) {
      assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
      return;
    }
    for (float v : skipping.ratings().values()) {
      assertTrue(Float.isFinite(v), "rating " + v);
    }
  }
}
