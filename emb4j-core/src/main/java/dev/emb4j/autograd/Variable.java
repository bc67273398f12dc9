package dev.emb4j.autograd;

import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A value in a computation that can be differentiated: a {@link FloatTensor} plus, when gradients are recorded, the
 * operation that produced it and its inputs. {@link #backward()} on a scalar result computes the gradient of that
 * scalar with respect to every leaf and parameter it depends on (reverse-mode automatic differentiation over the
 * recorded graph).
 *
 * <p>Leaves are made with {@link #constant} (no gradient), {@link #leaf} (gradient readable through {@link #grad()})
 * or {@link #sink} (gradient accumulated into a parameter). Operations live in {@link Ops}; layers that compute their
 * own gradient (an embedding lookup) use {@link #fromOp}.
 *
 * <p>A graph belongs to one thread; gradients accumulate across backward passes until zeroed, as in PyTorch.
 */
public final class Variable {

  /** Pushes the gradient of an operation's output into its inputs. */
  @FunctionalInterface
  public interface Backward {
    /** Called once per backward pass with the full gradient of the operation's output. */
    void propagate(FloatTensor gradOutput);
  }

  /** Receives the gradient of a leaf, e.g. a parameter's gradient buffer. */
  @FunctionalInterface
  public interface GradSink {
    /** Adds {@code grad} (same shape as the leaf) into the destination. */
    void accumulate(FloatTensor grad);
  }

  private final FloatTensor value;
  private final boolean requiresGrad;
  private final List<Variable> parents;
  private final Backward backwardFn;
  private final GradSink sink;
  private FloatTensor grad;
  /** The gradient gathered for this node during the backward pass in progress. */
  private FloatTensor pending;

  private boolean pendingOwned;

  private Variable(FloatTensor value, boolean requiresGrad, List<Variable> parents, Backward fn, GradSink sink) {
    this.value = Objects.requireNonNull(value, "value");
    this.requiresGrad = requiresGrad;
    this.parents = parents;
    this.backwardFn = fn;
    this.sink = sink;
  }

  /** A value that takes no gradient (inputs, targets). */
  public static Variable constant(FloatTensor value) {
    return new Variable(value, false, List.of(), null, null);
  }

  /** A leaf whose gradient is kept and readable through {@link #grad()} after a backward pass. */
  public static Variable leaf(FloatTensor value) {
    return new Variable(value, true, List.of(), null, null);
  }

  /** A leaf whose gradient goes to {@code sink} (a parameter's gradient buffer) instead of being kept here. */
  public static Variable sink(FloatTensor value, GradSink sink) {
    return new Variable(value, GradMode.isEnabled(), List.of(), null, Objects.requireNonNull(sink, "sink"));
  }

  /**
   * The output of an operation. It records {@code backward} only when gradients are enabled and some input (or the
   * operation itself, for a trainable table: {@code selfRequiresGrad}) requires a gradient; otherwise it is a
   * constant and nothing is kept.
   */
  public static Variable fromOp(FloatTensor value, Backward backward, boolean selfRequiresGrad, Variable... inputs) {
    if (!GradMode.isEnabled()) {
      return constant(value);
    }
    boolean any = selfRequiresGrad;
    for (Variable in : inputs) {
      any |= in.requiresGrad;
    }
    if (!any) {
      return constant(value);
    }
    return new Variable(value, true, List.of(inputs), backward, null);
  }

  /** The value. */
  public FloatTensor value() {
    return value;
  }

  /** The value's shape. */
  public Shape shape() {
    return value.shape();
  }

  /** Whether a gradient flows to (or through) this value. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** The gradient of a {@link #leaf} after a backward pass (accumulated over passes). */
  public Optional<FloatTensor> grad() {
    return Optional.ofNullable(backwardFn == null && sink == null ? grad : null);
  }

  /** The single value of a one-element tensor. */
  public float item() {
    if (value.numel() != 1) {
      throw new IllegalStateException("item() needs a one-element value, this one has shape " + value.shape());
    }
    return value.get(0);
  }

  /** Backpropagates from this scalar (one element): seeds its gradient with 1. */
  public void backward() {
    if (value.numel() != 1) {
      throw new IllegalStateException(
          "backward() without a seed needs a scalar; this value has shape " + value.shape()
              + " (reduce it with Ops.sum or Ops.mean first, or pass a gradient)");
    }
    FloatTensor seed = FloatTensor.zeros(value.shape());
    seed.set(0, 1f);
    backward(seed);
  }

  /** Backpropagates {@code seed}, the gradient of some scalar with respect to this value. */
  public void backward(FloatTensor seed) {
    if (!seed.shape().equals(value.shape())) {
      throw new IllegalArgumentException(
          "seed gradient has shape " + seed.shape() + " but the value has shape " + value.shape());
    }
    if (!requiresGrad) {
      throw new IllegalStateException("this value does not depend on anything that requires a gradient");
    }
    List<Variable> order = topologicalOrder();
    accumulateGrad(seed);
    for (Variable v : order) {
      FloatTensor g = v.pending;
      v.pending = null;
      v.pendingOwned = false;
      if (g == null) {
        continue;
      }
      if (v.backwardFn != null) {
        v.backwardFn.propagate(g);
      } else if (v.sink != null) {
        v.sink.accumulate(g);
      } else {
        v.grad = v.grad == null ? g.copy() : Ops.addInPlace(v.grad, g);
      }
    }
  }

  /**
   * Adds {@code g} to this value's gradient during a backward pass; {@link Backward} implementations call it for each
   * input. {@code g} is never modified (it may be shared between inputs): a second contribution is summed into a
   * private copy.
   */
  public void accumulateGrad(FloatTensor g) {
    if (!requiresGrad) {
      return;
    }
    if (!g.shape().equals(value.shape())) {
      throw new IllegalStateException(
          "an operation produced a gradient of shape " + g.shape() + " for a value of shape " + value.shape());
    }
    if (pending == null) {
      pending = g;
      pendingOwned = false;
    } else {
      if (!pendingOwned) {
        pending = pending.copy();
        pendingOwned = true;
      }
      Ops.addInPlace(pending, g);
    }
  }

  private List<Variable> topologicalOrder() {
    // Iterative post-order DFS over nodes that require a gradient; reversed, every node precedes its inputs.
    List<Variable> post = new ArrayList<>();
    Map<Variable, Boolean> seen = new IdentityHashMap<>();
    Deque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {this, 0});
    seen.put(this, Boolean.TRUE);
    while (!stack.isEmpty()) {
      Object[] top = stack.peek();
      Variable v = (Variable) top[0];
      int next = (Integer) top[1];
      if (next < v.parents.size()) {
        top[1] = next + 1;
        Variable p = v.parents.get(next);
        if (p.requiresGrad && seen.put(p, Boolean.TRUE) == null) {
          stack.push(new Object[] {p, 0});
        }
      } else {
        stack.pop();
        post.add(v);
      }
    }
    Collections.reverse(post);
    return post;
  }
}
