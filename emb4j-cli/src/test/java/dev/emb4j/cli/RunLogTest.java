package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.format.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --log run.jsonl} on the training commands, and {@code emb4j plot} drawing it. */
class RunLogTest {
  @TempDir Path dir;

  private List<Map<?, ?>> entries(Path log) throws Exception {
    return Files.readAllLines(log).stream().<Map<?, ?>>map(line -> (Map<?, ?>) Json.parse(line)).toList();
  }

  @Test
  void classifyTrainLogsEpochsWithValidationAndPlotDrawsThem() throws Exception {
    Path train = TestFiles.texts(dir, "train.txt", 1, 300, "sport", "tech");
    Path valid = TestFiles.texts(dir, "valid.txt", 2, 60, "sport", "tech");
    Path log = dir.resolve("run.jsonl");
    CliRun t =
        CliRun.run("classify", "train", "--input", train.toString(), "--valid", valid.toString(), "--output", dir.resolve("m.model").toString(),
            "--dim", "8", "--epochs", "3", "--threads", "1", "-q", "--log", log.toString());
    assertEquals(0, t.exitCode(), t.err());
    List<Map<?, ?>> entries = entries(log);
    List<Map<?, ?>> epochs = entries.stream().filter(e -> "epoch".equals(e.get("type"))).toList();
    assertEquals(3, epochs.size());
    assertEquals(3.0, epochs.getLast().get("epoch"));
    assertTrue(((Map<?, ?>) epochs.getLast().get("validation")).containsKey("accuracy"), epochs.toString());
    assertTrue(entries.stream().anyMatch(e -> "step".equals(e.get("type"))), "steps are logged too");

    Path png = dir.resolve("curves.png");
    CliRun p = CliRun.run("plot", log.toString(), "-o", png.toString());
    assertEquals(0, p.exitCode(), p.err());
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(900, image.getWidth());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertTrue(colours.size() > 10, "a drawn chart, not a blank picture: " + colours.size() + " colours");

    Path svg = dir.resolve("curves.svg");
    CliRun s = CliRun.run("plot", log.toString(), "-o", svg.toString());
    assertEquals(0, s.exitCode(), s.err());
    SvgFile picture = SvgFile.read(svg);
    assertEquals("svg", picture.root());
    List<String> texts = picture.texts();
    for (String series : List.of("loss (steps)", "loss (epoch mean)", "validation accuracy")) {
      assertTrue(texts.contains(series), "the legend names " + series + ": " + texts);
    }
    // the three epoch means are drawn as marks on their curve, the validation points too
    assertTrue(picture.count("line") + picture.count("path") > 6, "the curves are drawn");
  }

  @Test
  void recommendTrainLogsTheTestFigures() throws Exception {
    Path ratings = TestFiles.ratings(dir, "r.tsv", 1, 600);
    Path test = TestFiles.ratings(dir, "t.tsv", 2, 100);
    Path log = dir.resolve("run.jsonl");
    CliRun t =
        CliRun.run("recommend", "train", "--train", ratings.toString(), "--test", test.toString(), "--output", dir.resolve("ml.model").toString(),
            "-q", "--epochs", "4", "--dim", "8", "--log", log.toString());
    assertEquals(0, t.exitCode(), t.err());
    List<Map<?, ?>> epochs = entries(log).stream().filter(e -> "epoch".equals(e.get("type"))).toList();
    assertEquals(4, epochs.size());
    assertTrue(((Map<?, ?>) epochs.getFirst().get("validation")).containsKey("rmse"), epochs.toString());
  }

  @Test
  void plotRefusesWhatIsNotARunLog() throws Exception {
    Path notALog = Files.writeString(dir.resolve("x.jsonl"), "{\"a\": 1}\n");
    CliRun p = CliRun.run("plot", notALog.toString(), "-o", dir.resolve("x.png").toString());
    assertEquals(1, p.exitCode());
    assertTrue(p.err().contains("no step or epoch"), p.err());
    CliRun gif = CliRun.run("plot", notALog.toString(), "-o", dir.resolve("x.gif").toString());
    assertEquals(2, gif.exitCode());
    assertTrue(gif.err().contains(".png or .svg"), gif.err());
  }
}
