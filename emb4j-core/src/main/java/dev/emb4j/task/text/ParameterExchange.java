package dev.emb4j.task.text;

import dev.emb4j.nn.Parameter;
import java.util.List;

/**
 * Where a {@link TextClassifierTrainer} gets the parameters it trains and where its updates go, batch by batch: the
 * hook that lets the one training loop run against tables kept elsewhere (a cluster of parameter servers), as one of
 * several workers. {@link #LOCAL} is the ordinary run: the model's own tables are the parameters.
 *
 * <p>The trainer makes the model (fresh weights, from the seed), calls {@link #start} once with its parameters, then,
 * on its share of the texts ({@link #part()} of {@link #parts()}), for each batch of {@link #batchTexts()} texts:
 * {@link #pull} the batch's input rows (and the dense layers) into the model, the fastText SGD steps of each text on
 * the model, {@link #push} what those steps changed. It calls {@link #refresh} before evaluating the validation texts
 * and {@link #finish} after the last epoch, before it checks and returns the model. Every call runs on the trainer's
 * one thread.
 */
public interface ParameterExchange {

  /** The ordinary run: the model's tables are the parameters; nothing to pull or push. */
  ParameterExchange LOCAL =
      new ParameterExchange() {
        @Override
        public int batchTexts() {
          return Integer.MAX_VALUE;
        }

        @Override
        public void start(List<Parameter> parameters) {}

        @Override
        public void pull(long[] inputRows) {}

        @Override
        public void push(long[] inputRows) {}

        @Override
        public void refresh() {}

        @Override
        public void finish() {}
      };

  /** This trainer's share of the texts: text {@code i} (0-based, in input order) is its when {@code i % parts() == part()}. */
  default int part() {
    return 0;
  }

  /** How many trainers share the texts. */
  default int parts() {
    return 1;
  }

  /** Texts per batch: one {@link #pull} and one {@link #push} each. */
  int batchTexts();

  /**
   * Called once, before training, with the model's parameters as they were initialised: the input table first
   * ({@code input.weight}: word rows, then n-gram bucket rows; the batches name their rows), then the dense layers
   * ({@code hidden.weight}, {@code hidden.bias} when there is a hidden layer, {@code output.weight}), which every
   * batch reads whole. The exchange keeps them: {@link #pull} writes into their value stores, {@link #push} reads them.
   *
   * @param parameters the model's parameters, trained in place
   */
  void start(List<Parameter> parameters);

  /**
   * Before a batch: brings the given rows of the input table, and the dense layers, up to date in the model.
   *
   * @param inputRows the input rows the batch's texts touch, ascending and distinct
   */
  void pull(long[] inputRows);

  /**
   * After a batch: sends what its SGD steps changed in the given input rows and in the dense layers since {@link
   * #pull}.
   *
   * @param inputRows the same rows as the batch's {@link #pull}
   */
  void push(long[] inputRows);

  /** Brings every parameter of the model up to date (before a validation). */
  void refresh();

  /** After the last epoch: waits for the other trainers, if any, then brings every parameter up to date. */
  void finish();
}
