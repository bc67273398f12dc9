package dev.emb4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception thrown by a command into exit code {@value Emb4jCommand#EXIT_USER_ERROR} and one line on stderr:
 * {@code emb4j: <what went wrong>}. The stack trace follows only with {@code --verbose}, so users see the reason, and
 * developers can still ask for the details.
 */
final class FailureHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    err.println(commandLine.getColorScheme().errorText("emb4j: " + describe(exception)));
    if (isVerbose(parseResult)) {
      exception.printStackTrace(err);
    }
    err.flush();
    return Emb4jCommand.EXIT_USER_ERROR;
  }

  /** The message, or the exception's kind when it has none; a library bug is named as such. */
  static String describe(Throwable exception) {
    String message = exception.getMessage();
    boolean callerError =
        exception instanceof IllegalArgumentException
            || exception instanceof IndexOutOfBoundsException
            || exception instanceof java.io.IOException
            || exception instanceof java.io.UncheckedIOException
            || exception instanceof InsufficientMemoryException
            || exception instanceof dev.emb4j.task.TrainingDivergedException;
    if (message == null || message.isBlank()) {
      message = exception.getClass().getName();
    }
    return callerError ? message : message + " (" + exception.getClass().getSimpleName() + ")";
  }

  /** Whether {@code --verbose} was given, to the top-level command or to a subcommand. */
  private static boolean isVerbose(ParseResult parseResult) {
    for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
