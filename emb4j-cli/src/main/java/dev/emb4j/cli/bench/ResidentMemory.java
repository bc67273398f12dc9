package dev.emb4j.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The peak resident memory of this process while a workload's timed calls run, split as Linux splits it in {@code
 * /proc/self/status}: {@code RssAnon} (heap, native allocations: the process's own memory) and {@code RssFile} (pages
 * of mapped files, which belong to the page cache). {@code VmHWM} has only the peak of their sum, so the harness
 * samples both after every timed call (outside the timing) and keeps the largest. Where there is no {@code
 * /proc/self/status} (not Linux) the figures are -1.
 */
final class ResidentMemory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private long anonKb = -1;
  private long fileKb = -1;

  /** Reads the current figures and keeps the larger of each. */
  void sample() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("RssAnon:")) {
          anonKb = Math.max(anonKb, kilobytes(line));
        } else if (line.startsWith("RssFile:")) {
          fileKb = Math.max(fileKb, kilobytes(line));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or /proc is not mounted: the figures stay unknown
    }
  }

  private static long kilobytes(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  /** The peak of RssAnon in kB, or -1 if unknown. */
  long anonKb() {
    return anonKb;
  }

  /** The peak of RssFile in kB, or -1 if unknown. */
  long fileKb() {
    return fileKb;
  }
}
