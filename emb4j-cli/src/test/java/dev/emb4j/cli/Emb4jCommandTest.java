package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class Emb4jCommandTest {

  @Test
  void helpListsTheCommandsAndExitsZero() {
    CliRun run = CliRun.run("--help");
    assertEquals(Emb4jCommand.EXIT_OK, run.exitCode(), run.err());
    assertTrue(run.out().contains("Usage: emb4j"), run.out());
    assertTrue(run.out().contains("demo"), run.out());
    assertTrue(run.out().contains("Exit codes:"), run.out());
    assertEquals("", run.err());
  }

  @Test
  void helpOfASubcommand() {
    CliRun run = CliRun.run("demo", "--help");
    assertEquals(Emb4jCommand.EXIT_OK, run.exitCode(), run.err());
    assertTrue(run.out().contains("Usage: emb4j demo"), run.out());
    assertTrue(run.out().contains("--seed"), run.out());
  }

  @Test
  void helpIsWrappedByPicocliNotByHand() {
    CliRun predict = CliRun.run("classify", "predict", "--help");
    String flat = String.join(" ", predict.out().split("\\s+"));
    assertTrue(flat.contains("each line of FILE (of standard input when FILE is '-' or not given): 'label"), flat);
    CliRun train = CliRun.run("classify", "train", "--help");
    assertTrue(String.join(" ", train.out().split("\\s+")).contains("fast but not repeatable;"), train.out());
    for (String[] command : new String[][] {{"vectors"}, {"bench"}, {"vectors", "bench"}, {"classify", "predict"}}) {
      String[] args = java.util.Arrays.copyOf(command, command.length + 1);
      args[command.length] = "--help";
      CliRun run = CliRun.run(args);
      assertTrue(run.out().contains("Examples:" + System.lineSeparator() + "  emb4j "), run.out());
      for (String line : run.out().lines().toList()) {
        assertTrue(line.length() <= 80 || line.startsWith("  emb4j "), "wider than 80 columns: " + line);
      }
    }
  }

  @Test
  void versionPrintsTheProjectVersion() {
    CliRun run = CliRun.run("--version");
    assertEquals(Emb4jCommand.EXIT_OK, run.exitCode(), run.err());
    String version = VersionProvider.projectVersion();
    assertFalse(version.contains("${"), "version.properties was not filtered: " + version);
    assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), version);
    assertTrue(run.out().startsWith("emb4j " + version + System.lineSeparator()), run.out());
  }

  @Test
  void unknownSubcommandIsAUsageError() {
    CliRun run = CliRun.run("xyzzy");
    assertEquals(Emb4jCommand.EXIT_USAGE, run.exitCode());
    assertTrue(run.err().contains("xyzzy"), run.err());
    assertTrue(run.err().contains("Usage: emb4j"), run.err());
    assertEquals("", run.out());
  }

  @Test
  void unknownOptionIsAUsageError() {
    CliRun run = CliRun.run("demo", "--no-such-option");
    assertEquals(Emb4jCommand.EXIT_USAGE, run.exitCode());
    assertTrue(run.err().contains("--no-such-option"), run.err());
  }

  @Test
  void badOptionValueIsAUsageError() {
    CliRun run = CliRun.run("demo", "--seed", "many");
    assertEquals(Emb4jCommand.EXIT_USAGE, run.exitCode());
    assertTrue(run.err().contains("many"), run.err());
  }

  @Test
  void noSubcommandIsAUsageError() {
    CliRun run = CliRun.run();
    assertEquals(Emb4jCommand.EXIT_USAGE, run.exitCode());
    assertTrue(run.err().contains("Missing a command"), run.err());
    assertTrue(run.err().contains("Usage: emb4j"), run.err());
  }

  /** A subcommand that fails the way a command does when the user asked for something impossible. */
  @Command(name = "fail")
  static final class FailingCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalArgumentException("index 70001 at position [3] is out of range for a table of 70000 rows");
    }
  }

  private static CommandLine withFailingCommand() {
    CommandLine commandLine = Emb4jCommand.newCommandLine();
    commandLine.addSubcommand(new FailingCommand());
    return commandLine;
  }

  @Test
  void aFailurePrintsOneLineAndExitsOne() {
    CliRun run = CliRun.run(withFailingCommand(), "fail");
    assertEquals(Emb4jCommand.EXIT_USER_ERROR, run.exitCode());
    assertEquals(
        "emb4j: index 70001 at position [3] is out of range for a table of 70000 rows" + System.lineSeparator(),
        run.err());
    assertEquals("", run.out());
  }

  @Test
  void fileSystemErrorsAreDescribedInWords() throws Exception {
    assertEquals("cannot open missing.txt: no such file",
        FailureHandler.describe(new java.nio.file.NoSuchFileException("missing.txt")));
    assertEquals("cannot open x: permission denied",
        FailureHandler.describe(new java.nio.file.AccessDeniedException("x")));
    assertEquals("cannot open d: is a directory",
        FailureHandler.describe(new java.nio.file.FileSystemException("d", null, "Is a directory")));
    assertEquals("cannot open m: no such file",
        FailureHandler.describe(new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("m"))));
    assertEquals("is a directory", FailureHandler.describe(new java.io.IOException("Is a directory")));
    assertTrue(FailureHandler.describe(new java.io.IOException("File too large")).startsWith("file too large"));
    assertTrue(FailureHandler.describe(new java.io.IOException("Illegal seek")).startsWith("not a regular file"));
    assertEquals("x.txt:3: has no label", FailureHandler.describe(new java.io.IOException("x.txt:3: has no label")));
  }

  @Test
  void verboseAddsTheStackTrace() {
    for (String[] args : new String[][] {{"--verbose", "fail"}, {"fail", "--verbose"}}) {
      CliRun run = CliRun.run(withFailingCommand(), args);
      assertEquals(Emb4jCommand.EXIT_USER_ERROR, run.exitCode());
      assertTrue(run.err().startsWith("emb4j: index 70001"), run.err());
      assertTrue(run.err().contains("java.lang.IllegalArgumentException"), run.err());
      assertTrue(run.err().contains("at dev.emb4j.cli.Emb4jCommandTest$FailingCommand.call"), run.err());
    }
  }
}
