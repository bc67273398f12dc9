package dev.emb4j.cli;

import dev.emb4j.internal.format.TempFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The checks a command makes on its files before any work, so that a typo in a path costs a second, not a training
 * run: each input exists and can be read, each output's directory exists and can be written, there is room for what
 * will be written, and no output is one of the inputs. Failures name the file and the reason ({@code "cannot read
 * missing.txt: no such file"}); an output that is also an input is a usage error naming both options.
 */
public final class FileChecks {
  private FileChecks() {}

  /**
   * An input read front to back: it exists, is not a directory, and can be read. A pipe or a device such as
   * {@code /dev/stdin} is accepted.
   *
   * @param file the input
   * @throws IOException {@code "cannot read FILE: why"}
   */
  public static void readable(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw cannot("read", file, "no such file");
    }
    if (Files.isDirectory(file)) {
      throw cannot("read", file, "is a directory");
    }
    if (!Files.isReadable(file)) {
      throw cannot("read", file, "permission denied");
    }
  }

  /**
   * An input read by offset (binary formats, models, and the two passes over a headerless text file): as {@link
   * #readable}, and a regular file.
   *
   * @param file the input
   * @throws IOException {@code "cannot read FILE: why"}
   */
  public static void seekable(Path file) throws IOException {
    readable(file);
    if (!Files.isRegularFile(file)) {
      throw cannot(
          "read", file, "not a regular file (this command reads it by offset, which a pipe or a device cannot do:"
              + " save it to a file first)");
    }
  }

  /**
   * An output written by renaming a complete temporary file over it: its directory exists and can be written, and
   * it is not a directory or a device. Reports, on {@code err}, temporary files that interrupted runs left in that
   * directory, and deletes those of this very output (see {@link TempFiles}).
   *
   * @param file the output
   * @param err where to report leftovers
   * @throws IOException {@code "cannot write FILE: why"}
   */
  public static void writable(Path file, PrintWriter err) throws IOException {
    Path dir = directoryOf(file);
    if (!Files.exists(dir)) {
      throw cannot("write", file, "directory " + dir + " does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw cannot("write", file, dir + " is not a directory");
    }
    if (!Files.isWritable(dir)) {
      throw cannot("write", file, "directory " + dir + " is not writable (permission denied)");
    }
    if (Files.isDirectory(file)) {
      throw cannot("write", file, "is a directory");
    }
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      throw cannot("write", file, "not a regular file (the output is replaced by a new file, which a device cannot be)");
    }
    reportLeftovers(file, err);
  }

  /**
   * Checks that the file system of {@code file} has room for about {@code bytes} more (the old file, if any, stays
   * until the new one is complete).
   *
   * @param file the output
   * @param bytes what it will need, estimated from below
   * @throws IOException {@code "cannot write FILE: it needs about 1.2 GB, and /data has 300 MB free"}
   */
  public static void hasRoom(Path file, long bytes) throws IOException {
    Path dir = directoryOf(file);
    long free;
    try {
      free = Files.getFileStore(dir).getUsableSpace();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return; // cannot tell: the write itself reports a full disk
    }
    if (bytes > free) {
      throw cannot("write", file, "it needs about " + bytes(bytes) + ", and " + dir + " has " + bytes(free) + " free");
    }
  }

  /**
   * Rejects an output that is also an input (the same file under another name, through a link, {@code ./x} for
   * {@code x}): writing it would destroy what the command reads. A usage error, naming both options.
   *
   * @param spec the command, for the usage error
   * @param outputOption the output's option, e.g. {@code "--output"}
   * @param output the output
   * @param inputOption the input's option, e.g. {@code "--input"}
   * @param input the input; null when the option was not given
   */
  public static void notAnInput(CommandSpec spec, String outputOption, Path output, String inputOption, Path input) {
    if (input != null && sameFile(input, output)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          outputOption + " " + output + " is the same file as " + inputOption + " " + input
              + ": writing it would destroy the input; choose another " + outputOption);
    }
  }

  /** Whether two paths name one file: by name, or (when both exist) by identity. */
  static boolean sameFile(Path a, Path b) {
    if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
      return true;
    }
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  private static Path directoryOf(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    return dir == null ? file.toAbsolutePath() : dir;
  }

  /** Deletes this output's own leftovers (saying so) and warns about the others, with the command to delete them. */
  private static void reportLeftovers(Path file, PrintWriter err) {
    for (TempFiles.Leftover l : TempFiles.removeLeftovers(file)) {
      err.println("emb4j: removed " + l.path() + " (" + bytes(l.bytes()) + "), left by an interrupted write of " + l.target());
    }
    List<TempFiles.Leftover> others = TempFiles.leftovers(directoryOf(file));
    if (!others.isEmpty()) {
      long total = others.stream().mapToLong(TempFiles.Leftover::bytes).sum();
      StringBuilder rm = new StringBuilder("rm --");
      for (TempFiles.Leftover l : others) {
        rm.append(" '").append(l.path().toString().replace("'", "'\\''")).append('\'');
      }
      err.println(
          "emb4j: warning: " + others.size() + " temporary file" + (others.size() == 1 ? "" : "s") + " ("
              + bytes(total) + ") left by interrupted runs in " + directoryOf(file) + "; to delete "
              + (others.size() == 1 ? "it" : "them") + ": " + rm);
    }
    err.flush();
  }

  /** {@code 512 bytes}, {@code 3.4 MB}, {@code 1.2 GB}. */
  static String bytes(long n) {
    if (n < 1000) {
      return n + " bytes";
    }
    String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
    double v = n;
    int u = -1;
    while (v >= 999.5 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
  }

  private static IOException cannot(String verb, Path file, String why) {
    return new IOException("cannot " + verb + " " + file + ": " + why);
  }
}
