package dev.emb4j.cli.plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import picocli.CommandLine;

/** Writing a chart as a PNG file: the checks on the options, and the file written aside and moved into place. */
final class Pictures {
  private Pictures() {}

  /** Usage errors for an output that is not {@code .png} or a size outside 100..10000 pixels. */
  static void check(CommandLine commandLine, Path output, int width, int height) {
    if (!output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new CommandLine.ParameterException(commandLine, "-o must name a .png file, got " + output);
    }
    if (width < 100 || width > 10000 || height < 100 || height > 10000) {
      throw new CommandLine.ParameterException(commandLine, "--width and --height must be in 100..10000, got " + width + " x " + height);
    }
  }

  /** Draws {@code chart} into {@code output} (headless), so that no half-written picture is ever left there. */
  static void writePng(JFreeChart chart, Path output, int width, int height) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
    ChartUtils.saveChartAsPNG(tmp.toFile(), chart, width, height);
    Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
