package dev.emb4j.cli;

import dev.emb4j.internal.format.Json;
import dev.emb4j.task.EpochSummary;
import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.TrainingStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run log of {@code --log run.jsonl}: a training listener that passes everything on to another (the progress
 * display) and appends one JSON object per line to a file, flushed at once so that a reader (the training page of
 * {@code emb4j serve}, {@code emb4j plot}) sees the run as it goes:
 *
 * <pre>
 * {"type": "step", "done": 1200, "total": 50000, "loss": 0.61, "lr": 0.098, "seconds": 1.5}   (at most twice a second)
 * {"type": "epoch", "epoch": 1, "loss": 0.52, "lr": 0.08, "seconds": 3.1, "validation": {"accuracy": 0.91}, "epochs": 5}
 * </pre>
 */
public final class RunLog implements TrainingListener, AutoCloseable {
  private static final long STEP_INTERVAL_NANOS = 500_000_000L;

  private final TrainingListener inner;
  private final Writer out;
  private final long start = System.nanoTime();
  private long lastStep = Long.MIN_VALUE;

  private RunLog(TrainingListener inner, Writer out) {
    this.inner = inner;
    this.out = out;
  }

  /**
   * A listener that also writes the run log to {@code file} (replacing it), or just {@code inner} when {@code file}
   * is null.
   *
   * @param file the log, or null
   * @param inner the listener to pass everything on to
   * @return the listener; close it when the run ends
   * @throws IOException if the file cannot be created
   */
  public static RunLog to(Path file, TrainingListener inner) throws IOException {
    return new RunLog(inner, file == null ? null : Files.newBufferedWriter(file, StandardCharsets.UTF_8));
  }

  @Override
  public synchronized void onStep(TrainingStep step) {
    inner.onStep(step);
    long now = System.nanoTime();
    if (out != null && (now - lastStep >= STEP_INTERVAL_NANOS || step.done() == step.total())) {
      lastStep = now;
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "step");
      o.put("done", step.done());
      o.put("total", step.total());
      o.put("loss", JsonOutput.rounded(step.loss(), 6));
      o.put("lr", JsonOutput.finite(step.learningRate()));
      o.put("seconds", JsonOutput.rounded((now - start) / 1e9, 3));
      write(o);
    }
  }

  @Override
  public synchronized void onEpoch(EpochSummary epoch) {
    inner.onEpoch(epoch);
    if (out != null) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "epoch");
      // the fields of the --json history, so that both read alike
      ((Map<?, ?>) JsonOutput.history(List.of(epoch)).getFirst()).forEach((key, value) -> o.put((String) key, value));
      o.put("epochs", epoch.epochs());
      write(o);
    }
  }

  @Override
  public void beforeAllocating(long bytes) {
    inner.beforeAllocating(bytes);
  }

  /** Closes the file. */
  @Override
  public synchronized void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }

  private void write(Map<String, Object> o) {
    try {
      out.write(Json.write(o));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the run log: " + e.getMessage(), e);
    }
  }
}
