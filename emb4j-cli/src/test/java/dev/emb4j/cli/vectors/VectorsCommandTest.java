package dev.emb4j.cli.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.cli.Emb4jCommand;
import dev.emb4j.internal.format.Json;
import dev.emb4j.io.Vectors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VectorsCommandTest {
  @TempDir Path dir;
  private Path glove;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = Emb4jCommand.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @BeforeEach
  void writeVectors() throws IOException {
    glove = dir.resolve("tiny.txt");
    Files.writeString(
        glove,
        String.join(
            "\n",
            "king 0.9 0.9 0.0 0.0",
            "queen 0.9 0.0 0.9 0.0",
            "man 0.0 0.9 0.0 0.1",
            "woman 0.0 0.0 0.9 0.1",
            "apple 0.0 0.0 0.0 1.0",
            ""));
  }

  @Test
  void similarPrintsJsonBestFirstWithoutTheQueryWord() {
    Run r = run("vectors", "similar", glove.toString(), "king", "-k", "2", "--json");
    assertEquals(0, r.exit(), r.err());
    List<?> items = (List<?>) Json.parse(r.out().strip());
    assertEquals(2, items.size());
    Map<?, ?> first = (Map<?, ?>) items.get(0);
    assertEquals(List.of("token", "score"), List.copyOf(first.keySet()));
    assertEquals("man", first.get("token"));
    assertEquals(0.7028, (Double) first.get("score"), 1e-4);
    assertEquals("queen", ((Map<?, ?>) items.get(1)).get("token"));
  }

  @Test
  void severalWordsAnswerWhatOneRunPerWordAnswers() {
    Run both = run("vectors", "similar", glove.toString(), "king", "apple", "king", "-k", "3");
    assertEquals(0, both.exit(), both.err());
    StringBuilder expected = new StringBuilder();
    for (String word : List.of("king", "apple", "king")) {
      Run one = run("vectors", "similar", glove.toString(), word, "-k", "3");
      assertEquals(0, one.exit(), one.err());
      one.out().lines().forEach(line -> expected.append(word).append('\t').append(line).append('\n'));
    }
    assertEquals(expected.toString(), both.out().replace("\r\n", "\n"));
    Run json = run("vectors", "similar", glove.toString(), "king", "apple", "-k", "2", "--json");
    assertEquals(0, json.exit(), json.err());
    List<String> lines = json.out().lines().toList();
    assertEquals(2, lines.size(), json.out());
    assertEquals(run("vectors", "similar", glove.toString(), "apple", "-k", "2", "--json").out().strip(), lines.get(1));
    Run unknown = run("vectors", "similar", glove.toString(), "king", "zebra");
    assertEquals(1, unknown.exit());
    assertEquals("", unknown.out(), "nothing printed before the unknown word is found");
    assertTrue(unknown.err().contains("'zebra'"), unknown.err());
  }

  @Test
  void analogyFindsQueen() {
    Run r = run("vectors", "analogy", glove.toString(), "king", "man", "woman", "-k", "1");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("queen\t"), r.out());
  }

  @Test
  void convertAndInfo() throws IOException {
    Path st = dir.resolve("tiny.safetensors");
    Run r = run("vectors", "convert", glove.toString(), st.toString(), "--dtype", "bf16");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("5 x 4 vectors with tokens"), r.out());
    Run info = run("vectors", "info", st.toString());
    assertEquals(0, info.exit(), info.err());
    assertTrue(info.out().contains("shape:    5 x 4"), info.out());
    assertTrue(info.out().contains("dtype:    bf16"), info.out());
    assertTrue(info.out().contains("first: king queen man woman apple"), info.out());
    assertTrue(info.out().contains("tensor:   weight BF16 [5, 4]"), info.out());
    Path npy = dir.resolve("tiny.npy");
    Run refused = run("vectors", "convert", glove.toString(), npy.toString());
    assertEquals(1, refused.exit());
    assertTrue(refused.err().startsWith("emb4j: ") && refused.err().contains("--drop-tokens"), refused.err());
    assertEquals(1, refused.err().strip().lines().count());
    assertFalse(Files.exists(npy));
    assertEquals(0, run("vectors", "convert", glove.toString(), npy.toString(), "--drop-tokens").exit());
    assertEquals(5, Vectors.read(npy).size());
    Path w2v = dir.resolve("back.bin");
    assertEquals(0, run("vectors", "convert", st.toString(), w2v.toString(), "--progress").exit());
    assertEquals(List.of("king", "queen", "man", "woman", "apple"), Vectors.read(w2v).tokens());
  }

  @Test
  void quantizeInfoAndSimilarOnEveryDtype() throws IOException {
    for (String type : List.of("fp16", "bf16", "int8", "int4")) {
      Path q = dir.resolve(type + ".emb4j");
      Run r = run("vectors", "quantize", glove.toString(), q.toString(), "--dtype", type);
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().startsWith("quantized 5 x 4 vectors with tokens to "), r.out());
      Run info = run("vectors", "info", q.toString());
      assertEquals(0, info.exit(), info.err());
      long rowBytes = switch (type) {
        case "int8" -> 12;
        case "int4" -> 6;
        default -> 8;
      };
      assertTrue(info.out().contains("(" + rowBytes + " bytes per row)"), info.out());
      Run similar = run("vectors", "similar", q.toString(), "king", "-k", "1");
      assertEquals(0, similar.exit(), similar.err());
      assertTrue(similar.out().startsWith("man\t"), type + ": " + similar.out());
    }
    Run info = run("vectors", "info", dir.resolve("int8.emb4j").toString());
    assertTrue(info.out().contains("dtype:    int8 (12 bytes per row), quantized row-wise"), info.out());
    Run refused = run("vectors", "convert", glove.toString(), dir.resolve("c.emb4j").toString(), "--dtype", "int8");
    assertEquals(2, refused.exit());
    assertTrue(refused.err().contains("use 'emb4j vectors quantize"), refused.err());
  }

  @Test
  void aRowThatCannotBeQuantizedIsNamedWithItsTokenAndNothingIsWritten() throws IOException {
    Path bad = dir.resolve("bad.txt");
    Files.writeString(bad, "2 3\nfrog 1 2 3\ntoad 1 nan 3\n");
    Path out = dir.resolve("bad.emb4j");
    Run r = run("vectors", "quantize", bad.toString(), out.toString(), "--dtype", "int8");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("line 3: row 'toad', column 1: value 'nan' is not finite"), r.err());
    assertFalse(Files.exists(out));
    Files.writeString(bad, "2 2\nfrog 1 2\ntoad -3e38 3e38\n");
    Run wide = run("vectors", "quantize", bad.toString(), out.toString(), "--dtype", "int8");
    assertEquals(1, wide.exit());
    assertTrue(wide.err().contains("row 1 ('toad') cannot be quantized to int8: its values span"), wide.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void userErrorsAreOneLineWithExitOne() throws IOException {
    Run unknown = run("vectors", "similar", glove.toString(), "zebra");
    assertEquals(1, unknown.exit());
    assertEquals("emb4j: 'zebra' is not among the 5 tokens of " + glove, unknown.err().strip());
    Path bad = dir.resolve("bad.txt");
    Files.writeString(bad, "2 3\na 1 2 3\nb 1 2\n");
    Run malformed = run("vectors", "info", bad.toString());
    assertEquals(1, malformed.exit());
    assertEquals("emb4j: " + bad + ": line 3: row 'b' has 2 values, expected 3", malformed.err().strip());
    Run similar = run("vectors", "similar", bad.toString(), "a");
    assertEquals(1, similar.exit());
    assertEquals("emb4j: " + bad + ": line 3: row 'b' has 2 values, expected 3", similar.err().strip());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, run("vectors").exit());
    assertEquals(2, run("vectors", "similar", glove.toString()).exit());
    assertEquals(2, run("vectors", "convert", glove.toString(), "x.npy", "--dtype", "f64").exit());
  }

  @Test
  void benchPrintsQueriesPerSecond() {
    Run r = run("vectors", "bench", "--rows", "2000", "--dim", "16", "--queries", "20", "--threads", "2");
    assertEquals(0, r.exit(), r.err());
    Map<?, ?> m = (Map<?, ?>) Json.parse(r.out().strip());
    assertTrue((Double) m.get("qps_1_thread") > 0);
    assertTrue((Double) m.get("qps_2_threads") > 0);
  }

  @Test
  void benchApproximateReportsBuildTimeAndRecallForEachEf() {
    Run r =
        run("vectors", "bench", "--rows", "2000", "--dim", "16", "--queries", "20", "--threads", "1", "--clusters", "20",
            "--approximate", "--ef", "10,400", "--hnsw-m", "8", "--hnsw-beam-width", "50");
    assertEquals(0, r.exit(), r.err());
    Map<?, ?> m = (Map<?, ?>) Json.parse(r.out().strip());
    assertEquals(20.0, m.get("clusters"));
    assertEquals(8.0, m.get("hnsw_m"));
    assertEquals(50.0, m.get("hnsw_beam_width"));
    assertTrue((Double) m.get("approximate_build_seconds") > 0);
    List<?> sweep = (List<?>) m.get("approximate");
    assertEquals(2, sweep.size());
    Map<?, ?> narrow = (Map<?, ?>) sweep.get(0);
    Map<?, ?> wide = (Map<?, ?>) sweep.get(1);
    assertEquals(10.0, narrow.get("ef"));
    assertEquals(narrow.get("recall_at_k"), m.get("recall_at_k"), "the top-level figures are the first --ef's");
    assertTrue((Double) wide.get("recall_at_k") >= 0.95, "ef 400 on 2000 clustered rows: " + wide);
    assertTrue((Double) wide.get("approximate_qps_1_thread") > 0);
    Run tooDense = run("vectors", "bench", "--rows", "100", "--dim", "4", "--approximate", "--hnsw-m", "600");
    assertEquals(1, tooDense.exit());
    assertTrue(tooDense.err().contains("got 600"), tooDense.err());
  }
}
