package dev.emb4j.fuzz;

import dev.emb4j.checkpoint.Checkpoint;
import dev.emb4j.checkpoint.CheckpointFormatException;
import dev.emb4j.task.MatrixFactorizationTrainer;
import dev.emb4j.task.Ratings;
import dev.emb4j.task.Recommender;
import dev.emb4j.task.text.LabeledText;
import dev.emb4j.task.text.TextClassifier;
import dev.emb4j.task.text.TextClassifierTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checkpoint reader and the two model loaders on top of it ({@code classify} and {@code recommend} models): a
 * file loads, or is rejected with {@link CheckpointFormatException}. The seeds are two tiny models, made here.
 */
class ModelFuzzTest {
  static Stream<byte[]> models() throws IOException {
    TextClassifier classifier =
        new TextClassifierTrainer(TextClassifierTrainer.Config.builder().dim(2).epochs(1).buckets(4).build())
            .train(List.of(new LabeledText("a", List.of("x", "y"), 1), new LabeledText("b", List.of("z"), 2)))
            .model();
    Path c = Contracts.DIR.resolve("seed-classifier.model");
    classifier.save(c);
    Ratings ratings = new Ratings(new long[] {1, 2, 1}, new long[] {7, 7, 8}, new float[] {5, 3, 4});
    MatrixFactorizationTrainer.Result mf =
        new MatrixFactorizationTrainer(MatrixFactorizationTrainer.Config.builder().dim(2).epochs(1).build())
            .train(ratings);
    Path r = Contracts.DIR.resolve("seed-recommender.model");
    Recommender.of(mf, ratings).save(r);
    return Stream.of(Files.readAllBytes(c), Files.readAllBytes(r));
  }

  @MethodSource("models")
  @Fuzz
  void model(byte[] data) throws IOException {
    Path in = Contracts.file("in.model", data);
    try {
      Checkpoint.read(in);
    } catch (CheckpointFormatException expected) {
      return;
    }
    try {
      TextClassifier.load(in);
    } catch (CheckpointFormatException expected) {
      // rejected cleanly
    }
    try {
      Recommender.load(in);
    } catch (CheckpointFormatException expected) {
      // rejected cleanly
    }
  }
}
