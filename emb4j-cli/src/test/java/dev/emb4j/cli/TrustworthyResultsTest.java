package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.emb4j.internal.format.Json;
import dev.emb4j.task.EpochSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results people can trust: a diverged run is an error and saves nothing, JSON never shows NaN as a number, ratings
 * out of range and empty vocabularies are refused, predictions are unambiguous, and messages name what they are about.
 */
class TrustworthyResultsTest {
  @TempDir Path dir;

  private Path ratings(String name, long seed, int n) throws IOException {
    return TestFiles.ratings(dir, name, seed, n);
  }

  private Path texts(String name, long seed, int n, String first, String second) throws IOException {
    return TestFiles.texts(dir, name, seed, n, first, second);
  }

  private static void assertOneLineFailure(CliRun r, String start) {
    assertEquals(1, r.exitCode(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
    assertTrue(r.err().startsWith("emb4j: " + start), r.err());
  }

  @Test
  void aDivergedRecommenderIsAnErrorAndNoModelIsSaved() throws Exception {
    Path model = dir.resolve("nan.model");
    CliRun r =
        CliRun.run("recommend", "train", "--train", ratings("train.tsv", 1, 500).toString(), "--test",
            ratings("test.tsv", 2, 100).toString(), "--output", model.toString(), "--optimizer", "SGD", "--lr", "100",
            "--epochs", "3", "--json");
    assertOneLineFailure(r, "training diverged in epoch 1 of 3, at step ");
    assertEquals("", r.out(), "no JSON claiming an RMSE");
    assertFalse(Files.exists(model));
  }

  @Test
  @SuppressWarnings("unchecked")
  void movieLensAsInTheIssue() throws Exception {
    // The data lies beside the repository (../shared from its root); surefire runs in the module's folder.
    Path ml = Path.of(System.getProperty("user.dir")).resolve("../../shared/data/movielens-100k").normalize();
    assumeTrue(Files.isReadable(ml.resolve("u1.base")), "MovieLens-100k is not under " + ml);
    Path model = dir.resolve("o.model");
    String[] common = {"recommend", "train", "--train", ml.resolve("u1.base").toString(), "--test",
        ml.resolve("u1.test").toString(), "--output", model.toString(), "--json"};
    CliRun diverged = CliRun.run(concat(common, "--optimizer", "SGD", "--lr", "100", "--epochs", "3"));
    assertOneLineFailure(diverged, "training diverged in epoch 1 of 3, at step ");
    assertFalse(Files.exists(model));

    CliRun fine = CliRun.run(concat(common, "--rating-range", "1:5", "--epochs", "2", "--dim", "16"));
    assertEquals(0, fine.exitCode(), fine.err());
    Map<String, Object> o = (Map<String, Object>) Json.parse(fine.out().strip());
    double rmse = (Double) o.get("rmse");
    assertTrue(rmse > 0.85 && rmse < 1.2, fine.out());
    assertEquals(2, ((List<Object>) o.get("history")).size(), fine.out());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aDivergedClassifierIsAnErrorAndNoModelIsSaved() throws Exception {
    Path model = dir.resolve("nan.model");
    CliRun r =
        CliRun.run("classify", "train", "--input", texts("t.tsv", 1, 300, "a", "b").toString(), "--output",
            model.toString(), "--lr", "1e30", "--epochs", "3", "-q");
    assertOneLineFailure(r, "training diverged in epoch ");
    assertTrue(r.err().contains("try a learning rate below 1.0E30"), r.err());
    assertFalse(Files.exists(model));
  }

  @Test
  void jsonWritesNullForNaNAndInfinityNeverAZero() {
    assertNull(JsonOutput.rounded(Double.NaN, 4));
    assertNull(JsonOutput.rounded(Double.POSITIVE_INFINITY, 4));
    assertNull(JsonOutput.finite(Float.NaN));
    assertEquals(0.1235, JsonOutput.rounded(0.12345678, 4));
    assertEquals(1e300, JsonOutput.rounded(1e300, 4), "too large to round: kept as it is");
    List<Object> history =
        JsonOutput.history(List.of(new EpochSummary(1, 1, Double.NaN, 0.1, 2, Map.of("rmse", Double.NaN))));
    assertEquals("[{\"epoch\":1,\"loss\":null,\"lr\":0.1,\"seconds\":2.0,\"validation\":{\"rmse\":null}}]",
        Json.write(history));
  }

  @Test
  void ratingsOutsideTheRangeAreRefusedNamingFileAndLine() throws Exception {
    Path huge = dir.resolve("huge.tsv");
    Files.writeString(huge, "1\t10\t5\n2\t11\t1e30\n3\t10\t4\n");
    Path model = dir.resolve("r.model");
    CliRun r = CliRun.run("recommend", "train", "--train", huge.toString(), "--output", model.toString(), "-q");
    assertOneLineFailure(r, huge + ":2: rating 1e30 is outside the accepted range -1000000:1000000");
    assertFalse(Files.exists(model));

    Path six = dir.resolve("six.tsv");
    Files.writeString(six, "1\t10\t5\n2\t11\t6\n3\t10\t4\n");
    CliRun scale =
        CliRun.run("recommend", "train", "--train", six.toString(), "--output", model.toString(), "-q",
            "--rating-range", "1:5");
    assertOneLineFailure(scale, six + ":2: rating 6 is outside the accepted range 1:5");
    CliRun skipped =
        CliRun.run("recommend", "train", "--train", six.toString(), "--output", model.toString(), "-q",
            "--rating-range", "1:5", "--skip-bad-lines", "--epochs", "1");
    assertEquals(0, skipped.exitCode(), skipped.err());
    assertTrue(skipped.out().contains("skipped 1 malformed line"), skipped.out());

    CliRun test = CliRun.run("recommend", "test", "--model", model.toString(), "--test", six.toString(),
        "--rating-range", "1:5");
    assertOneLineFailure(test, six + ":2: rating 6 is outside");

    CliRun usage = CliRun.run("recommend", "train", "--train", six.toString(), "--output", model.toString(),
        "--rating-range", "5");
    assertEquals(2, usage.exitCode(), usage.err());
    assertTrue(usage.err().contains("--rating-range"), usage.err());
  }

  @Test
  void anEmptyVocabularyIsAnError() throws Exception {
    Path model = dir.resolve("empty.model");
    CliRun r =
        CliRun.run("classify", "train", "--input", texts("t.tsv", 1, 50, "a", "b").toString(), "--output",
            model.toString(), "--min-count", "1000000", "-q");
    assertOneLineFailure(r, "empty vocabulary: no word occurs at least 1000000 times");
    assertFalse(Files.exists(model));
  }

  @Test
  void ngramsZeroNamesOnlyWhatTheUserGave() throws Exception {
    CliRun r =
        CliRun.run("classify", "train", "--input", texts("t.tsv", 1, 50, "a", "b").toString(), "--output",
            dir.resolve("m.model").toString(), "--ngrams", "0", "-q");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("Invalid value for option '--ngrams'") && r.err().contains("got '0'"), r.err());
    assertFalse(r.err().contains("buckets"), r.err());
  }

  @Test
  @SuppressWarnings("unchecked")
  void predictJsonIsUnambiguousForLabelsWithSpaces() throws Exception {
    Path model = dir.resolve("m.model");
    CliRun t =
        CliRun.run("classify", "train", "--input", texts("t.tsv", 1, 400, "very good", "not good").toString(),
            "--output", model.toString(), "--dim", "8", "--epochs", "5", "-q");
    assertEquals(0, t.exitCode(), t.err());
    Path msgs = dir.resolve("msgs.txt");
    Files.writeString(msgs, "the team scored a goal\njava code in the cloud\n");
    CliRun p = CliRun.run("classify", "predict", "--model", model.toString(), "-k", "2", "--json", msgs.toString());
    assertEquals(0, p.exitCode(), p.err());
    assertEquals(2, p.outLines().size(), "one object per input line");
    for (int line = 0; line < 2; line++) {
      Map<String, Object> o = (Map<String, Object>) Json.parse(p.outLines().get(line));
      List<Object> predictions = (List<Object>) o.get("predictions");
      assertEquals(2, predictions.size());
      Map<String, Object> best = (Map<String, Object>) predictions.get(0);
      assertEquals(line == 0 ? "very good" : "not good", best.get("label"), p.out());
      assertTrue((Double) best.get("probability") > 0.5, p.out());
    }
  }

  @Test
  void aModelOfTheWrongKindIsNamed() throws Exception {
    Path recommender = dir.resolve("r.model");
    assertEquals(0, CliRun.run("recommend", "train", "--train", ratings("r.tsv", 1, 50).toString(), "--output",
        recommender.toString(), "-q", "--epochs", "1").exitCode());
    CliRun wrong =
        CliRun.run("classify", "predict", "--model", recommender.toString(), dir.resolve("r.tsv").toString());
    assertOneLineFailure(wrong, recommender + " holds a recommender (saved by 'recommend train'), not a text classifier");

    Path classifier = dir.resolve("c.model");
    assertEquals(0, CliRun.run("classify", "train", "--input", texts("t.tsv", 1, 50, "a", "b").toString(),
        "--output", classifier.toString(), "-q", "--epochs", "1").exitCode());
    CliRun other = CliRun.run("recommend", "topk", "--model", classifier.toString(), "--user", "1");
    assertOneLineFailure(other, classifier + " holds a model of kind 'emb4j-text-classifier', not a recommender");
  }
}
