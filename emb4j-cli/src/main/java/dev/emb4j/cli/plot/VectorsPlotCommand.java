package dev.emb4j.cli.plot;

import dev.emb4j.cli.Ranges;
import dev.emb4j.cli.vectors.InputOptions;
import dev.emb4j.io.Vectors;
import dev.emb4j.serve.Projection;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYDotRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code emb4j vectors plot FILE -o map.png}: the rows of a vector file projected to 2-D by PCA. */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    description = {
      "Draw the vectors projected on their first two principal components (PCA): up to --max-points rows as dots",
      "(every n-th row when there are more), and the --tokens highlighted and labelled. The picture is PNG, or SVG",
      "when the file name ends in .svg."
    },
    footerHeading = "%nExamples:%n",
    footer = {"  emb4j vectors plot glove.6B.50d.txt -o map.png --tokens king,queen,man,woman"})
public final class VectorsPlotCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Mixin private InputOptions input;

  @Parameters(index = "0", paramLabel = "FILE", description = "The vector file, or a classifier model.")
  private Path file;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The picture to write: .png or .svg.")
  private Path output;

  @Option(names = "--tokens", split = ",", paramLabel = "TOKEN", description = "Tokens to highlight and label.")
  private List<String> tokens = List.of();

  @Option(
      names = "--max-points",
      defaultValue = "100000",
      converter = Ranges.Positive.class,
      description = "The most rows drawn as dots (default: ${DEFAULT-VALUE}).")
  private int maxPoints;

  @Option(names = "--width", defaultValue = "900", description = "Pixels (default: ${DEFAULT-VALUE}).")
  private int width;

  @Option(names = "--height", defaultValue = "900", description = "Pixels (default: ${DEFAULT-VALUE}).")
  private int height;

  @Override
  public Integer call() throws Exception {
    Pictures.check(spec.commandLine(), output, width, height);
    try (Vectors vectors = input.readForSearch(file)) {
      long[] highlighted = new long[tokens.size()];
      for (int i = 0; i < highlighted.length; i++) {
        highlighted[i] = vectors.indexOf(tokens.get(i));
        if (highlighted[i] < 0) {
          throw new IllegalArgumentException("'" + tokens.get(i) + "' is not among the " + vectors.size() + " tokens of " + file);
        }
      }
      Projection projection = Projection.pca(vectors.table());
      XYSeries dots = new XYSeries("rows", false, true);
      long step = Math.max(1, (vectors.size() + maxPoints - 1) / maxPoints);
      float[] row = new float[vectors.dim()];
      for (long r = 0; r < vectors.size(); r += step) {
        vectors.table().readRow(r, row, 0);
        double[] xy = projection.project(row);
        dots.add(xy[0], xy[1]);
      }
      XYPlot plot = new XYPlot(new XYSeriesCollection(dots), new NumberAxis("PC 1"), new NumberAxis("PC 2"), new XYDotRenderer());
      plot.getRenderer().setSeriesPaint(0, new Color(70, 110, 180, 120));
      if (highlighted.length > 0) {
        XYSeries marked = new XYSeries("--tokens", false, true);
        for (int i = 0; i < highlighted.length; i++) {
          vectors.table().readRow(highlighted[i], row, 0);
          double[] xy = projection.project(row);
          marked.add(xy[0], xy[1]);
          XYTextAnnotation label = new XYTextAnnotation(" " + tokens.get(i), xy[0], xy[1]);
          label.setTextAnchor(TextAnchor.BOTTOM_LEFT);
          plot.addAnnotation(label);
        }
        plot.setDataset(1, new XYSeriesCollection(marked));
        XYLineAndShapeRenderer red = new XYLineAndShapeRenderer(false, true);
        red.setSeriesPaint(0, new Color(200, 30, 30));
        plot.setRenderer(1, red);
      }
      String title = file.getFileName() + " (" + vectors.size() + " x " + vectors.dim() + ", PCA)";
      Pictures.write(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true), output, width, height);
    }
    spec.commandLine().getOut().println("wrote " + output);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
