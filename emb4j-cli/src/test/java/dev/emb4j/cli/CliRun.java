package dev.emb4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of the emb4j command line with stdout and stderr captured. */
record CliRun(int exitCode, String out, String err) {

  /** Runs {@code emb4j args...} in-process on the given command line. */
  static CliRun run(CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new CliRun(exitCode, out.toString(), err.toString());
  }

  /** Runs {@code emb4j args...} in-process, as the launcher would. */
  static CliRun run(String... args) {
    return run(Emb4jCommand.newCommandLine(), args);
  }

  /** Lines of stdout. */
  java.util.List<String> outLines() {
    return out.lines().toList();
  }
}
