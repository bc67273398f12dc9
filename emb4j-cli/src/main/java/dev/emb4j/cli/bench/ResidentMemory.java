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
  private static final Path SMAPS_ROLLUP = Path.of("/proc/self/smaps_rollup");

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

  /**
   * The process's anonymous memory now backed by transparent huge pages ({@code AnonHugePages} in {@code
   * /proc/self/smaps_rollup}), in kB, or -1 if unknown. A random row access into a table on 4 kB pages misses the TLB
   * where one on 2 MB pages mostly does not, and whether the kernel hands out huge pages depends on how fragmented
   * free memory is when the table is first touched: this says which case a figure was taken in. Reading it walks
   * every mapping of the process, so it is read once per workload, after the timed calls.
   */
  static long anonHugePagesKb() {
    try {
      for (String line : Files.readAllLines(SMAPS_ROLLUP)) {
        if (line.startsWith("AnonHugePages:")) {
          return kilobytes(line);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or a kernel without smaps_rollup
    }
    return -1;
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
