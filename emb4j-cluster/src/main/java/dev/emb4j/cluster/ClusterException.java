package dev.emb4j.cluster;

/**
 * A cluster problem the caller can act on, with a one-line message that states the values: no member reachable at
 * the given addresses, a cluster of another emb4j version, a table that does not exist or has another shape, a port
 * already taken. A call that throws it has created no table.
 */
public final class ClusterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with {@code message}.
   *
   * @param message what went wrong, with the values involved
   */
  public ClusterException(String message) {
    super(message);
  }

  /**
   * An exception with {@code message} caused by {@code cause}.
   *
   * @param message what went wrong, with the values involved
   * @param cause the underlying failure
   */
  public ClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
