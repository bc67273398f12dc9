package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.emb4j.checkpoint.Checkpoint;
import dev.emb4j.internal.format.Json;
import dev.emb4j.store.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recommend train} and {@code classify train} with {@code --dtype}: the saved models keep the 16-bit tables,
 * the commands that read them work, a bad value is a usage error, and on MovieLens (when its files are beside the
 * repository) a bf16 model scores as the float32 one.
 */
class HalfPrecisionTrainingTest {
  @TempDir Path dir;

  @Test
  void aRecommenderTrainedInBf16IsSavedAndUsedInBf16() throws Exception {
    Path train = TestFiles.ratings(dir, "train.tsv", 1, 2000);
    Path test = TestFiles.ratings(dir, "test.tsv", 2, 300);
    Path f32 = dir.resolve("f32.model");
    Path bf16 = dir.resolve("bf16.model");
    for (Object[] run : new Object[][] {{"fp32", f32}, {"bf16", bf16}}) {
      CliRun r =
          CliRun.run("recommend", "train", "--train", train.toString(), "--output", run[1].toString(), "--dtype",
              (String) run[0], "--epochs", "2", "--dim", "32", "-q");
      assertEquals(0, r.exitCode(), r.err());
    }
    assertEquals(DType.BF16, Checkpoint.read(bf16).parameters().get("user.weight").dtype());
    assertEquals(DType.F32, Checkpoint.read(bf16).parameters().get("user_bias.weight").dtype(), "biases stay fp32");
    assertTrue(Files.size(bf16) < Files.size(f32), Files.size(bf16) + " vs " + Files.size(f32));
    CliRun ev = CliRun.run("recommend", "test", "--model", bf16.toString(), "--test", test.toString(), "--json");
    assertEquals(0, ev.exitCode(), ev.err());
    assertTrue(ev.out().contains("\"rmse\""), ev.out());
  }

  @Test
  void aClassifierTrainedInFp16IsSavedAndUsedInFp16() throws Exception {
    Path texts = TestFiles.texts(dir, "t.tsv", 1, 400, "a", "b");
    Path model = dir.resolve("fp16.model");
    CliRun r =
        CliRun.run("classify", "train", "--input", texts.toString(), "--output", model.toString(), "--dtype", "fp16",
            "--epochs", "3", "-q");
    assertEquals(0, r.exitCode(), r.err());
    assertEquals(DType.F16, Checkpoint.read(model).parameters().get("input.weight").dtype());
    CliRun ev = CliRun.run("classify", "test", "--model", model.toString(), "--input", texts.toString(), "--json");
    assertEquals(0, ev.exitCode(), ev.err());
  }

  @Test
  void anUnknownDtypeIsAUsageErrorNamingTheOption() {
    CliRun r = CliRun.run("recommend", "train", "--train", "x", "--output", "y", "--dtype", "int8");
    assertEquals(Emb4jCommand.EXIT_USAGE, r.exitCode(), r.err());
    assertTrue(r.err().contains("--dtype") && r.err().contains("fp32, fp16 or bf16"), r.err());
  }

  @Test
  @SuppressWarnings("unchecked")
  void onMovieLensABf16ModelScoresAsTheFloat32One() throws Exception {
    Path ml = Path.of(System.getProperty("user.dir")).resolve("../../shared/data/movielens-100k").normalize();
    assumeTrue(Files.isReadable(ml.resolve("u1.base")), "MovieLens-100k is not under " + ml);
    double[] rmse = new double[2];
    String[] dtypes = {"fp32", "bf16"};
    for (int k = 0; k < 2; k++) {
      CliRun r =
          CliRun.run("recommend", "train", "--train", ml.resolve("u1.base").toString(), "--test",
              ml.resolve("u1.test").toString(), "--output", dir.resolve(dtypes[k] + ".model").toString(), "--dtype",
              dtypes[k], "--epochs", "5", "--dim", "16", "--json", "-q");
      assertEquals(0, r.exitCode(), r.err());
      rmse[k] = (Double) ((Map<String, Object>) Json.parse(r.out().strip())).get("rmse");
    }
    assertEquals(rmse[0], rmse[1], 0.003, "test RMSE fp32 vs bf16");
  }
}
