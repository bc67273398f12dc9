package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code emb4j classify}: train, test and predict on small files, including malformed ones. */
class ClassifyCommandTest {
  @TempDir Path dir;

  private Path texts(String name, long seed, int n, boolean fastTextFormat) throws IOException {
    return texts(dir, name, seed, n, fastTextFormat);
  }

  /** {@code n} texts about sport or tech in {@code dir/name}, fastText's format or tab-separated. */
  static Path texts(Path dir, String name, long seed, int n, boolean fastTextFormat) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    String[] sport = {"goal", "match", "team", "score"};
    String[] tech = {"code", "cpu", "java", "cloud"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      boolean s = rng.nextBoolean();
      StringBuilder text = new StringBuilder();
      for (int j = 0; j < 6; j++) {
        text.append(rng.nextInt(3) == 0 ? (s ? sport : tech)[rng.nextInt(4)] : "w" + rng.nextInt(50)).append(' ');
      }
      String label = s ? "sport" : "tech";
      sb.append(fastTextFormat ? "__label__" + label + " " + text : label + "\t" + text).append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  @Test
  void aClassifierTrainedOnAMappedTableIsTheSameModel() throws Exception {
    Path train = texts("train.txt", 1, 300, true);
    Path heap = dir.resolve("heap.model");
    Path mapped = dir.resolve("mapped.model");
    String[] common = {"--dim", "8", "--epochs", "3", "--threads", "1", "--deterministic", "-q"};
    CliRun h = CliRun.run(concat(new String[] {"classify", "train", "--input", train.toString(), "--output", heap.toString()}, common));
    assertEquals(0, h.exitCode(), h.err());
    Path table = dir.resolve("input.emb4j");
    CliRun m =
        CliRun.run(
            concat(
                new String[] {"classify", "train", "--input", train.toString(), "--output", mapped.toString(),
                  "--store", "mapped", "--table-file", table.toString()},
                common));
    assertEquals(0, m.exitCode(), m.err());
    assertTrue(Files.exists(table));
    // one thread, the same seed, eager rows: the same arithmetic on the same values, wherever the rows live
    CliRun a = CliRun.run("classify", "predict", "--model", heap.toString(), "-k", "2", train.toString());
    CliRun b = CliRun.run("classify", "predict", "--model", mapped.toString(), "-k", "2", train.toString());
    assertEquals(0, a.exitCode(), a.err());
    assertEquals(a.out(), b.out());
  }

  static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void trainTestPredict() throws Exception {
    Path train = texts("train.txt", 1, 600, true);
    Path test = texts("test.tsv", 2, 200, false);
    Path model = dir.resolve("c.model");
    CliRun t =
        CliRun.run("classify", "train", "--input", train.toString(), "--output", model.toString(), "--dim", "16",
            "--epochs", "10", "--json", "--threads", "2");
    assertEquals(0, t.exitCode(), t.err());
    Map<String, Object> o = (Map<String, Object>) Json.parse(t.out().strip());
    assertEquals(600.0, o.get("examples"));
    assertTrue((Double) o.get("words_per_sec_per_thread") > 0 && o.containsKey("seconds"), t.out());
    assertEquals(2.0, o.get("threads"));

    CliRun ev = CliRun.run("classify", "test", "--model", model.toString(), "--input", test.toString(), "--json");
    assertEquals(0, ev.exitCode(), ev.err());
    Map<String, Object> e = (Map<String, Object>) Json.parse(ev.out().strip());
    assertEquals(200.0, e.get("n"));
    assertTrue((Double) e.get("accuracy") >= 0.9, ev.out());
    assertTrue(((Map<String, Object>) e.get("classes")).containsKey("sport"));

    CliRun text = CliRun.run("classify", "test", "--model", model.toString(), "--input", test.toString());
    assertTrue(text.out().startsWith("N\t200\nP@1\t"), text.out());
    assertTrue(text.out().contains("precision") && text.out().contains("recall"), text.out());

    Path msgs = dir.resolve("msgs.txt");
    Files.writeString(msgs, "the team scored a goal\n__label__x java code in the cloud\n");
    CliRun p = CliRun.run("classify", "predict", "--model", model.toString(), "-k", "2", msgs.toString());
    assertEquals(0, p.exitCode(), p.err());
    assertEquals(2, p.outLines().size());
    assertTrue(p.outLines().get(0).matches("sport [01]\\.\\d{4} tech [01]\\.\\d{4}"), p.out());
    assertTrue(p.outLines().get(1).matches("tech [01]\\.\\d{4} sport [01]\\.\\d{4}"), p.out());
  }

  @Test
  @SuppressWarnings("unchecked")
  void aQuantizedModelIsSmallerAndTestsAsAnyModel() throws Exception {
    Path train = texts("train.txt", 1, 600, true);
    Path test = texts("test.tsv", 2, 200, false);
    Path model = dir.resolve("c.model");
    assertEquals(0, CliRun.run("classify", "train", "--input", train.toString(), "--output", model.toString(), "--dim",
        "16", "--epochs", "10", "-q").exitCode());
    Path int8 = dir.resolve("c-int8.model");
    CliRun q = CliRun.run("classify", "quantize", model.toString(), int8.toString(), "--dtype", "int8");
    assertEquals(0, q.exitCode(), q.err());
    assertTrue(q.out().contains("to int8: " + int8), q.out());
    assertTrue(Files.size(int8) < Files.size(model) / 2, Files.size(int8) + " vs " + Files.size(model));
    double[] accuracy = new double[2];
    for (int k = 0; k < 2; k++) {
      CliRun ev = CliRun.run("classify", "test", "--model", (k == 0 ? model : int8).toString(), "--input",
          test.toString(), "--json");
      assertEquals(0, ev.exitCode(), ev.err());
      accuracy[k] = (Double) ((Map<String, Object>) Json.parse(ev.out().strip())).get("accuracy");
    }
    assertEquals(accuracy[0], accuracy[1], 0.02, "float32 vs int8 accuracy");
    CliRun again = CliRun.run("classify", "quantize", int8.toString(), dir.resolve("x.model").toString(), "--dtype", "int4");
    assertEquals(1, again.exitCode());
    assertTrue(again.err().contains("is already quantized (int8)"), again.err());
    CliRun bad = CliRun.run("classify", "quantize", model.toString(), dir.resolve("y.model").toString(), "--dtype", "f16");
    assertEquals(2, bad.exitCode());
    assertTrue(bad.err().contains("--dtype") && bad.err().contains("must be int8 or int4, got 'f16'"), bad.err());
  }

  @Test
  void badInputGivesOneClearLine() throws Exception {
    Path bad = dir.resolve("bad.txt");
    Files.writeString(bad, "__label__a hello\nno label at all\n__label__b bye\n");
    Path model = dir.resolve("never.model");
    CliRun r = CliRun.run("classify", "train", "--input", bad.toString(), "--output", model.toString(), "-q");
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("emb4j: " + bad + ":2: has no label"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(model), "no model file after a failure");

    CliRun skipped =
        CliRun.run("classify", "train", "--input", bad.toString(), "--output", model.toString(), "-q",
            "--skip-bad-lines", "--epochs", "2");
    assertEquals(0, skipped.exitCode(), skipped.err());
    assertTrue(skipped.out().contains("skipped 1 malformed line"), skipped.out());

    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "\n\n");
    CliRun e = CliRun.run("classify", "train", "--input", empty.toString(), "--output", model.toString(), "-q");
    assertEquals(1, e.exitCode());
    assertTrue(e.err().contains("has no labelled texts"), e.err());

    Path unknown = dir.resolve("unknown.txt");
    Files.writeString(unknown, "__label__c something new\n");
    CliRun u = CliRun.run("classify", "test", "--model", model.toString(), "--input", unknown.toString());
    assertEquals(1, u.exitCode());
    assertTrue(u.err().contains("label 'c' on line 1 was not seen in training"), u.err());

    Path recommender = dir.resolve("r.model");
    Path ratings = dir.resolve("r.tsv");
    Files.writeString(ratings, "1\t1\t5\n2\t1\t3\n1\t2\t4\n");
    assertEquals(0, CliRun.run("recommend", "train", "--train", ratings.toString(), "--output",
        recommender.toString(), "-q", "--epochs", "1").exitCode());
    CliRun wrongKind = CliRun.run("classify", "test", "--model", recommender.toString(), "--input", bad.toString());
    assertEquals(1, wrongKind.exitCode());
    assertTrue(wrongKind.err().contains(recommender + " holds a recommender"), wrongKind.err());
  }
}
