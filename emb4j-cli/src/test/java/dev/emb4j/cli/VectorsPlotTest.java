package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code emb4j vectors plot}: a PCA map of the vectors with the named tokens marked in red. */
class VectorsPlotTest {
  @TempDir Path dir;

  @Test
  void drawsTheRowsAndMarksTheTokens() throws Exception {
    Path glove = dir.resolve("tiny.txt");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      sb.append("w").append(i);
      for (int j = 0; j < 6; j++) {
        sb.append(' ').append(Math.sin(i * 0.37 + j * 1.3) * (j + 1));
      }
      sb.append('\n');
    }
    Files.writeString(glove, sb);
    Path png = dir.resolve("map.png");
    CliRun r = CliRun.run("vectors", "plot", glove.toString(), "-o", png.toString(), "--tokens", "w3,w150", "--width", "400", "--height", "300");
    assertEquals(0, r.exitCode(), r.err());
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(400, image.getWidth());
    int red = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        red += ((rgb >> 16) & 0xff) > 180 && ((rgb >> 8) & 0xff) < 80 && (rgb & 0xff) < 80 ? 1 : 0;
      }
    }
    assertTrue(red > 10, "the marked tokens are drawn in red: " + red + " red pixels");

    Path svg = dir.resolve("map.svg");
    CliRun s = CliRun.run("vectors", "plot", glove.toString(), "-o", svg.toString(), "--tokens", "w3,w150", "--width", "400", "--height", "300");
    assertEquals(0, s.exitCode(), s.err());
    SvgFile picture = SvgFile.read(svg);
    assertEquals("svg", picture.root());
    // one dot per row, besides the plot's own frame and legend boxes
    assertTrue(picture.count("rect") >= 200, picture.count("rect") + " rectangles for 200 rows");
    assertTrue(picture.texts().containsAll(List.of(" w3", " w150")), "the tokens are labelled: " + picture.texts());

    CliRun unknown = CliRun.run("vectors", "plot", glove.toString(), "-o", png.toString(), "--tokens", "frog");
    assertEquals(1, unknown.exitCode());
    assertTrue(unknown.err().contains("'frog'"), unknown.err());
  }
}
