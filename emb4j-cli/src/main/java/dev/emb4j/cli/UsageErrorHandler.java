package dev.emb4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Usage errors (exit code {@value Emb4jCommand#EXIT_USAGE}): {@code emb4j: <what is wrong>} on stderr, then the usage
 * help when the command line was not understood (an unknown or missing command or option), or a pointer to it when
 * one value was wrong, so that the reason stays in sight instead of above a screen of help.
 */
final class UsageErrorHandler implements IParameterExceptionHandler {

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine commandLine = ex.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println(commandLine.getColorScheme().errorText("emb4j: " + ex.getMessage()));
    boolean structural =
        ex instanceof UnmatchedArgumentException
            || ex instanceof MissingParameterException
            || !commandLine.getSubcommands().isEmpty();
    if (!UnmatchedArgumentException.printSuggestions(ex, err)) {
      if (structural) {
        commandLine.usage(err, commandLine.getColorScheme());
      } else {
        err.println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for more information.");
      }
    }
    err.flush();
    return commandLine.getCommandSpec().exitCodeOnInvalidInput();
  }
}
