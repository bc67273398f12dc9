package dev.emb4j.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.cli.Emb4jCommand;
import dev.emb4j.internal.kernel.Kernels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code emb4j bench} on tiny sizes: every workload runs and prints its JSON line (no timing is asserted). */
class BenchCommandTest {
  private static final Pattern LINE =
      Pattern.compile(
          "\\{\"impl\": \"emb4j-[^\"]+\", \"workload\": \"([a-z-]+)\", \"V\": 1000, \"D\": 17, \"threads\": 2,"
              + " \"ms\": [0-9.]+, \"mrows_per_s\": [0-9.]+, \"best_ms\": [0-9.]+,"
              + " \"jvm\": \"(fresh|after-others|after-all)\"\\}");

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
  void everyWorkloadPrintsOneJsonLineWithTheTorchScriptsFields() {
    for (String store : List.of("heap", "offheap")) {
      for (String optimizer : List.of("adagrad", "rowwise-adagrad")) {
        Run r =
            run(
                "bench", "--vocab", "1e3", "--dim", "17", "--ids", "64", "--bags", "8", "--bag-size", "4",
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
            "bench", "--vocab", "1e3", "--dim", "17", "--ids", "64", "--bags", "8", "--bag-size", "4", "--reps", "1",
            "--warmup-ms", "0", "--threads", "2", "--workload", "lookup,train-sgd", "--after-all");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(2, lines.size(), r.out());
    for (String line : lines) {
      var m = LINE.matcher(line);
      assertTrue(m.matches(), line);
      assertEquals("after-all", m.group(2));
    }
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
