package dev.emb4j.cli;

import dev.emb4j.task.EpochSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values for the commands' {@code --json} output. A NaN or infinite figure is written as {@code null}, never as a
 * number: rounding would turn NaN into {@code 0.0}, which reads as a perfect score.
 */
public final class JsonOutput {
  private JsonOutput() {}

  /**
   * {@code v} rounded to {@code decimals} places, or null when it is NaN or infinite.
   *
   * @param v the value
   * @param decimals places after the point, 0 to 9
   * @return the rounded value, or null
   */
  public static Double rounded(double v, int decimals) {
    if (!Double.isFinite(v)) {
      return null;
    }
    double scale = Math.pow(10, decimals);
    return Math.abs(v) * scale < 0x1p62 ? Math.round(v * scale) / scale : v; // Math.round saturates at 2^63
  }

  /**
   * {@code v} as it is, or null when it is NaN or infinite.
   *
   * @param v the value
   * @return the value, or null
   */
  public static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /**
   * {@code v} as it is (written in float's shortest form), or null when it is NaN or infinite.
   *
   * @param v the value
   * @return the value, or null
   */
  public static Float finite(float v) {
    return Float.isFinite(v) ? v : null;
  }

  /**
   * A run's epochs as a JSON array: {@code {"epoch", "loss", "lr", "seconds"}} per epoch, with {@code "validation":
   * {name: value, ...}} when the run had validation data.
   *
   * @param history the trainer's epoch summaries
   * @return a list for {@code Json.write}
   */
  public static List<Object> history(List<EpochSummary> history) {
    List<Object> out = new ArrayList<>();
    for (EpochSummary e : history) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("epoch", e.epoch());
      o.put("loss", rounded(e.loss(), 6));
      o.put("lr", finite(e.learningRate()));
      o.put("seconds", rounded(e.seconds(), 3));
      if (!e.validation().isEmpty()) {
        Map<String, Object> v = new LinkedHashMap<>();
        e.validation().forEach((name, value) -> v.put(name, rounded(value, 4)));
        o.put("validation", v);
      }
      out.add(o);
    }
    return out;
  }
}
