package dev.emb4j.cli;

import dev.emb4j.internal.format.FileErrors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
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

  /**
   * The message, or the exception's kind when it has none; a library bug is named as such. A file-system error
   * names the file and the reason ({@code "cannot open missing.txt: no such file"}) instead of the JDK's bare path.
   */
  static String describe(Throwable exception) {
    if (exception instanceof UncheckedIOException u && u.getCause() != null) {
      return describe(u.getCause());
    }
    if (exception instanceof FileSystemException fse && fse.getFile() != null) {
      return "cannot open " + fse.getFile() + ": " + FileErrors.reason(fse);
    }
    String message = exception.getMessage();
    if (exception.getClass() == IOException.class && message != null) {
      // The operating system's own text, with no file named: "Is a directory", "File too large".
      message = FileErrors.systemReason(message).orElse(message);
    }
    boolean callerError =
        exception instanceof IllegalArgumentException
            || exception instanceof IndexOutOfBoundsException
            || exception instanceof IOException
            || exception instanceof UncheckedIOException
            || exception instanceof InsufficientMemoryException
            || exception instanceof dev.emb4j.task.TrainingDivergedException
            || exception instanceof dev.emb4j.cluster.ClusterException;
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
