package dev.emb4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.emb4j.Emb4j;
import dev.emb4j.nn.Embedding;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs each example's {@code main} as a user would and checks the lines it prints. */
class ExamplesTest {

  /** An example's {@code main} with its arguments. */
  private interface Main {
    void run() throws Exception;
  }

  /** What {@code main} printed to {@code System.out}. */
  private static String run(Main main) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      main.run();
    } finally {
      System.setOut(original);
    }
    String out = buffer.toString(StandardCharsets.UTF_8);
    original.print(out); // in the test log too, for whoever reads it
    return out;
  }

  private static void assertPrinted(String out, String... expected) {
    for (String e : expected) {
      assertTrue(out.contains(e), "missing:\n" + e + "\nin:\n" + out);
    }
  }

  private static double number(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    assertTrue(m.find(), "no match for /" + regex + "/ in:\n" + out);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void lookupPrintsRowsOneToThreeOfTheSeededTable() throws Exception {
    String out = run(() -> LookupExample.main(new String[0]));
    Emb4j.manualSeed(42);
    FloatTensor expected;
    try (Embedding table = new Embedding(10, 4)) {
      expected = table.weightTensor().index(IndexTensor.of(1, 2, 3));
    }
    assertPrinted(
        out,
        "ids: IndexTensor([1, 2, 3]",
        "embedding(ids), shape [3, 4]:\n" + expected + "\n",
        "equals weight[ids]: true");
  }

  @Test
  void pretrainedLookupEqualsIndexing() throws Exception {
    String out = run(() -> PretrainedExample.main(new String[0]));
    String rows = FloatTensor.fromArray(new float[][] {{9, 10}, {1, 2}, {5, 6}, {5, 6}}).toString();
    assertPrinted(out, "embedding(ids):\n" + rows + "\nw[ids]:\n" + rows + "\n", "equal: true\nfrozen: true");
  }

  @Test
  void dictionaryPricesABasket() throws Exception {
    String out = run(() -> DictionaryExample.main(new String[0]));
    assertEquals(
        List.of("coffee  7.99", "bread   2.10", "bread   2.10", "milk    1.15", "total  13.34"), out.lines().toList());
  }

  @Test
  void oneHotTimesWeightEqualsTheLookup() throws Exception {
    String out = run(() -> OneHotExample.main(new String[0]));
    assertPrinted(
        out,
        "Embedding(6, 3).weight: [6, 3] = (V, D)",
        "Linear(6, 3).weight:    [3, 6] = (out, in)",
        "embedding(ids) == oneHot(ids) @ W: true",
        "linear(oneHot(ids)) == embedding(ids): true");
  }

  @Test
  void paddingRowStaysZeroAndABadIdIsNamed() throws Exception {
    String out = run(() -> PaddingExample.main(new String[0]));
    String grad =
        FloatTensor.fromArray(new float[][] {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}}).toString();
    assertPrinted(
        out,
        "weight[0] (padding): FloatTensor([[0.0, 0.0, 0.0]])",
        "grad of sum(embedding(ids)):\n" + grad + "\n",
        "weight[0] after a step: FloatTensor([[0.0, 0.0, 0.0]])",
        "out of range: index 7 at position [1, 0] of the indices is out of range for a table of 5 rows (valid 0..4)");
  }

  @Test
  void simpleClassifierLearnsTheTaskAndSurvivesAReload() throws Exception {
    String out = run(() -> SimpleClassifier.main(new String[0]));
    double accuracy = number(out, "test accuracy: ([0-9.]+)");
    assertTrue(accuracy >= 0.99, "accuracy " + accuracy);
    assertTrue(out.contains("reloaded model predicts the same: true"), out);
  }

  @Test
  void recommenderOnSyntheticRatings(@TempDir Path empty) throws Exception {
    String out = run(() -> RecommenderExample.main(new String[] {empty.toString(), "10"}));
    assertTrue(out.startsWith("data: synthetic"), out);
    assertTopFive(out);
    double rmse = number(out, "test RMSE ([0-9.]+)");
    assertTrue(rmse < 0.8, "RMSE " + rmse); // ratings 1..5, spread about 1.2, noise 0.3 before rounding
  }

  @Test
  void recommenderOnMovieLens() throws Exception {
    // The data lies beside the repository (../shared from its root); surefire runs in the module's folder.
    Path dir = Path.of(System.getProperty("user.dir")).resolve("../../shared/data/movielens-100k").normalize();
    assumeTrue(Files.isReadable(dir.resolve("u1.base")), "MovieLens-100k is not under " + dir);
    String out = run(() -> RecommenderExample.main(new String[] {dir.toString(), "5"}));
    assertTrue(out.contains("ratings: 80000 train, 20000 test"), out);
    assertTopFive(out);
    double rmse = number(out, "test RMSE ([0-9.]+)");
    assertTrue(rmse < 0.95, "RMSE " + rmse); // predicting the global mean scores about 1.15
  }

  private static void assertTopFive(String out) {
    long items = out.lines().filter(l -> l.matches(" {2}item +\\d+ {2}predicted [1-5]\\.\\d\\d")).count();
    assertEquals(5, items, out);
  }
}
