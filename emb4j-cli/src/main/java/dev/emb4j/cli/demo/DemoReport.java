package dev.emb4j.cli.demo;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the demo writes: numbered sections, indented lines, and checks. A check prints {@code label: true} (or
 * {@code false}) and remembers failures, so the demo can end with a non-zero exit code when a fact does not hold.
 */
final class DemoReport {
  private static final String INDENT = "   ";

  private final PrintWriter out;
  private final List<String> failures = new ArrayList<>();
  private int checks;
  private String currentSection = "";

  DemoReport(PrintWriter out) {
    this.out = out;
  }

  /** Starts section {@code number}. */
  void section(int number, String title) {
    currentSection = number + ". " + title;
    out.println();
    out.println(currentSection);
  }

  /** One indented line, formatted with {@link String#format} in the root locale. */
  void line(String format, Object... args) {
    out.println(INDENT + String.format(Locale.ROOT, format, args));
  }

  /** Prints {@code label: holds} and records a failure when {@code holds} is false. */
  void check(String label, boolean holds) {
    checks++;
    out.println(INDENT + label + ": " + holds);
    if (!holds) {
      failures.add(currentSection + ": " + label);
    }
  }

  /** Number of checks made so far. */
  int checks() {
    return checks;
  }

  /** The checks that did not hold, as {@code "section: label"}. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  /**
   * A row of floats: compact when every value has at most 4 decimals ({@code [1, 2.5]}), otherwise with 4 decimals
   * and aligned signs ({@code [ 0.1235, -1.0000]}).
   */
  static String vector(float[] values) {
    boolean compact = true;
    for (float v : values) {
      compact &= Math.abs(v) < 1e6f && (float) (Math.rint(v * 10000.0) / 10000.0) == v;
    }
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      sb.append(i == 0 ? "" : ", ");
      sb.append(compact ? compact(values[i]) : String.format(Locale.ROOT, "% .4f", values[i]));
    }
    return sb.append(']').toString();
  }

  /** {@code 2.0f -> "2"}, {@code 0.5f -> "0.5"}, {@code 7.99f -> "7.99"}. */
  private static String compact(float v) {
    return new BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
  }

  /** A list of ids, e.g. {@code [1, 2, 3]}. */
  static String ids(long[] ids) {
    return java.util.Arrays.toString(ids);
  }
}
