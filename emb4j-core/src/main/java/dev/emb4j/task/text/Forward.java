package dev.emb4j.task.text;

import dev.emb4j.internal.kernel.MatrixKernels;
import dev.emb4j.store.RowStore;

/**
 * One thread's working buffers for a {@link TextClassifier}: the forward pass (mean of input rows, optional ReLU
 * layer, softmax) and, for training, the fused SGD step that updates the output layer, the hidden layer and every
 * input row of the example in one pass, as fastText does.
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
  private final float[] gradTop;
  private final float[] gradH0;
  private final float[] gradZ1;

  Forward(TextClassifier model) {
    this.model = model;
    this.rows = model.input.weight();
    this.dim = model.shape.dim();
    this.hidden = model.shape.hidden();
    this.classes = model.labels.size();
    this.h0 = new float[dim];
    this.z1 = new float[Math.max(hidden, 1)];
    this.h1 = new float[Math.max(hidden, 1)];
    this.prob = new double[classes];
    this.gradTop = new float[hidden > 0 ? hidden : dim];
    this.gradH0 = new float[dim];
    this.gradZ1 = new float[Math.max(hidden, 1)];
  }

  /** Computes the class probabilities of a text given by its input rows (an empty text gives the zero vector). */
  void run(int[] ids) {
    java.util.Arrays.fill(h0, 0f);
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
    float[] w = model.output.data();
    int width = hidden > 0 ? hidden : dim;
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      prob[c] = MatrixKernels.dot(w, c * width, top, 0, width);
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
    double loss = -Math.log(Math.max(prob[label], 1e-30));
    if (ids.length == 0) {
      return loss;
    }
    float[] top = hidden > 0 ? h1 : h0;
    int width = hidden > 0 ? hidden : dim;
    float[] w = model.output.data();
    java.util.Arrays.fill(gradTop, 0f);
    for (int c = 0; c < classes; c++) {
      float g = (float) (lr * ((c == label ? 1 : 0) - prob[c]));
      int o = c * width;
      for (int j = 0; j < width; j++) {
        gradTop[j] += g * w[o + j];
        w[o + j] += g * top[j];
      }
    }
    float[] toRows = gradTop;
    if (hidden > 0) {
      float[] w1 = model.hiddenWeight.data();
      float[] b1 = model.hiddenBias.data();
      java.util.Arrays.fill(gradH0, 0f);
      for (int k = 0; k < hidden; k++) {
        gradZ1[k] = z1[k] > 0 ? gradTop[k] : 0f;
        if (gradZ1[k] == 0f) {
          continue;
        }
        int o = k * dim;
        for (int j = 0; j < dim; j++) {
          gradH0[j] += gradZ1[k] * w1[o + j];
          w1[o + j] += gradZ1[k] * h0[j];
        }
        b1[k] += gradZ1[k];
      }
      toRows = gradH0;
    }
    float share = 1f / ids.length;
    for (int id : ids) {
      rows.addToRow(id, share, toRows, 0);
    }
    return loss;
  }
}
