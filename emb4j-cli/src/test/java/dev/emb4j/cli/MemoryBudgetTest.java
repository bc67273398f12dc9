package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Sizes that cannot fit fail at once, in one line that says how much is needed and how to raise the limit. */
class MemoryBudgetTest {
  private static final long GB = 1L << 30;

  @TempDir Path dir;

  private static void assertMemoryFailure(CliRun r, String start) {
    assertEquals(1, r.exitCode(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
    assertTrue(r.err().startsWith("emb4j: " + start), r.err());
    assertTrue(r.err().contains(", the JVM may use ") || r.err().contains("more than this machine's"), r.err());
    assertFalse(r.err().contains("overflow"), r.err());
  }

  @Test
  void theMessageSaysWhatIsNeededAndHowToRaiseTheLimit() {
    assertEquals(
        "the model needs 10.0 GB, the JVM may use 4.0 GB (1.0 GB of it in use); raise it with"
            + " EMB4J_JAVA_OPTS=-Xmx13g",
        MemoryBudget.heapShortfall("the model", 10 * GB, 4 * GB, GB, 64 * GB));
    assertEquals(
        "the model needs 100.0 GB, the JVM may use 4.0 GB and this machine has only 64.0 GB",
        MemoryBudget.heapShortfall("the model", 100 * GB, 4 * GB, 0, 64 * GB));
    assertNull(MemoryBudget.heapShortfall("the model", 2 * GB, 4 * GB, GB, 64 * GB));
  }

  private Path texts() throws Exception {
    Path p = dir.resolve("t.txt");
    Files.writeString(p, "__label__a one two\n__label__b three four\n");
    return p;
  }

  @Test
  void classifierTablesAreCheckedBeforeTraining() throws Exception {
    CliRun r =
        CliRun.run("classify", "train", "--input", texts().toString(), "--output", dir.resolve("m").toString(),
            "--dim", "1000000", "-q");
    assertMemoryFailure(r, "the model (--dim 1000000, --buckets 200000) needs ");
    assertFalse(Files.exists(dir.resolve("m")));
  }

  @Test
  void aHiddenLayerTooLargeForAnArrayNamesTheOption() throws Exception {
    CliRun r =
        CliRun.run("classify", "train", "--input", texts().toString(), "--output", dir.resolve("m").toString(),
            "--hidden", "100000000", "-q");
    assertNotEquals(0, r.exitCode(), r.err());
    assertTrue(r.err().contains("hidden=100000000 x dim=50 = 5000000000 weights"), r.err());
    assertFalse(r.err().contains("overflow"), r.err());
  }

  @Test
  void benchTablesAreCheckedBeforeAnyWork() {
    assertMemoryFailure(CliRun.run("bench", "--vocab", "1e12", "--workload", "lookup"),
        "the lookup workload at --vocab 1000000000000 (--dim 128) needs ");
    assertMemoryFailure(CliRun.run("vectors", "bench", "--rows", "1000000000"),
        "a table of --rows 1000000000 x --dim 300 needs ");
  }

  @Test
  void searchingAHugeSparseNpyFileIsCheckedFromItsHeader() throws Exception {
    // float16 rows whose float32 table and normalised copy need twice the heap; the file itself is sparse
    int dim = 1024;
    long rows = Runtime.getRuntime().maxMemory() / 2 / (dim * 2L) + 1;
    String dict = "{'descr': '<f2', 'fortran_order': False, 'shape': (" + rows + ", " + dim + "), }";
    int total = 10 + dict.length() + 1;
    String header = dict + " ".repeat((64 - total % 64) % 64) + "\n";
    Path npy = dir.resolve("huge.npy");
    try (RandomAccessFile f = new RandomAccessFile(npy.toFile(), "rw")) {
      f.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
      f.write(header.length() & 0xFF);
      f.write(header.length() >>> 8);
      f.write(header.getBytes(StandardCharsets.US_ASCII));
      f.setLength(f.getFilePointer() + rows * dim * 2);
    }
    CliRun r = CliRun.run("vectors", "similar", npy.toString(), "x");
    assertMemoryFailure(r, "searching " + npy + " (" + rows + " x " + dim + ") needs ");
    Files.delete(npy);
  }

  @Command(name = "greedy")
  static final class Greedy implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  @Test
  void anOutOfMemoryErrorBecomesOneLine() {
    CommandLine cl = new CommandLine(new Greedy());
    cl.setExecutionExceptionHandler(new FailureHandler());
    cl.setExecutionStrategy(MemoryBudget.reportingOutOfMemory(new CommandLine.RunLast()));
    CliRun r = CliRun.run(cl);
    assertEquals(1, r.exitCode(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("emb4j: out of memory (Java heap space): the JVM may use "), r.err());
    assertTrue(r.err().contains("; raise it with EMB4J_JAVA_OPTS=-Xmx"), r.err());
  }
}
