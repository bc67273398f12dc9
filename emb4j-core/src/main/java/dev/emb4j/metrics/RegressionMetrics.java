package dev.emb4j.metrics;

/**
 * Root-mean-square and mean absolute error of predictions against true values, accumulated in double precision.
 *
 * @param rmse {@code sqrt(mean((p - y)^2))}
 * @param mae {@code mean(|p - y|)}
 * @param count number of pairs
 */
public record RegressionMetrics(double rmse, double mae, long count) {

  /**
   * The metrics of {@code predicted} against {@code actual} (same length).
   *
   * @throws IllegalArgumentException for different lengths
   */
  public static RegressionMetrics of(float[] predicted, float[] actual) {
    if (predicted.length != actual.length) {
      throw new IllegalArgumentException(
          predicted.length + " predictions for " + actual.length + " true values; they must pair up");
    }
    double se = 0;
    double ae = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = (double) predicted[i] - actual[i];
      se += d * d;
      ae += Math.abs(d);
    }
    int n = actual.length;
    return new RegressionMetrics(
        n == 0 ? Double.NaN : Math.sqrt(se / n), n == 0 ? Double.NaN : ae / n, n);
  }
}
