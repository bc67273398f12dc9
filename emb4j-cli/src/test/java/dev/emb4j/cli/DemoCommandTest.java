package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code emb4j demo}: the spam filter on the bundled SMS data, end to end. */
class DemoCommandTest {

  @Test
  void trainsEvaluatesSavesAndReloads(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("sms.model");
    CliRun run = CliRun.run("demo", "-q", "--output", model.toString());
    assertEquals(0, run.exitCode(), run.err());
    String out = run.out();
    Matcher acc = Pattern.compile("P@1\\t([0-9.]+)").matcher(out);
    assertTrue(acc.find(), out);
    assertTrue(Double.parseDouble(acc.group(1)) >= 0.95, "test accuracy " + acc.group(1));
    assertTrue(out.contains("ham ") && out.contains("spam ") && out.contains("precision"), out);
    assertTrue(out.contains("free   ->"), "nearest neighbours are shown: " + out);
    assertTrue(Files.size(model) > 0, "the model was saved");
    assertTrue(out.contains("spam 1.000  \"WINNER!!") || out.matches("(?s).*spam 0\\.9\\d\\d  \"WINNER!!.*"), out);
    assertTrue(out.matches("(?s).*ham  [01]\\.\\d{3}  \"Are we still meeting.*"), out);
    assertTrue(run.err().isEmpty(), "quiet: no progress output, got " + run.err());
  }
}
