package dev.emb4j.tensor;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The positions {@code 0 .. size-1} of a data set cut into mini-batches, optionally shuffled: the index side of
 * PyTorch's {@code DataLoader(dataset, batch_size, shuffle=True, drop_last)}. Each batch is a 1-D int32 {@link
 * IndexTensor} that picks the batch's rows out of the data with {@link FloatTensor#index} or {@link
 * IndexTensor#index}.
 *
 * <pre>{@code
 * MiniBatches batches = MiniBatches.of(tokens.shape().dim(0), 32).shuffle(7);
 * for (int epoch = 0; epoch < 5; epoch++) {
 *   for (IndexTensor batch : batches) {                // a new order every epoch
 *     Variable loss = lossFn.apply(model.forward(tokens.index(batch)), labels.index(batch));
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>A shuffled instance draws a new permutation from its own generator, seeded once, each time it is iterated, so
 * that the sequence of epochs is reproducible. Not thread-safe.
 */
public final class MiniBatches implements Iterable<IndexTensor> {
  private final int size;
  private final int batchSize;
  private final boolean dropLast;
  private final SplittableRandom rng;

  private MiniBatches(int size, int batchSize, boolean dropLast, SplittableRandom rng) {
    this.size = size;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.rng = rng;
  }

  /**
   * The positions {@code 0 .. size-1} in order, {@code batchSize} at a time; the last batch may be smaller.
   *
   * @throws IllegalArgumentException if {@code size} is negative or {@code batchSize} not positive
   */
  public static MiniBatches of(int size, int batchSize) {
    if (size < 0 || batchSize <= 0) {
      throw new IllegalArgumentException(
          "need size >= 0 and batchSize > 0, got size=" + size + ", batchSize=" + batchSize);
    }
    return new MiniBatches(size, batchSize, false, null);
  }

  /** The same batches, the positions shuffled anew on every iteration by a generator seeded with {@code seed}. */
  public MiniBatches shuffle(long seed) {
    return new MiniBatches(size, batchSize, dropLast, new SplittableRandom(seed));
  }

  /** Whether a last batch smaller than the batch size is left out (PyTorch's {@code drop_last}); default false. */
  public MiniBatches dropLast(boolean dropLast) {
    return new MiniBatches(size, batchSize, dropLast, rng);
  }

  /** The number of batches per iteration. */
  public int numBatches() {
    return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
  }

  /** One pass over the data: a new permutation when shuffled. */
  @Override
  public Iterator<IndexTensor> iterator() {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    if (rng != null) {
      for (int i = size - 1; i > 0; i--) { // Fisher-Yates
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    int batches = numBatches();
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < batches;
      }

      @Override
      public IndexTensor next() {
        if (!hasNext()) {
          throw new NoSuchElementException("all " + batches + " batches were returned");
        }
        int from = next++ * batchSize;
        int to = Math.min(size, from + batchSize);
        return IndexTensor.of(java.util.Arrays.copyOfRange(order, from, to));
      }
    };
  }

  @Override
  public String toString() {
    return "MiniBatches(size=" + size + ", batchSize=" + batchSize + (rng != null ? ", shuffled" : "")
        + (dropLast ? ", dropLast" : "") + ")";
  }
}
