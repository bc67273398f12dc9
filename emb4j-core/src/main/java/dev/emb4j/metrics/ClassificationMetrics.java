package dev.emb4j.metrics;

/**
 * Accuracy and per-class precision, recall and F1 from predicted and true class indices, via a confusion matrix.
 *
 * <p>A class that is never predicted has precision 0; one that never occurs has recall 0 (and F1 0), the convention
 * of scikit-learn's {@code zero_division=0}.
 */
public final class ClassificationMetrics {
  private final int classes;
  private final long[][] confusion;
  private final long total;

  private ClassificationMetrics(int classes, long[][] confusion, long total) {
    this.classes = classes;
    this.confusion = confusion;
    this.total = total;
  }

  /**
   * Metrics of {@code predicted} against {@code actual} (same length, values in {@code 0..classes-1}).
   *
   * @throws IllegalArgumentException for different lengths or a value out of range (naming its position)
   */
  public static ClassificationMetrics of(int[] predicted, int[] actual, int classes) {
    if (predicted.length != actual.length) {
      throw new IllegalArgumentException(
          predicted.length + " predictions for " + actual.length + " true labels; they must pair up");
    }
    if (classes <= 0) {
      throw new IllegalArgumentException("classes must be positive, got " + classes);
    }
    long[][] m = new long[classes][classes];
    for (int i = 0; i < actual.length; i++) {
      check("predicted", predicted[i], i, classes);
      check("actual", actual[i], i, classes);
      m[actual[i]][predicted[i]]++;
    }
    return new ClassificationMetrics(classes, m, actual.length);
  }

  private static void check(String what, int v, int i, int classes) {
    if (v < 0 || v >= classes) {
      throw new IllegalArgumentException(
          what + " class " + v + " at position [" + i + "] is out of range (valid 0.." + (classes - 1) + ")");
    }
  }

  /** Number of examples. */
  public long count() {
    return total;
  }

  /** Number of classes. */
  public int classes() {
    return classes;
  }

  /** The share of examples predicted correctly (NaN for no examples). */
  public double accuracy() {
    long right = 0;
    for (int c = 0; c < classes; c++) {
      right += confusion[c][c];
    }
    return total == 0 ? Double.NaN : (double) right / total;
  }

  /** Of the examples predicted as class c, the share that are c. */
  public double precision(int c) {
    long predicted = 0;
    for (int a = 0; a < classes; a++) {
      predicted += confusion[a][c];
    }
    return predicted == 0 ? 0 : (double) confusion[c][c] / predicted;
  }

  /** Of the examples of class c, the share predicted as c. */
  public double recall(int c) {
    long actual = 0;
    for (int p = 0; p < classes; p++) {
      actual += confusion[c][p];
    }
    return actual == 0 ? 0 : (double) confusion[c][c] / actual;
  }

  /** The harmonic mean of precision and recall of class c. */
  public double f1(int c) {
    double p = precision(c);
    double r = recall(c);
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /** The unweighted mean of the per-class F1 scores. */
  public double macroF1() {
    double s = 0;
    for (int c = 0; c < classes; c++) {
      s += f1(c);
    }
    return s / classes;
  }

  /** Examples of true class {@code actual} predicted as {@code predicted}. */
  public long confusion(int actual, int predicted) {
    return confusion[actual][predicted];
  }

  /** Number of examples whose true class is c. */
  public long support(int c) {
    long s = 0;
    for (int p = 0; p < classes; p++) {
      s += confusion[c][p];
    }
    return s;
  }
}
