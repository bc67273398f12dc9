package dev.emb4j.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.text.LabeledText;
import dev.emb4j.task.text.LabeledTextFile;
import dev.emb4j.task.text.TextClassifierTrainer;
import dev.emb4j.task.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The text classifier trained against two member JVMs on loopback, on the bundled SMS spam data: one worker ends
 * where the single-machine trainer ends, two workers close to it. Tagged {@code cluster} (the {@code -Pcluster}
 * profile, which {@code .ci/run} runs), as the other tests with member JVMs.
 */
@Tag("cluster")
@Timeout(300)
class ShardedTextClassifierTest {
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final int BATCH = 256;
  private static ChildJvm first;
  private static ChildJvm second;
  private static Cluster cluster;
  private static List<LabeledText> train;
  private static List<LabeledText> test;
  private static TextClassifierTrainer.Config config;
  private static TextClassifierTrainer.Result single;
  private static double localAccuracy;

  @BeforeAll
  static void startMembersAndTrainLocally() throws IOException {
    int p1 = ShardedTableTest.freePort();
    int p2 = ShardedTableTest.freePort();
    String all = "127.0.0.1:" + p1 + ",127.0.0.1:" + p2;
    first = ChildJvm.member(p1, all);
    second = ChildJvm.member(p2, all);
    cluster = Cluster.connect(List.of(all.split(",")));
    // The SMS Spam Collection ships with the CLI as the demo's data; surefire runs in this module's folder.
    Path sms =
        Path.of(System.getProperty("user.dir"))
            .resolve("../emb4j-cli/src/main/resources/dev/emb4j/cli/demo/sms-spam/SMSSpamCollection")
            .normalize();
    List<LabeledText> texts = new ArrayList<>(LabeledTextFile.read(sms, new Tokenizer(true), false).examples());
    Collections.shuffle(texts, new Random(42)); // the demo's split: 80 % to train, 20 % to test
    int cut = (int) (texts.size() * 0.8);
    train = texts.subList(0, cut);
    test = texts.subList(cut, texts.size());
    config = TextClassifierTrainer.Config.builder().epochs(5).buckets(20_000).deterministic(true).build();
    single = new TextClassifierTrainer(config).train(train);
    localAccuracy = single.model().evaluate(test).accuracy();
  }

  @AfterAll
  static void stopMembers() {
    if (cluster != null) {
      cluster.close();
    }
    if (second != null) {
      second.close();
    }
    if (first != null) {
      first.close();
    }
  }

  private static TextClassifierTrainer.Result trainOnCluster(String prefix, int worker, int workers) {
    return trainOnCluster(config, prefix, worker, workers);
  }

  private static TextClassifierTrainer.Result trainOnCluster(
      TextClassifierTrainer.Config c, String prefix, int worker, int workers) {
    return new ShardedTextClassifierTrainer(c, cluster, prefix, worker, workers, WAIT, BATCH)
        .train(train, List.of(), TrainingListener.NONE);
  }

  @Test
  void oneWorkerTrainsWhatTheSingleMachineTrainerTrains() {
    TextClassifierTrainer.Result sharded = trainOnCluster("one", 0, 1);
    // the same steps; only the subtraction that turns them into pushed rows rounds differently
    assertEquals(single.finalLoss(), sharded.finalLoss(), 1e-4 * single.finalLoss());
    assertEquals(localAccuracy, sharded.model().evaluate(test).accuracy(), 0.002);
    assertEquals(single.tokens(), sharded.tokens());
    assertTrue(localAccuracy > 0.97, "local accuracy " + localAccuracy);
  }

  @Test
  void twoWorkersComeCloseToOneMachineAndEndWithTheSameModel() throws Exception {
    CompletableFuture<TextClassifierTrainer.Result> other =
        CompletableFuture.supplyAsync(() -> trainOnCluster("two", 1, 2));
    TextClassifierTrainer.Result mine = trainOnCluster("two", 0, 2);
    TextClassifierTrainer.Result theirs = other.get();
    double accuracy = mine.model().evaluate(test).accuracy();
    // each worker sees half the texts per epoch, with the other's steps arriving up to a batch late: within 1.5
    // points (16 of the 1110 test texts) of one machine
    assertTrue(accuracy >= localAccuracy - 0.015, "two workers " + accuracy + ", one machine " + localAccuracy);
    assertEquals(accuracy, theirs.model().evaluate(test).accuracy());
    for (String text : List.of("WINNER! call now to claim your free prize", "see you at lunch tomorrow")) {
      assertArrayEquals(mine.model().probabilities(text), theirs.model().probabilities(text));
    }
  }

  @Test
  void refusesTablesOfAnotherShapeAndCreatesNone() {
    trainOnCluster(config.toBuilder().epochs(1).build(), "shape", 0, 1);
    // the same input table, a hidden layer: the output layer no longer fits the one in the cluster
    TextClassifierTrainer.Config hidden = config.toBuilder().hidden(8).epochs(1).build();
    ClusterException e = assertThrows(ClusterException.class, () -> trainOnCluster(hidden, "shape", 0, 1));
    assertEquals(
        "table 'shape.output.weight' in the cluster is 2 x 50 in blocks of 2 rows; this run asks for 2 x 8 in blocks"
            + " of 2 rows (another vocabulary, --dim, --buckets, --hidden or label set)",
        e.getMessage());
    assertFalse(cluster.tableNames().contains("shape.hidden.weight"), "no table created");
  }

  @Test
  void refusesSeveralThreadsAndHalfPrecision() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ShardedTextClassifierTrainer(
                config.toBuilder().deterministic(false).threads(2).build(), cluster, "x", 0, 1, WAIT, BATCH));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ShardedTextClassifierTrainer(
                config.toBuilder().dtype(dev.emb4j.store.DType.BF16).build(), cluster, "x", 0, 1, WAIT, BATCH));
  }
}
