package dev.emb4j.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.cli.Emb4jCommand;
import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.store.DType;
import dev.emb4j.store.Storage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code emb4j bench} on tiny sizes: every workload runs and prints its JSON line (no timing is asserted). */
class BenchCommandTest {
  private static final Pattern LINE =
      Pattern.compile(
          "\\{\"impl\": \"emb4j-[^\"]+\", \"workload\": \"([a-z-]+)\", \"V\": 1000, \"D\": 17, \"threads\": 2,"
              + " \"ms\": [0-9.]+, \"mrows_per_s\": [0-9.]+, \"best_ms\": [0-9.]+,"
              + " \"cpu_ms\": [0-9.]+, \"jvm\": \"(fresh|after-others|after-all)\","
              + " \"store\": \"(heap|offheap|mapped)\", \"dtype\": \"(fp32|fp16|bf16|int8|int4)\","
              + " \"ids\": \"(uniform|zipf)\", \"id_sets\": [0-9]+, \"rounds\": [0-9]+, \"rss_anon_kb\": [0-9]+,"
              + " \"rss_file_kb\": [0-9]+, \"anon_huge_kb\": [0-9]+, \"table\": \"(dense|dynamic)\""
              + "((, \"[a-z_]+\": [0-9]+){4})?\\}");

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = Emb4jCommand.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int before = Kernels.threads();
    try {
      return new Run(cl.execute(args), out.toString(), err.toString());
    } finally {
      Kernels.setThreads(before);
    }
  }

  @Test
  void dynamicTablesRunBesideDenseOnesAndReportTheirMap() {
    Run r =
        run(
            "bench", "--table", "dense,dynamic", "--workload", "lookup,bag-sum,train-adagrad-bag", "--vocab", "1e3",
            "--dim", "17", "--num-ids", "64", "--bags", "8", "--bag-size", "4", "--reps", "1", "--warmup-ms", "0",
            "--threads", "2", "--ids", "zipf");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(6, lines.size(), r.out());
    for (int i = 0; i < lines.size(); i++) {
      var m = LINE.matcher(lines.get(i));
      assertTrue(m.matches(), lines.get(i));
      assertEquals(i % 2 == 0 ? "dense" : "dynamic", m.group(6));
      if (i % 2 == 1) {
        assertTrue(lines.get(i).contains("\"ids_admitted\": 1000, \"evictions\": 0, \"map_bytes\": "), lines.get(i));
        assertTrue(lines.get(i).endsWith("\"rows_bytes\": " + 1001 * 17 * 4 + "}"), lines.get(i));
      }
    }
    Run sgd = run("bench", "--table", "dynamic", "--workload", "train-sgd", "--vocab", "1e3");
    assertEquals(2, sgd.exitCode());
    assertTrue(
        sgd.err().contains("--table dynamic measures trainable tables with lookup, bag-sum and train-adagrad-bag, not"
            + " the train-sgd workload"),
        sgd.err());
  }

  @Test
  void roundsTimeTheTablesTogetherAndSayHowMany(@TempDir Path dir) {
    Run r =
        run(
            "bench", "--table", "dense,dynamic", "--rounds", "3", "--workload", "lookup,train-adagrad-bag", "--vocab",
            "1e3", "--dim", "17", "--num-ids", "64", "--bags", "8", "--bag-size", "4", "--reps", "1", "--warmup-ms",
            "0", "--threads", "2");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(4, lines.size(), r.out());
    for (int i = 0; i < lines.size(); i++) {
      var m = LINE.matcher(lines.get(i));
      assertTrue(m.matches(), lines.get(i));
      assertEquals(i < 2 ? "lookup" : "train-adagrad-bag", m.group(1));
      assertEquals(i % 2 == 0 ? "dense" : "dynamic", m.group(6));
      assertTrue(lines.get(i).contains("\"rounds\": 3,"), lines.get(i));
    }
    Run zero = run("bench", "--rounds", "0", "--vocab", "10");
    assertEquals(2, zero.exitCode());
    assertTrue(zero.err().contains("--rounds must be at least 1, got 0"), zero.err());
    Run mapped =
        run(
            "bench", "--table", "dense,dynamic", "--rounds", "2", "--store", "mapped", "--table-file",
            dir.resolve("t.emb4j").toString(), "--vocab", "10", "--workload", "lookup");
    assertEquals(2, mapped.exitCode());
    assertTrue(mapped.err().contains("--rounds 2 keeps every table of --table open at once"), mapped.err());
  }

  @Test
  void idSetsAreUsedInTurnAndSaidInEachLine() {
    Run r =
        run(
            "bench", "--table", "dense,dynamic", "--id-sets", "3", "--workload", "lookup,bag-sum,train-adagrad-bag",
            "--vocab", "1e3", "--dim", "17", "--num-ids", "64", "--bags", "8", "--bag-size", "4", "--reps", "2",
            "--warmup-ms", "0", "--threads", "2", "--ids", "zipf");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(6, lines.size(), r.out());
    for (String line : lines) {
      assertTrue(LINE.matcher(line).matches(), line);
      assertTrue(line.contains("\"id_sets\": 3,"), line);
    }
    Run zero = run("bench", "--id-sets", "0", "--vocab", "10");
    assertEquals(2, zero.exitCode());
    assertTrue(zero.err().contains("--id-sets must be at least 1, got 0"), zero.err());
  }

  @Test
  void idSetsComeInTurnTheFirstBeingTheSingleSetsDraw() {
    Workload.Config c =
        new Workload.Config(
            4, 8, 2, 4, Storage.HEAP, false, new IdStream("uniform", 1.05), DType.F32, 3);
    IdSets<long[]> sets = IdSets.draw(c, 50, 1000, 2, set -> set);
    long[] first = sets.next();
    long[] second = sets.next();
    long[] third = sets.next();
    assertTrue(Arrays.equals(new IdStream("uniform", 1.05).draw(50, 1000, 2), first));
    assertTrue(!Arrays.equals(first, second) && !Arrays.equals(second, third));
    assertTrue(first == sets.next() && second == sets.next() && third == sets.next());
  }

  @Test
  void everyWorkloadPrintsOneJsonLineWithTheTorchScriptsFields() {
    for (String store : List.of("heap", "offheap")) {
      for (String optimizer : List.of("adagrad", "rowwise-adagrad")) {
        Run r =
            run(
                "bench", "--vocab", "1e3", "--dim", "17", "--num-ids", "64", "--bags", "8", "--bag-size", "4",
                "--reps", "1", "--warmup-ms", "0", "--threads", "2", "--store", store, "--optimizer", optimizer);
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        List<String> workloads = List.of("lookup", "bag-sum", "train-sgd", "train-adagrad-bag");
        for (int i = 0; i < lines.size(); i++) {
          var m = LINE.matcher(lines.get(i));
          assertTrue(m.matches(), lines.get(i));
          assertEquals(workloads.get(i), m.group(1));
          assertEquals(i == 0 ? "fresh" : "after-others", m.group(2));
        }
      }
    }
  }

  @Test
  void afterAllMeasuresEachWorkloadAfterEveryOther() {
    Run r =
        run(
            "bench", "--vocab", "1e3", "--dim", "17", "--num-ids", "64", "--bags", "8", "--bag-size", "4", "--reps", "1",
            "--warmup-ms", "0", "--threads", "2", "--workload", "lookup,train-sgd", "--after-all");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(2, lines.size(), r.out());
    for (String line : lines) {
      var m = LINE.matcher(line);
      assertTrue(m.matches(), line);
      assertEquals("after-all", m.group(2));
    }
    var heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    assertEquals(
        heap.getInit() < heap.getMax(), r.err().contains("emb4j bench: the heap can grow (-Xms "), r.err());
  }

  @Test
  void pauseBeforeEachSaysWhatComesNextAndWaitsForALine() {
    InputStream stdin = System.in;
    // one line, then the end of the input: the first figure waits for the line, the second for nothing
    System.setIn(new ByteArrayInputStream("go\n".getBytes(StandardCharsets.UTF_8)));
    Run r;
    try {
      r =
          run(
              "bench", "--vocab", "1e3", "--dim", "17", "--num-ids", "64", "--bags", "8", "--bag-size", "4", "--reps",
              "1", "--warmup-ms", "0", "--threads", "2", "--workload", "lookup,train-sgd", "--after-all",
              "--pause-before-each");
    } finally {
      System.setIn(stdin);
    }
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(4, lines.size(), r.out());
    assertEquals("{\"waiting\": \"lookup\", \"V\": 1000}", lines.get(0));
    assertTrue(LINE.matcher(lines.get(1)).matches(), lines.get(1));
    assertTrue(lines.get(1).contains("\"workload\": \"lookup\""), lines.get(1));
    assertEquals("{\"waiting\": \"train-sgd\", \"V\": 1000}", lines.get(2));
    assertTrue(lines.get(3).contains("\"workload\": \"train-sgd\""), lines.get(3));

    Run alone = run("bench", "--vocab", "1e3", "--pause-before-each");
    assertEquals(2, alone.exitCode());
    assertTrue(alone.err().contains("--pause-before-each pauses the figures of --after-all"), alone.err());
    assertEquals("", alone.out());
  }

  @Test
  void aMappedTableWithZipfIdsRunsEveryWorkloadAndLeavesNoFileBehind(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bench.emb4j");
    Run r =
        run(
            "bench", "--vocab", "1e3", "--dim", "17", "--num-ids", "64", "--bags", "8", "--bag-size", "4",
            "--reps", "1", "--warmup-ms", "0", "--threads", "2", "--store", "mapped", "--table-file", file.toString(),
            "--ids", "zipf", "--zipf-exponent", "1.2");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(4, lines.size(), r.out());
    for (String line : lines) {
      var m = LINE.matcher(line);
      assertTrue(m.matches(), line);
      assertEquals("mapped", m.group(3));
      assertEquals("fp32", m.group(4));
      assertEquals("zipf", m.group(5));
    }
    try (var left = Files.list(dir)) {
      assertEquals(List.of(), left.toList(), "the table files are deleted after each workload");
    }
  }

  @Test
  void halfPrecisionTablesRunEveryWorkloadAndQuantizedOnesTheReadOnlyOnes() {
    for (String dtype : List.of("fp16", "bf16", "int8", "int4")) {
      boolean quantized = dtype.startsWith("int");
      List<String> workloads =
          quantized ? List.of("lookup", "bag-sum") : List.of("lookup", "bag-sum", "train-sgd", "train-adagrad-bag");
      Run r = // without --workload: every workload the dtype can run
          run(
              "bench", "--vocab", "1e3", "--dim", "17", "--num-ids", "64", "--bags", "8", "--bag-size", "4",
              "--reps", "1", "--warmup-ms", "0", "--threads", "2", "--dtype", dtype);
      assertEquals(0, r.exitCode(), r.err());
      List<String> lines = r.out().lines().toList();
      assertEquals(workloads.size(), lines.size(), r.out());
      for (int i = 0; i < lines.size(); i++) {
        var m = LINE.matcher(lines.get(i));
        assertTrue(m.matches(), lines.get(i));
        assertEquals(workloads.get(i), m.group(1));
        assertEquals(quantized ? "offheap" : "heap", m.group(3), "quantized rows live off the heap");
        assertEquals(dtype, m.group(4));
      }
    }
  }

  @Test
  void trainingQuantizedRowsOrAnUnknownDtypeIsAUsageErrorThatSaysWhy() {
    Run train = run("bench", "--vocab", "10", "--dtype", "int4", "--workload", "lookup,train-sgd");
    assertEquals(Emb4jCommand.EXIT_USAGE, train.exitCode());
    assertTrue(
        train.err().contains("the train-sgd workload updates the table, but int4 rows are quantized for inference"),
        train.err());
    assertEquals("", train.out(), "nothing ran");
    Run unknown = run("bench", "--vocab", "10", "--dtype", "f64");
    assertEquals(Emb4jCommand.EXIT_USAGE, unknown.exitCode());
    assertTrue(unknown.err().contains("must be fp32, fp16, bf16, int8 or int4, got 'f64'"), unknown.err());
  }

  @Test
  void anExistingTableFileOrAnUnknownIdStreamIsAUsageError(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("keep.emb4j"), "mine");
    Run r = run("bench", "--vocab", "10", "--store", "mapped", "--table-file", file.toString());
    assertEquals(Emb4jCommand.EXIT_USAGE, r.exitCode());
    assertTrue(r.err().contains("exists"), r.err());
    assertEquals("mine", Files.readString(file));
    Run ids = run("bench", "--vocab", "10", "--ids", "normal");
    assertEquals(Emb4jCommand.EXIT_USAGE, ids.exitCode());
    assertTrue(ids.err().contains("--ids must be uniform or zipf, got 'normal'"), ids.err());
  }

  @Test
  void zipfIdsAreInRangeAndTheHotRanksDominate() {
    long v = 1_000_000;
    long[] ids = new IdStream("zipf", 1.05).draw(100_000, v, 4);
    java.util.Map<Long, Integer> counts = new java.util.HashMap<>();
    for (long id : ids) {
      assertTrue(id >= 0 && id < v, "id " + id);
      counts.merge(id, 1, Integer::sum);
    }
    // rank 1 has probability 1 / H(1e6, 1.05), about 7 %: far above a uniform draw's 1e-6
    assertEquals(0L, new IdStream("zipf", 1.05).draw(1, 1, 1)[0]);
    int top = counts.values().stream().max(Integer::compare).orElseThrow();
    assertTrue(top > 4_000 && top < 12_000, "the hottest id was drawn " + top + " times in 100000");
    assertTrue(counts.size() > 10_000, "a long tail: " + counts.size() + " distinct ids");
  }

  @Test
  void theRankBijectionIsOneToOne() {
    for (long v : new long[] {1, 2, 3, 10, 97, 1000, 4096}) {
      long m = IdStream.coprimeMultiplier(v);
      java.util.Set<Long> seen = new java.util.HashSet<>();
      for (long r = 0; r < v; r++) {
        seen.add(IdStream.mulMod(r, m, v));
      }
      assertEquals(v, seen.size(), "V = " + v);
    }
    assertEquals(999_999_999_999L - 1, IdStream.mulMod(999_999_999_999L - 1, 1, 999_999_999_999L));
  }

  @Test
  void anUnknownWorkloadIsAUsageErrorNamingTheKnownOnes() {
    Run r = run("bench", "--workload", "gather", "--vocab", "10");
    assertEquals(Emb4jCommand.EXIT_USAGE, r.exitCode());
    assertTrue(r.err().contains("unknown workload 'gather'") && r.err().contains("bag-sum"), r.err());
  }

  @Test
  void vocabularySizesAcceptScientificNotation() {
    assertEquals(10_000_000L, BenchCommand.parseCount("1e7"));
    assertEquals(1_000_000L, BenchCommand.parseCount("1_000_000"));
  }
}
