package dev.emb4j.task.text;

import dev.emb4j.internal.kernel.Kernels;
import dev.emb4j.internal.kernel.MatrixKernels;
import dev.emb4j.internal.kernel.RowRule;
import dev.emb4j.internal.kernel.StochasticRounding;
import dev.emb4j.internal.kernel.StoreMemory;
import dev.emb4j.internal.store.RowMemory;
import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import java.util.Arrays;

/**
 * One thread's working buffers for a {@link TextClassifier}: the forward pass (mean of input rows, optional ReLU
 * layer, softmax) and, for training, the SGD step that updates the output layer, the hidden layer and every input row
 * of the example right after its backward pass, as fastText does. The layers run on the library's matrix kernels; the
 * layers' SGD steps are fused into their weight-gradient products (the step's rows, {@code -lr} times the gradient,
 * accumulated straight into the weights), and the input rows are updated by the SGD row rule.
 */
final class Forward {
  private final TextClassifier model;
  private final RowStore rows;
  private final int dim;
  private final int hidden;
  private final int classes;
  final float[] h0;
  final float[] z1;
  final float[] h1;
  final double[] prob;
  private final float[] logits;
  private final float[] gradLogits;
  private final float[] stepLogits;
  private final float[] gradTop;
  private final float[] gradH0;
  private final float[] gradZ1;
  private final float[] stepZ1;

  /** The seed of this thread's stochastic rounding of 16-bit input rows, and its updates so far. */
  private final long roundingSeed;

  private long updates;

  Forward(TextClassifier model) {
    this(model, 0);
  }

  /** Buffers for one thread, which rounds its updates of 16-bit input rows with random bits from {@code roundingSeed}. */
  Forward(TextClassifier model, long roundingSeed) {
    this.model = model;
    this.roundingSeed = roundingSeed;
    this.rows = model.input.weight();
    this.dim = model.shape.dim();
    this.hidden = model.shape.hidden();
    this.classes = model.labels.size();
    this.h0 = new float[dim];
    this.z1 = new float[Math.max(hidden, 1)];
    this.h1 = new float[Math.max(hidden, 1)];
    this.prob = new double[classes];
    this.logits = new float[classes];
    this.gradLogits = new float[classes];
    this.stepLogits = new float[classes];
    this.gradTop = new float[hidden > 0 ? hidden : dim];
    this.gradH0 = new float[dim];
    this.gradZ1 = new float[Math.max(hidden, 1)];
    this.stepZ1 = new float[Math.max(hidden, 1)];
  }

  /** Computes the class probabilities of a text given by its input rows (an empty text gives the zero vector). */
  void run(int[] ids) {
    Arrays.fill(h0, 0f);
    for (int id : ids) {
      rows.accumulateRow(id, 1f, h0, 0);
    }
    if (ids.length > 0) {
      float inv = 1f / ids.length;
      for (int j = 0; j < dim; j++) {
        h0[j] *= inv;
      }
    }
    float[] top = h0;
    if (hidden > 0) {
      MatrixKernels.matmulTransposedB(h0, model.hiddenWeight.data(), model.hiddenBias.data(), z1, 1, dim, hidden);
      for (int j = 0; j < hidden; j++) {
        h1[j] = Math.max(z1[j], 0f);
      }
      top = h1;
    }
    int width = hidden > 0 ? hidden : dim;
    MatrixKernels.matmulTransposedB(top, model.output.data(), null, logits, 1, width, classes);
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      prob[c] = logits[c];
      max = Math.max(max, prob[c]);
    }
    double z = 0;
    for (int c = 0; c < classes; c++) {
      prob[c] = Math.exp(prob[c] - max);
      z += prob[c];
    }
    for (int c = 0; c < classes; c++) {
      prob[c] /= z;
    }
  }

  /** The loss of a text whose true class got probability {@code p}: {@code -log p}, at most about 69. */
  static double loss(double p) {
    return -Math.log(Math.max(p, 1e-30)); // a NaN probability gives a NaN loss, which the trainer catches
  }

  /** The most probable class of the last {@link #run}. */
  int argmax() {
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (prob[c] > prob[best]) {
        best = c;
      }
    }
    return best;
  }

  /**
   * One SGD step on the example {@code (ids, label)} with learning rate {@code lr}; returns its loss (-log p).
   * Writes are unsynchronised: concurrent steps from several threads are Hogwild updates.
   */
  double step(int[] ids, int label, float lr) {
    run(ids);
    double loss = loss(prob[label]);
    if (ids.length == 0) {
      return loss;
    }
    float[] top = hidden > 0 ? h1 : h0;
    int width = hidden > 0 ? hidden : dim;
    float[] w = model.output.data();
    float minusLr = -lr;
    // dL/dlogits = p - onehot(label), and the output layer's SGD step: W += (-lr * dL/dlogits)^T @ top
    for (int c = 0; c < classes; c++) {
      gradLogits[c] = (float) (prob[c] - (c == label ? 1 : 0));
      stepLogits[c] = minusLr * gradLogits[c];
    }
    Arrays.fill(gradTop, 0f);
    MatrixKernels.matmulAccumulate(gradLogits, w, gradTop, 1, width, classes); // before the step changes W
    MatrixKernels.matmulTransposedAAccumulate(stepLogits, top, w, 1, width, classes);
    float[] toRows = gradTop;
    if (hidden > 0) {
      float[] w1 = model.hiddenWeight.data();
      float[] b1 = model.hiddenBias.data();
      for (int k = 0; k < hidden; k++) {
        gradZ1[k] = z1[k] > 0 ? gradTop[k] : 0f; // ReLU
        stepZ1[k] = minusLr * gradZ1[k];
        b1[k] += stepZ1[k];
      }
      Arrays.fill(gradH0, 0f);
      MatrixKernels.matmulAccumulate(gradZ1, w1, gradH0, 1, dim, hidden);
      MatrixKernels.matmulTransposedAAccumulate(stepZ1, h0, w1, 1, dim, hidden);
      toRows = gradH0;
    }
    // each input row's gradient is dL/dh0 / n (the mean): one SGD update per occurrence, as fastText's
    RowMemory memory =
        StoreMemory.of(rows).orElseThrow(() -> new IllegalStateException("input rows without a memory view"));
    DType dtype = rows.dtype();
    StochasticRounding rounding = dtype == DType.F32 ? null : new StochasticRounding(dtype, roundingSeed, ++updates);
    Kernels.updateEachRow(new RowRule.Sgd(minusLr, 0f), memory, ids, toRows, 1f / ids.length, rounding);
    return loss;
  }
}
