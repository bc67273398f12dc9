package dev.emb4j.cli.plot;

import dev.emb4j.cli.FileChecks;
import dev.emb4j.internal.format.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emb4j plot RUN.jsonl -o curves.png}: the loss and validation curves of a training run as a picture. */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    description = {
      "Draw the curves of a run log written by 'classify train --log' or 'recommend train --log': the training loss",
      "(every logged step, and each epoch's mean) and, when the run had validation data, each validation figure per",
      "epoch, against seconds since the start. The picture is PNG, or SVG when the file name ends in .svg."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j classify train --input train.txt --output spam.model --log run.jsonl",
      "  emb4j plot run.jsonl -o curves.png",
      "  emb4j plot run.jsonl -o curves.svg"
    })
public final class PlotCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN", description = "A run log (JSON lines).")
  private Path run;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The picture to write: .png or .svg.")
  private Path output;

  @Option(names = "--width", defaultValue = "900", description = "Pixels (default: ${DEFAULT-VALUE}).")
  private int width;

  @Option(names = "--height", defaultValue = "600", description = "Pixels (default: ${DEFAULT-VALUE}).")
  private int height;

  @Override
  public Integer call() throws IOException {
    Pictures.check(spec.commandLine(), output, width, height);
    FileChecks.readable(run);
    Pictures.write(chart(run), output, width, height);
    spec.commandLine().getOut().println("wrote " + output);
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** The chart of a run log: loss on top, validation figures below, sharing the time axis. */
  static JFreeChart chart(Path run) throws IOException {
    XYSeries steps = new XYSeries("loss (steps)");
    XYSeries epochs = new XYSeries("loss (epoch mean)");
    Map<String, XYSeries> validation = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(run, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      if (!(parse(run, i + 1, line) instanceof Map<?, ?> o)) {
        throw new IllegalArgumentException(run + " line " + (i + 1) + " is not a JSON object");
      }
      if (!(o.get("seconds") instanceof Double seconds) || !(o.get("loss") instanceof Double loss)) {
        continue; // a figure that was not finite is written as null
      }
      if ("step".equals(o.get("type"))) {
        steps.add(seconds, loss);
      } else if ("epoch".equals(o.get("type"))) {
        epochs.add(seconds, loss);
        if (o.get("validation") instanceof Map<?, ?> v) {
          v.forEach((name, value) -> {
            if (value instanceof Double d) {
              validation.computeIfAbsent("validation " + name, XYSeries::new).add(seconds, d);
            }
          });
        }
      }
    }
    if (steps.isEmpty() && epochs.isEmpty()) {
      throw new IllegalArgumentException(run + " holds no step or epoch with a loss; is it a run log from --log?");
    }
    NumberAxis time = new NumberAxis("seconds");
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
    XYSeriesCollection losses = new XYSeriesCollection();
    losses.addSeries(steps);
    losses.addSeries(epochs);
    XYLineAndShapeRenderer lossRenderer = new XYLineAndShapeRenderer(true, false);
    lossRenderer.setSeriesShapesVisible(1, true);
    NumberAxis lossAxis = new NumberAxis("loss");
    lossAxis.setAutoRangeIncludesZero(false);
    plot.add(new XYPlot(losses, null, lossAxis, lossRenderer), 2);
    if (!validation.isEmpty()) {
      XYSeriesCollection figures = new XYSeriesCollection();
      validation.values().forEach(figures::addSeries);
      NumberAxis figureAxis = new NumberAxis("validation");
      figureAxis.setAutoRangeIncludesZero(false);
      plot.add(new XYPlot(figures, null, figureAxis, new XYLineAndShapeRenderer(true, true)), 1);
    }
    return new JFreeChart(run.getFileName().toString(), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
  }

  private static Object parse(Path run, int line, String text) {
    try {
      return Json.parse(text);
    } catch (Json.JsonException e) {
      throw new IllegalArgumentException(run + " line " + line + ": " + e.getMessage(), e);
    }
  }
}
