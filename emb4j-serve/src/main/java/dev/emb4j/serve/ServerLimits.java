package dev.emb4j.serve;

/**
 * Bounds on what one request may ask, so that a single client cannot make the server allocate or scan without limit.
 * A request over a bound is answered 400 with a JSON error naming the field.
 *
 * @param maxBodyBytes the largest request body, in bytes
 * @param maxIds the most tokens or ids one lookup or {@code similar/batch} may name
 * @param maxK the largest k (neighbours, labels, items) a request may ask for
 */
public record ServerLimits(long maxBodyBytes, int maxIds, int maxK) {
  /** 1 MiB bodies, 1,000 ids per lookup, k up to 1,000. */
  public static final ServerLimits DEFAULT = new ServerLimits(1 << 20, 1000, 1000);

  /** Checks that every bound is positive. */
  public ServerLimits {
    if (maxBodyBytes < 1 || maxIds < 1 || maxK < 1) {
      throw new IllegalArgumentException(
          "limits must be positive, got maxBodyBytes=" + maxBodyBytes + ", maxIds=" + maxIds + ", maxK=" + maxK);
    }
  }
}
