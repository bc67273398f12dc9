package dev.emb4j.nn;

import dev.emb4j.tensor.FloatTensor;

/** Rejects NaN and infinite pretrained weights, naming the first bad value's position. */
final class PretrainedChecks {
  private PretrainedChecks() {}

  static void requireFinite(FloatTensor w) {
    float[] data = w.data();
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        throw new IllegalArgumentException(
            "pretrained weights hold " + data[i] + " at " + w.shape().positionOf(i) + "; every value must be finite");
      }
    }
  }
}
