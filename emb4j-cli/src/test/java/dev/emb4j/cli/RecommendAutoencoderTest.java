package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.emb4j.internal.format.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code emb4j recommend train --autoencoder}: the blend it saves, its output, and what it refuses. */
class RecommendAutoencoderTest {
  @TempDir Path dir;

  private static String[] args(Path train, Path model, String... extra) {
    String[] base = {"recommend", "train", "--train", train.toString(), "--output", model.toString(), "-q",
        "--epochs", "20", "--dim", "8"};
    String[] out = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, out, base.length, extra.length);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(CliRun r) {
    assertEquals(0, r.exitCode(), r.err());
    return (Map<String, Object>) Json.parse(r.out().strip());
  }

  @Test
  @SuppressWarnings("unchecked")
  void theSavedBlendScoresAsReportedAndTheOutputNamesBothParts() throws Exception {
    Path train = TestFiles.ratings(dir, "train.tsv", 1, 500);
    Path test = TestFiles.ratings(dir, "test.tsv", 2, 100);
    Path model = dir.resolve("blend.model");
    Map<String, Object> o =
        json(CliRun.run(args(train, model, "--test", test.toString(), "--autoencoder", "16", "--autoencoder-epochs",
            "100", "--autoencoder-l2", "1", "--blend-weight", "0.6", "--json")));
    assertEquals(0.6, o.get("blend_weight"));
    double blend = (Double) o.get("rmse");
    double mf = (Double) o.get("model_rmse");
    double ae = (Double) o.get("autoencoder_rmse");
    assertTrue(blend <= Math.max(mf, ae) + 1e-4, o.toString());
    assertTrue(o.containsKey("autoencoder_mae") && o.containsKey("model_mae") && o.containsKey("autoencoder_seconds"));
    assertEquals(20, ((List<Object>) o.get("history")).size(), "the history stays the model's");

    Map<String, Object> e =
        json(CliRun.run("recommend", "test", "--model", model.toString(), "--test", test.toString(), "--json"));
    assertEquals(blend, (Double) e.get("rmse"), 1e-4, "the saved blend scores as reported");
    CliRun top = CliRun.run("recommend", "topk", "--model", model.toString(), "--user", "2", "-k", "3");
    assertEquals(0, top.exitCode(), top.err());
    assertEquals(3, top.outLines().size());

    CliRun text = CliRun.run(args(train, dir.resolve("t.model"), "--test", test.toString(), "--autoencoder", "8",
        "--autoencoder-epochs", "5"));
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().contains("blend: 0.35 * model + 0.65 * autoencoder"), text.out());
    assertTrue(text.out().contains("  autoencoder: RMSE "), text.out());
  }

  @Test
  void combinationsWithoutMeaningAreRefusedInOneLine() throws Exception {
    Path train = TestFiles.ratings(dir, "train.tsv", 1, 200);
    Path model = dir.resolve("never.model");
    String[][] cases = {
      {"--blend-weight", "0.3"},
      {"--autoencoder-epochs", "3"},
      {"--autoencoder", "8", "--implicit"},
      {"--autoencoder", "8", "--store", "offheap"},
      {"--autoencoder", "8", "--blend-weight", "1.5"},
      {"--autoencoder", "0"},
    };
    String[] says = {
      "--blend-weight needs --autoencoder H",
      "--autoencoder-epochs needs --autoencoder H",
      "not with --implicit, --cluster or --store",
      "not with --implicit, --cluster or --store",
      "--blend-weight must be in [0, 1], got 1.5",
      "--autoencoder",
    };
    for (int k = 0; k < cases.length; k++) {
      CliRun r = CliRun.run(args(train, model, cases[k]));
      assertEquals(2, r.exitCode(), r.err());
      assertTrue(r.err().contains(says[k]), r.err());
      assertFalse(Files.exists(model));
    }
  }

  @Test
  void movieLensU1BlendSitsBelowTheWorsePart() throws Exception {
    // The data lies beside the repository (../shared from its root); surefire runs in the module's folder.
    Path ml = Path.of(System.getProperty("user.dir")).resolve("../../shared/data/movielens-100k").normalize();
    assumeTrue(Files.isReadable(ml.resolve("u1.base")), "MovieLens-100k is not under " + ml);
    Map<String, Object> o =
        json(CliRun.run("recommend", "train", "--train", ml.resolve("u1.base").toString(), "--test",
            ml.resolve("u1.test").toString(), "--output", dir.resolve("ml.model").toString(), "-q", "--json",
            "--epochs", "5", "--autoencoder", "200", "--autoencoder-epochs", "150", "--blend-weight", "0.5"));
    double blend = (Double) o.get("rmse");
    double mf = (Double) o.get("model_rmse");
    double ae = (Double) o.get("autoencoder_rmse");
    assertTrue(ae < 1.0 && mf < 0.95, o.toString());
    assertTrue(blend < Math.max(mf, ae), o.toString());
    assertEquals(1650.0, o.get("items"), "u1.base's items, without features");
  }
}
