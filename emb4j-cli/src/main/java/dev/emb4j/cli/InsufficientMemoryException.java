package dev.emb4j.cli;

/**
 * A command needs more memory than the JVM may use (or than the machine has); the message says how much each has and
 * how to raise the JVM's limit. Thrown before the work starts when the need can be estimated, and in place of an
 * {@link OutOfMemoryError} that still happens.
 */
public final class InsufficientMemoryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The one-line message, and the error it replaces (or null). */
  InsufficientMemoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
