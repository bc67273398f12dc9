package dev.emb4j.cli;

import dev.emb4j.cli.classify.ClassifyCommand;
import dev.emb4j.cli.cluster.ClusterCommand;
import dev.emb4j.cli.bench.BenchCommand;
import dev.emb4j.cli.demo.DemoCommand;
import dev.emb4j.cli.plot.PlotCommand;
import dev.emb4j.cli.recommend.RecommendCommand;
import dev.emb4j.cli.serve.ServeCommand;
import dev.emb4j.cli.vectors.VectorsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code emb4j} command: the entry point of the runnable jar that the {@code ./emb4j} launcher starts.
 *
 * <p>Exit codes: {@value #EXIT_OK} on success, {@value #EXIT_USER_ERROR} when the command could not do what was
 * asked (one line on stderr; the stack trace only with {@code --verbose}), {@value #EXIT_USAGE} for a usage error:
 * an unknown subcommand or option, or an option value out of its range (see {@link UsageErrorHandler}).
 */
@Command(
    name = "emb4j",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Trainable embedding tables (Embedding, EmbeddingBag) for the JVM, with PyTorch's semantics.",
    subcommands = {DemoCommand.class, ClassifyCommand.class, RecommendCommand.class, VectorsCommand.class, ServeCommand.class, PlotCommand.class, BenchCommand.class, ClusterCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:the command failed (the reason on stderr; --verbose adds the stack trace)",
      "2:usage error (unknown command or option, invalid option value, an output that is also an input)",
      "130:interrupted by Ctrl-C (143: by SIGTERM); no partly written file is left"
    })
public final class Emb4jCommand implements Runnable {

  /** Success. */
  public static final int EXIT_OK = 0;

  /** The command failed; the reason was printed on stderr. */
  public static final int EXIT_USER_ERROR = 1;

  /** The command line was not understood. */
  public static final int EXIT_USAGE = 2;

  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "On failure, print the stack trace as well as the message.")
  private boolean verbose;

  /** Runs the command line and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /**
   * A command line with emb4j's exit codes and error handling, writing to {@code System.out} and {@code System.err}
   * unless {@link CommandLine#setOut} / {@link CommandLine#setErr} say otherwise (as the tests do).
   */
  public static CommandLine newCommandLine() {
    CommandLine commandLine = new CommandLine(new Emb4jCommand());
    commandLine.setExecutionExceptionHandler(new FailureHandler());
    commandLine.setExecutionStrategy(MemoryBudget.reportingOutOfMemory(new CommandLine.RunLast()));
    commandLine.setParameterExceptionHandler(new UsageErrorHandler());
    // Help is wrapped at the terminal's width (80 columns when there is none), not where the source breaks lines.
    commandLine.setUsageHelpAutoWidth(true);
    return commandLine;
  }

  /** Without a subcommand: print the usage help and fail as a usage error would, so scripts notice. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command, e.g. 'emb4j demo'");
  }
}
