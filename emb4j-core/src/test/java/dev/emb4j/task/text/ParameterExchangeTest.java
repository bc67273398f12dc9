package dev.emb4j.task.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.nn.Parameter;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.task.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The trainer's hook for parameters kept elsewhere, exercised with an exchange that keeps them in its own heap copy
 * and pushes each batch's changes as differences, as a parameter server would.
 */
class ParameterExchangeTest {

  /** Keeps a copy of every parameter; a pull copies rows into the model, a push adds the batch's changes back. */
  private static final class HeapServer implements ParameterExchange {
    private final int part;
    private final int parts;
    private final int batch;
    final List<RowStore> model = new ArrayList<>();
    final List<RowStore> server = new ArrayList<>();
    final List<float[]> pulled = new ArrayList<>();
    int batches;
    long rowsPushed;
    boolean finished;

    HeapServer(int part, int parts, int batch) {
      this.part = part;
      this.parts = parts;
      this.batch = batch;
    }

    @Override
    public int part() {
      return part;
    }

    @Override
    public int parts() {
      return parts;
    }

    @Override
    public int batchTexts() {
      return batch;
    }

    @Override
    public void start(List<Parameter> parameters) {
      assertEquals("input.weight", parameters.get(0).name());
      assertEquals("output.weight", parameters.get(parameters.size() - 1).name());
      for (Parameter p : parameters) {
        RowStore v = p.value();
        HeapRowStore copy = HeapRowStore.allocate(v.rows(), v.dim());
        float[] row = new float[v.dim()];
        for (long r = 0; r < v.rows(); r++) {
          v.readRow(r, row, 0);
          copy.writeRow(r, row, 0);
          v.writeRow(r, new float[v.dim()], 0); // the model starts from nothing: every batch must pull
        }
        model.add(v);
        server.add(copy);
        pulled.add(null);
      }
    }

    private long[] rows(int t, long[] inputRows) {
      if (t == 0) {
        return inputRows;
      }
      long[] all = new long[Math.toIntExact(model.get(t).rows())];
      for (int r = 0; r < all.length; r++) {
        all[r] = r;
      }
      return all;
    }

    @Override
    public void pull(long[] inputRows) {
      for (int k = 1; k < inputRows.length; k++) {
        assertTrue(inputRows[k - 1] < inputRows[k], "ascending and distinct");
      }
      for (int t = 0; t < model.size(); t++) {
        long[] rows = rows(t, inputRows);
        int d = model.get(t).dim();
        float[] values = new float[rows.length * d];
        for (int k = 0; k < rows.length; k++) {
          server.get(t).readRow(rows[k], values, k * d);
          model.get(t).writeRow(rows[k], values, k * d);
        }
        pulled.set(t, values);
      }
    }

    @Override
    public void push(long[] inputRows) {
      batches++;
      rowsPushed += inputRows.length;
      for (int t = 0; t < model.size(); t++) {
        long[] rows = rows(t, inputRows);
        int d = model.get(t).dim();
        float[] now = new float[d];
        float[] change = new float[d];
        for (int k = 0; k < rows.length; k++) {
          model.get(t).readRow(rows[k], now, 0);
          for (int j = 0; j < d; j++) {
            change[j] = now[j] - pulled.get(t)[k * d + j];
          }
          server.get(t).addToRow(rows[k], 1f, change, 0);
        }
      }
    }

    @Override
    public void refresh() {
      for (int t = 0; t < model.size(); t++) {
        float[] row = new float[model.get(t).dim()];
        for (long r = 0; r < model.get(t).rows(); r++) {
          server.get(t).readRow(r, row, 0);
          model.get(t).writeRow(r, row, 0);
        }
      }
    }

    @Override
    public void finish() {
      finished = true;
      refresh();
    }
  }

  private static final TextClassifierTrainer.Config CONFIG =
      TextClassifierTrainer.Config.builder().dim(8).epochs(3).buckets(500).deterministic(true).seed(5).build();

  @Test
  void trainsWhatTheLocalRunTrainsThroughTheExchange() {
    List<LabeledText> train = TextClassifierTest.synthetic(300, 1);
    List<LabeledText> test = TextClassifierTest.synthetic(100, 2);
    TextClassifierTrainer.Result local = new TextClassifierTrainer(CONFIG).train(train);
    HeapServer server = new HeapServer(0, 1, 16);
    TextClassifierTrainer.Result shared =
        new TextClassifierTrainer(CONFIG).train(train, List.of(), TrainingListener.NONE, server);
    assertTrue(server.finished);
    assertEquals(3 * ((300 + 15) / 16), server.batches);
    assertEquals(local.tokens(), shared.tokens());
    assertEquals(local.finalLoss(), shared.finalLoss(), 1e-4 * local.finalLoss());
    for (LabeledText t : test) {
      assertArrayEquals(
          local.model().probabilities(local.model().inputIds(t.tokens())),
          shared.model().probabilities(shared.model().inputIds(t.tokens())),
          1e-4);
    }
  }

  @Test
  void aPartTrainsOnItsShareOfTheTexts() {
    List<LabeledText> train = TextClassifierTest.synthetic(301, 3);
    long share = 0;
    for (int i = 1; i < train.size(); i += 3) {
      share += train.get(i).tokens().size() + 1;
    }
    HeapServer server = new HeapServer(1, 3, 10);
    TextClassifierTrainer.Result r =
        new TextClassifierTrainer(CONFIG).train(train, List.of(), TrainingListener.NONE, server);
    assertEquals(3 * share, r.tokens());
    assertEquals(3 * 10, server.batches); // 100 texts a share, 10 batches an epoch
    assertEquals(2, r.model().labels().size());
  }

  @Test
  void refusesThreadsAndEmptyShares() {
    List<LabeledText> train = TextClassifierTest.synthetic(2, 3);
    TextClassifierTrainer.Config threads = CONFIG.toBuilder().deterministic(false).threads(2).build();
    assertThrows(
        IllegalArgumentException.class,
        () -> new TextClassifierTrainer(threads).train(train, List.of(), TrainingListener.NONE, new HeapServer(0, 1, 4)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TextClassifierTrainer(CONFIG).train(train, List.of(), TrainingListener.NONE, new HeapServer(0, 3, 4)));
    assertEquals("2 texts cannot be split over 3 workers", e.getMessage());
  }
}
