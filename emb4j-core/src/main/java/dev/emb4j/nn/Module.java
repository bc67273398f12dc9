package dev.emb4j.nn;

import java.util.List;

/**
 * A building block of a model that owns parameters: an embedding, a linear layer, or a container of modules.
 *
 * <p>Modules start in training mode; {@link #train(boolean) train(false)} switches layers such as {@link Dropout} to
 * their inference behaviour.
 */
public interface Module {

  /** The learnable parameters of this module and its children, in a stable order. */
  List<Parameter> parameters();

  /** Switches training mode on or off (default: on); containers pass it on to their children. */
  default void train(boolean training) {}

  /** Forgets the gradients of every parameter. */
  default void zeroGrad() {
    for (Parameter p : parameters()) {
      p.zeroGrad();
    }
  }
}
