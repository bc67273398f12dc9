package dev.emb4j.cli;

import dev.emb4j.task.EpochSummary;
import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.TrainingStep;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * Progress of long work: a redrawn bar with rate and ETA when the output is a terminal, a plain line every few
 * seconds otherwise (logs, pipes), nothing when quiet. Progress goes to stderr so that stdout stays clean for results
 * and {@code --json}. As a {@link TrainingListener} it also shows the loss and learning rate, as fastText's progress
 * line does, and prints one line per epoch when the run has validation figures. Thread-safe: Hogwild training
 * threads report concurrently.
 */
public final class Progress implements TrainingListener {
  private static final long LINE_INTERVAL_NANOS = 5_000_000_000L;
  private static final long BAR_INTERVAL_NANOS = 100_000_000L;
  private static final int BAR_WIDTH = 30;

  /** How progress is shown. */
  public enum Style {
    /** A bar redrawn in place with a carriage return. */
    BAR,
    /** A plain line every few seconds. */
    LINES,
    /** Nothing. */
    QUIET
  }

  private final PrintWriter out;
  private final Style style;
  private final String label;
  private final String unit;
  private final long start = System.nanoTime();
  private long lastPrint = start;
  private boolean drewBar;
  private String lastBar = "";
  private TrainingStep lastStep;

  /** Progress of {@code label} counted in {@code unit}s (e.g. "steps"), written to {@code out}. */
  public Progress(PrintWriter out, Style style, String label, String unit) {
    this.out = out;
    this.style = style;
    this.label = label;
    this.unit = unit;
  }

  /** BAR on a terminal, LINES otherwise, QUIET when asked. */
  public static Style styleFor(boolean quiet) {
    if (quiet) {
      return Style.QUIET;
    }
    return System.console() != null && System.console().isTerminal() ? Style.BAR : Style.LINES;
  }

  /** Reports that {@code done} of {@code total} units are finished. */
  public synchronized void update(long done, long total) {
    if (style == Style.QUIET) {
      return;
    }
    long now = System.nanoTime();
    boolean last = done >= total;
    long interval = style == Style.BAR ? BAR_INTERVAL_NANOS : LINE_INTERVAL_NANOS;
    boolean firstBar = style == Style.BAR && lastBar.isEmpty(); // a bar appears at the first update
    if (!last && !firstBar && now - lastPrint < interval) {
      return;
    }
    lastPrint = now;
    String line = describe(done, total, (now - start) / 1e9);
    if (style == Style.BAR) {
      out.print("\r" + line);
      drewBar = true;
      lastBar = line;
      if (last) {
        out.println();
        drewBar = false;
      }
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Shows the step's progress with its loss and learning rate. */
  @Override
  public synchronized void onStep(TrainingStep step) {
    lastStep = step;
    update(step.done(), step.total());
  }

  /**
   * With validation figures, one line for the epoch: {@code epoch 3/25: loss 0.4123, lr 0.44, validation loss
   * 0.5012, accuracy 0.9300}; without, nothing (the progress line shows the loss).
   */
  @Override
  public synchronized void onEpoch(EpochSummary epoch) {
    if (epoch.validation().isEmpty()) {
      return;
    }
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "epoch %d/%d: loss %.4g, lr %.4g, validation",
                epoch.epoch(),
                epoch.epochs(),
                epoch.loss(),
                epoch.learningRate()));
    String sep = " ";
    for (Map.Entry<String, Double> e : epoch.validation().entrySet()) {
      sb.append(sep).append(e.getKey()).append(String.format(Locale.ROOT, " %.4f", e.getValue()));
      sep = ", ";
    }
    note(sb.toString());
  }

  /** Prints a line of its own, above the bar if one is drawn (which is redrawn below it). */
  public synchronized void note(String line) {
    if (style == Style.QUIET) {
      return;
    }
    if (drewBar) {
      int pad = Math.max(0, lastBar.length() - line.length());
      out.print("\r" + line + " ".repeat(pad) + System.lineSeparator() + lastBar);
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends a bar that did not reach 100 % (e.g. on failure), so later output starts on a new line. */
  public synchronized void finish() {
    if (drewBar) {
      out.println();
      out.flush();
      drewBar = false;
    }
  }

  /**
   * For example {@code training [#########.....]  62% 1250/2000 steps, 420 steps/s, loss 0.8123, lr 0.057, ETA 2s}
   * (loss and learning rate once a training step reported them).
   */
  String describe(long done, long total, double seconds) {
    double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
    double rate = seconds > 0 ? done / seconds : 0;
    long eta = rate > 0 ? Math.round((total - done) / rate) : -1;
    StringBuilder sb = new StringBuilder(label).append(' ');
    if (style == Style.BAR) {
      int filled = (int) Math.round(fraction * BAR_WIDTH);
      sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
    }
    sb.append(String.format(Locale.ROOT, "%3d%% %d/%d %s, %.0f %s/s", Math.round(fraction * 100), done, total, unit,
        rate, unit));
    if (lastStep != null) {
      sb.append(String.format(Locale.ROOT, ", loss %.4g, lr %.4g", lastStep.loss(), lastStep.learningRate()));
    }
    sb.append(eta >= 0 && done < total ? ", ETA " + formatSeconds(eta) : ", " + formatSeconds(Math.round(seconds)));
    return sb.toString();
  }

  private static String formatSeconds(long s) {
    return s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
  }
}
