package dev.emb4j.cli.classify;

import dev.emb4j.metrics.ClassificationMetrics;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Prints N, P@1 and a per-class precision / recall / F1 table, as {@code fasttext test} and scikit-learn do. */
public final class MetricsTable {
  private MetricsTable() {}

  /** Writes the table for {@code m} with class names {@code labels}. */
  public static void print(PrintWriter out, ClassificationMetrics m, List<String> labels) {
    out.printf(Locale.ROOT, "N\t%d%nP@1\t%.4f%n", m.count(), m.accuracy());
    int width = 5;
    for (String l : labels) {
      width = Math.max(width, l.length());
    }
    out.printf(Locale.ROOT, "%-" + width + "s  precision  recall      f1  support%n", "class");
    for (int c = 0; c < m.classes(); c++) {
      out.printf(
          Locale.ROOT,
          "%-" + width + "s  %9.4f  %6.4f  %6.4f  %7d%n",
          labels.get(c),
          m.precision(c),
          m.recall(c),
          m.f1(c),
          m.support(c));
    }
  }
}
