package dev.emb4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.io.Vectors;
import dev.emb4j.store.HeapRowStore;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.logging.Level;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The projector and training pages as a person uses them, in headless Chromium (Debian's chromium and
 * chromium-driver, or CHROME_BINARY and CHROMEDRIVER): they load without console errors, the canvas is drawn, a
 * searched token lists its neighbours, and the training page draws the run log. Run with {@code -Pbrowser}.
 */
class PagesInChromiumTest {
  private static final int ROWS = 100_000;
  private static final int DIM = 16;

  @TempDir static Path dir;

  private static EmbeddingServer server;
  private static ChromeDriver browser;
  private static Path log;

  @BeforeAll
  static void start() throws Exception {
    SplittableRandom random = new SplittableRandom(1);
    float[] data = new float[ROWS * DIM];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextGaussian();
    }
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      tokens.add("w" + i);
    }
    log = dir.resolve("run.jsonl");
    server =
        EmbeddingServer.start(
            "127.0.0.1", 0, () -> ServedModels.of(Vectors.of(tokens, HeapRowStore.wrap(data, DIM)), null, null, null), ServerLimits.DEFAULT, log);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(System.getenv().getOrDefault("CHROME_BINARY", "/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,800");
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logging);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver")).toFile())
            .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  private static WebDriverWait waiting() {
    // polled often, so that the time printed below is the page's, not the poll interval's
    return new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(20));
  }

  /** Distinct colours in the page's screenshot, sampled every 4 pixels: a blank page has one or two. */
  private static int colours() throws Exception {
    BufferedImage shot = ImageIO.read(new ByteArrayInputStream(browser.getScreenshotAs(OutputType.BYTES)));
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < shot.getHeight(); y += 4) {
      for (int x = 0; x < shot.getWidth(); x += 4) {
        seen.add(shot.getRGB(x, y));
      }
    }
    return seen.size();
  }

  private static void assertNoConsoleErrors() {
    List<String> errors = new ArrayList<>();
    for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
        errors.add(entry.getMessage());
      }
    }
    assertEquals(List.of(), errors, "console errors");
  }

  @Test
  void theProjectorDrawsAHundredThousandPointsAndListsNeighbours() throws Exception {
    server.reload(); // a fresh generation, so that the timing below includes the projection
    long start = System.nanoTime();
    browser.get(url("/"));
    waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-drawn")));
    double drawn = (System.nanoTime() - start) / 1e9;
    waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    WebElement body = browser.findElement(By.tagName("body"));
    System.out.printf(
        "projector: %,d points drawn %.2f s after the page was asked for, their tokens loaded at %.2f s"
            + " (page clock: points asked for at %s ms, ECharts loaded at %s ms, points arrived at %s ms, drawn at %s ms)%n",
        ROWS,
        drawn,
        (System.nanoTime() - start) / 1e9,
        body.getDomAttribute("data-asked-ms"),
        body.getDomAttribute("data-script-ms"),
        body.getDomAttribute("data-fetched-ms"),
        body.getDomAttribute("data-drawn-ms"));
    assertTrue(colours() > 20, "the canvas is drawn");
    assertNoConsoleErrors();

    browser.findElement(By.id("token")).sendKeys("w123", Keys.ENTER);
    waiting().until(d -> d.findElements(By.cssSelector("#neighbours li")).size() == 10);
    assertTrue(browser.findElement(By.id("status")).getText().contains("w123"));
    browser.findElements(By.cssSelector("#neighbours li")).getFirst().click();
    waiting().until(d -> !d.findElement(By.id("status")).getText().contains("w123"));
    assertEquals(10, browser.findElements(By.cssSelector("#neighbours li")).size(), "a clicked neighbour lists its own");
    assertNoConsoleErrors();
  }

  @Test
  void theTrainingPageDrawsTheRunLog() throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int e = 1; e <= 5; e++) {
      lines.append("{\"type\":\"step\",\"done\":").append(e * 10).append(",\"total\":50,\"loss\":").append(1.0 / e).append(",\"lr\":0.1,\"seconds\":").append(e - 0.5).append("}\n");
      lines.append("{\"type\":\"epoch\",\"epoch\":").append(e).append(",\"loss\":").append(1.0 / e).append(",\"lr\":0.1,\"seconds\":").append(e)
          .append(",\"validation\":{\"accuracy\":").append(0.5 + e / 20.0).append("},\"epochs\":5}\n");
    }
    Files.writeString(log, lines);
    browser.get(url("/training"));
    waiting().until(d -> "10".equals(d.findElement(By.tagName("body")).getDomAttribute("data-entries")));
    assertTrue(browser.findElement(By.id("status")).getText().contains("epoch 5 of 5"));
    assertTrue(colours() > 20, "the curves are drawn");
    assertNoConsoleErrors();
  }
}
