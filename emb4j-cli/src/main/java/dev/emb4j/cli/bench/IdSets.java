package dev.emb4j.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The ids of a workload's timed calls: {@code --id-sets K} sets, drawn before timing and handed out in turn, call after
 * call. With one set every call reads the same rows, as in {@code torch_embedding_bench.py}, so a table's hot rows stay
 * in the caches from one call to the next; with several, consecutive calls read different draws of the same
 * distribution, as the batches of a stream do. Set k is drawn with seed {@code seed + 1000 k}, so the first set is
 * the one a run with a single set uses. Not thread-safe: each table's call owns its own.
 *
 * @param <T> the form a call takes its ids in (a {@code long[]} or an {@code IndexTensor})
 */
final class IdSets<T> {
  /** Apart from 0, where a set's seed lies from the seed before it. */
  private static final long SEED_STEP = 1000;

  private final List<T> sets;
  private int next;

  private IdSets(List<T> sets) {
    this.sets = sets;
  }

  /** {@code c.idSets()} sets of {@code count} ids in {@code [0, v)} from {@code c}'s stream, each as {@code form}. */
  static <T> IdSets<T> draw(Workload.Config c, int count, long v, long seed, Function<long[], T> form) {
    List<T> sets = new ArrayList<>(c.idSets());
    for (int k = 0; k < c.idSets(); k++) {
      sets.add(form.apply(c.idStream().draw(count, v, seed + SEED_STEP * k)));
    }
    return new IdSets<>(sets);
  }

  /** The set of the next call. */
  T next() {
    T set = sets.get(next);
    next = next + 1 == sets.size() ? 0 : next + 1;
    return set;
  }

  /** Every set, in the order they are handed out. */
  List<T> all() {
    return List.copyOf(sets);
  }
}
