package dev.emb4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of long work: a redrawn bar with rate and ETA when the output is a terminal, a plain line every few
 * seconds otherwise (logs, pipes), nothing when quiet. Progress goes to stderr so that stdout stays clean for results
 * and {@code --json}.
 */
public final class Progress {
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
  public void update(long done, long total) {
    if (style == Style.QUIET) {
      return;
    }
    long now = System.nanoTime();
    boolean last = done >= total;
    long interval = style == Style.BAR ? BAR_INTERVAL_NANOS : LINE_INTERVAL_NANOS;
    if (!last && now - lastPrint < interval) {
      return;
    }
    lastPrint = now;
    String line = describe(done, total, (now - start) / 1e9);
    if (style == Style.BAR) {
      out.print("\r" + line);
      drewBar = true;
      if (last) {
        out.println();
        drewBar = false;
      }
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends a bar that did not reach 100 % (e.g. on failure), so later output starts on a new line. */
  public void finish() {
    if (drewBar) {
      out.println();
      out.flush();
      drewBar = false;
    }
  }

  /** For example {@code training [#########.....]  62% 1250/2000 steps, 420 steps/s, ETA 2s}. */
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
    sb.append(eta >= 0 && done < total ? ", ETA " + formatSeconds(eta) : ", " + formatSeconds(Math.round(seconds)));
    return sb.toString();
  }

  private static String formatSeconds(long s) {
    return s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
  }
}
