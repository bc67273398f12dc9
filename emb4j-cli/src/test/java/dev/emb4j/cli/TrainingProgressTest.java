package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.format.Json;
import dev.emb4j.task.EpochSummary;
import dev.emb4j.task.TrainingStep;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training a person can follow: loss and learning rate in the progress, validation figures after each epoch. */
class TrainingProgressTest {
  @TempDir Path dir;

  @Test
  void progressLinesShowLossAndLearningRate() {
    StringWriter sink = new StringWriter();
    Progress p = new Progress(new PrintWriter(sink, true), Progress.Style.LINES, "training", "steps");
    p.onStep(new TrainingStep(10, 10, 0.51234, 0.05));
    String line = sink.toString().strip();
    assertTrue(line.startsWith("training 100% 10/10 steps, "), line);
    assertTrue(line.contains(", loss 0.5123, lr 0.05000, "), line);

    p.onEpoch(new EpochSummary(2, 5, 0.4, 0.3, 1, Map.of()));
    assertEquals(line, sink.toString().strip(), "no validation figures, no epoch line");
    p.onEpoch(new EpochSummary(2, 5, 0.4, 0.3, 1, Map.of("rmse", 0.91234)));
    assertTrue(sink.toString().strip().endsWith("epoch 2/5: loss 0.4000, lr 0.3000, validation rmse 0.9123"),
        sink.toString());
  }

  @Test
  void aNoteGoesAboveTheBar() {
    StringWriter sink = new StringWriter();
    Progress p = new Progress(new PrintWriter(sink, true), Progress.Style.BAR, "training", "steps");
    p.update(1, 4);
    p.note("epoch 1/4");
    String[] parts = sink.toString().split(System.lineSeparator());
    assertEquals(2, parts.length, sink.toString());
    assertTrue(parts[0].startsWith("\r") && parts[0].contains("training [") && parts[0].contains("epoch 1/4"),
        parts[0]);
    assertTrue(parts[1].startsWith("training ["), "the bar is drawn again below: " + parts[1]);
  }

  private Path texts(String name, long seed, int n) throws IOException {
    return TestFiles.texts(dir, name, seed, n, "sport", "tech");
  }

  @Test
  @SuppressWarnings("unchecked")
  void classifyTrainReportsValidationPerEpoch() throws Exception {
    Path train = texts("train.txt", 1, 300);
    Path valid = texts("valid.txt", 2, 100);
    Path model = dir.resolve("m.model");
    CliRun json =
        CliRun.run("classify", "train", "--input", train.toString(), "--valid", valid.toString(), "--output",
            model.toString(), "--dim", "8", "--epochs", "4", "--json");
    assertEquals(0, json.exitCode(), json.err());
    List<Object> history = (List<Object>) ((Map<String, Object>) Json.parse(json.out().strip())).get("history");
    assertEquals(4, history.size());
    Map<String, Object> last = (Map<String, Object>) history.get(3);
    assertEquals(4.0, last.get("epoch"));
    Map<String, Object> v = (Map<String, Object>) last.get("validation");
    assertTrue((Double) v.get("accuracy") > 0.8 && v.containsKey("loss"), json.out());

    CliRun text =
        CliRun.run("classify", "train", "--input", train.toString(), "--valid", valid.toString(), "--output",
            model.toString(), "--dim", "8", "--epochs", "4");
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.err().contains("epoch 4/4: loss "), text.err());
    assertTrue(text.err().contains("validation loss ") && text.err().contains(", accuracy "), text.err());
    assertTrue(text.err().contains(", lr "), "the progress line shows the learning rate: " + text.err());
  }

  @Test
  @SuppressWarnings("unchecked")
  void recommendTrainReportsTestFiguresPerEpoch() throws Exception {
    Path train = TestFiles.ratings(dir, "train.tsv", 3, 600);
    CliRun r =
        CliRun.run("recommend", "train", "--train", train.toString(), "--test", train.toString(), "--output",
            dir.resolve("r.model").toString(), "--dim", "8", "--epochs", "3", "--json");
    assertEquals(0, r.exitCode(), r.err());
    Map<String, Object> o = (Map<String, Object>) Json.parse(r.out().strip());
    List<Object> history = (List<Object>) o.get("history");
    assertEquals(3, history.size());
    Map<String, Object> last = (Map<String, Object>) history.get(2);
    Map<String, Object> v = (Map<String, Object>) last.get("validation");
    assertEquals((Double) o.get("rmse"), (Double) v.get("rmse"), 1e-4, "the last epoch's figures are the result's");
    assertTrue(last.containsKey("lr") && last.containsKey("loss"), r.out());
  }
}
