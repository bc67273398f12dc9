package dev.emb4j.cli.plot;

import java.awt.Rectangle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;
import picocli.CommandLine;

/**
 * Writing a chart as a picture file, PNG or SVG as the file's extension says: the checks on the options, and the file
 * written aside and moved into place.
 */
final class Pictures {
  private Pictures() {}

  /** Usage errors for an output that is not {@code .png} or {@code .svg}, or a size outside 100..10000 pixels. */
  static void check(CommandLine commandLine, Path output, int width, int height) {
    String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".png") && !name.endsWith(".svg")) {
      throw new CommandLine.ParameterException(commandLine, "-o must name a .png or .svg file, got " + output);
    }
    if (width < 100 || width > 10000 || height < 100 || height > 10000) {
      throw new CommandLine.ParameterException(commandLine, "--width and --height must be in 100..10000, got " + width + " x " + height);
    }
  }

  /**
   * Draws {@code chart} into {@code output} (headless): SVG text when the name ends in {@code .svg}, else PNG pixels;
   * no half-written picture is ever left there.
   */
  static void write(JFreeChart chart, Path output, int width, int height) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
    if (output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg")) {
      SVGGraphics2D svg = new SVGGraphics2D(width, height);
      chart.draw(svg, new Rectangle(0, 0, width, height));
      Files.writeString(tmp, svg.getSVGDocument(), StandardCharsets.UTF_8);
    } else {
      ChartUtils.saveChartAsPNG(tmp.toFile(), chart, width, height);
    }
    Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
