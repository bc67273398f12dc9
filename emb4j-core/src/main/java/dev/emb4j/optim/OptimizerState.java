package dev.emb4j.optim;

import dev.emb4j.store.RowStore;
import java.util.Map;

/**
 * Everything an optimizer needs to resume exactly where it stopped: what a checkpoint saves beside the parameters.
 *
 * @param optimizer the optimizer's kind, e.g. {@code "Adam"}; a checkpoint refuses to load into another kind
 * @param scalars named numbers such as the step count or the current learning rate
 * @param slots per-parameter state matrices keyed {@code "<parameter name>/<slot>"}, e.g. {@code
 *     "embedding.weight/exp_avg"}; only slots that exist are listed (state is created lazily)
 */
public record OptimizerState(String optimizer, Map<String, Double> scalars, Map<String, RowStore> slots) {
  /** Copies the maps (not the stores) so later changes to the caller's maps do not leak in. */
  public OptimizerState {
    scalars = Map.copyOf(scalars);
    slots = Map.copyOf(slots);
  }
}
