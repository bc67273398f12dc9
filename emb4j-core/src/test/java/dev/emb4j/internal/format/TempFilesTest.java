package dev.emb4j.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempFilesTest {
  @TempDir Path dir;

  /** A process id that no running process has: one just ended. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aWriteRemovesWhatAnInterruptedWriteOfTheSameFileLeft() throws Exception {
    long dead = deadPid();
    Files.write(dir.resolve(".m.model.tmp-" + dead + "-ab12"), new byte[10]);
    Files.write(dir.resolve(".m.model.rows-" + dead + "-cd34"), new byte[3]);
    Files.write(dir.resolve(".other.model.tmp-" + dead + "-ef56"), new byte[5]);
    long live = ProcessHandle.current().parent().orElseThrow().pid();
    Files.write(dir.resolve(".m.model.tmp-" + live + "-77"), new byte[1]);
    Files.write(dir.resolve(".m.model.tmp-0123abcd"), new byte[2]); // the older name: owner unknown

    List<TempFiles.Leftover> found = TempFiles.leftovers(dir);
    assertEquals(4, found.size(), found.toString());
    assertTrue(found.stream().allMatch(l -> l.target().getParent().equals(dir)));

    try (AtomicOutput out = new AtomicOutput(dir.resolve("m.model"), false)) {
      out.write(new byte[] {1, 2, 3});
      out.commit();
    }
    assertEquals(
        List.of(".m.model.tmp-" + live + "-77", ".m.model.tmp-0123abcd", ".other.model.tmp-" + dead + "-ef56", "m.model")
            .stream().sorted().toList(),
        names(),
        "only the leftovers of m.model whose writer is gone are removed");
  }

  @Test
  void aWriteInFlightIsNoLeftoverAndAnAbandonedOneLeavesNothing() throws Exception {
    Path target = dir.resolve("x.bin");
    try (AtomicOutput out = new AtomicOutput(target, true)) {
      out.write(new byte[] {1});
      assertEquals(1, names().size());
      assertTrue(names().get(0).startsWith(".x.bin.tmp-" + ProcessHandle.current().pid() + "-"), names().toString());
      assertEquals(List.of(), TempFiles.leftovers(dir));
    }
    assertEquals(List.of(), names());
    assertFalse(Files.exists(target));
  }

  @Test
  void aFailedWriteNamesTheTargetAndTheReason() {
    Path target = dir.resolve("missing-dir").resolve("x.model");
    IOException e = assertThrows(IOException.class, () -> new AtomicOutput(target, false));
    assertEquals("cannot write " + target + ": directory " + target.getParent() + " does not exist", e.getMessage());
  }
}
