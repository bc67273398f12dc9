package dev.emb4j.autograd;

/**
 * Whether operations record a graph for backpropagation, per thread. Recording is on by default; inference code turns
 * it off so that nothing is recorded or kept:
 *
 * <pre>{@code
 * try (GradMode.Scope s = GradMode.disable()) {
 *   Variable logits = model.forward(input);   // no graph, no saved tensors
 * }
 * }</pre>
 */
public final class GradMode {
  private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

  private GradMode() {}

  /** Restores the previous mode when closed. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** Whether operations on this thread record gradients. */
  public static boolean isEnabled() {
    return ENABLED.get();
  }

  /** Turns recording off on this thread until the returned scope is closed. */
  public static Scope disable() {
    boolean previous = ENABLED.get();
    ENABLED.set(Boolean.FALSE);
    return () -> ENABLED.set(previous);
  }
}
