package dev.emb4j.bench;

import dev.emb4j.internal.format.Json;
import dev.emb4j.metrics.RegressionMetrics;
import dev.emb4j.task.MatrixFactorizationTrainer;
import dev.emb4j.task.MatrixFactorizationTrainer.Config;
import dev.emb4j.task.Ratings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains biased matrix factorisation on MovieLens-100k's {@code u1.base} and reports test RMSE/MAE on {@code
 * u1.test} with the training time, as one JSON line. The data is not redistributable, so it is read from {@code
 * ../shared/data/movielens-100k} (or the folder given as the first argument); when it is absent the evaluation says
 * so and exits 0.
 *
 * <p>Run: {@code java -cp emb4j-bench/target/benchmarks.jar dev.emb4j.bench.MovieLensEvaluation [DIR]}. Training is
 * single-threaded.
 */
public final class MovieLensEvaluation {
  private MovieLensEvaluation() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "../shared/data/movielens-100k");
    Path trainFile = dir.resolve("u1.base");
    Path testFile = dir.resolve("u1.test");
    if (!Files.isReadable(trainFile) || !Files.isReadable(testFile)) {
      System.out.println("skipped: MovieLens-100k u1.base/u1.test not found under " + dir.toAbsolutePath());
      return;
    }
    Ratings train = Ratings.read(trainFile);
    Ratings test = Ratings.read(testFile);
    Config config = Config.defaults();
    MatrixFactorizationTrainer.Result result = new MatrixFactorizationTrainer(config).train(train);
    RegressionMetrics m = result.evaluate(test);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", "movielens-100k-u1-biased-mf");
    out.put("train_ratings", train.size());
    out.put("test_ratings", test.size());
    out.put("dim", config.dim());
    out.put("epochs", config.epochs());
    out.put("optimizer", config.optimizer().name());
    out.put("threads", 1);
    out.put("rmse", round(m.rmse()));
    out.put("mae", round(m.mae()));
    out.put("seconds", round(result.seconds()));
    System.out.println(Json.write(out));
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
