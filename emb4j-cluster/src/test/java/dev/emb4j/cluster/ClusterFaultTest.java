package dev.emb4j.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.RowStore;
import dev.emb4j.task.MatrixFactorization;
import dev.emb4j.task.MatrixFactorizationTrainer;
import dev.emb4j.task.Ratings;
import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.TrainingStep;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults with real member JVMs on loopback: a member killed with SIGKILL during training, a member joining during
 * training, a worker killed mid-push. Tagged {@code cluster} (the {@code -Pcluster} profile, which {@code .ci/run}
 * runs); each test is bounded in time and kills its JVMs when done.
 */
@Tag("cluster")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterFaultTest {
  private static final Ratings TRAIN = SyntheticRatings.of(150, 100, 5_000, 1);
  private static final Ratings TEST = SyntheticRatings.of(150, 100, 1_000, 2);
  private static final MatrixFactorizationTrainer.Config CONFIG =
      MatrixFactorizationTrainer.Config.builder().dim(16).epochs(4).batchSize(128).build();

  private final List<ChildJvm> children = new ArrayList<>();

  @AfterEach
  void killChildren() {
    for (ChildJvm c : children) {
      c.close();
    }
  }

  private String startMembers(int count) throws IOException {
    int[] ports = new int[count];
    StringBuilder all = new StringBuilder();
    for (int k = 0; k < count; k++) {
      ports[k] = ShardedTableTest.freePort();
      all.append(k == 0 ? "" : ",").append("127.0.0.1:").append(ports[k]);
    }
    for (int port : ports) {
      children.add(ChildJvm.member(port, all.toString()));
    }
    return all.toString();
  }

  /** Runs {@code action} once, at the middle step of the run. */
  private static TrainingListener atMidpoint(ThrowingRunnable action) {
    return new TrainingListener() {
      private boolean done;

      @Override
      public void onStep(TrainingStep step) {
        if (!done && step.done() >= step.total() / 2) {
          done = true;
          try {
            action.run();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }
    };
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void trainingSurvivesAMemberKilledMidway() throws Exception {
    String members = startMembers(3);
    double single = new MatrixFactorizationTrainer(CONFIG).train(TRAIN).evaluate(TEST).rmse();
    MatrixFactorizationTrainer.Result result;
    try (Cluster cluster = Cluster.connect(Addresses.parseList(members))) {
      ChildJvm victim = children.get(1);
      result =
          new ShardedMatrixFactorizationTrainer(CONFIG, cluster, "killed", 0, 1)
              .train(TRAIN, null, atMidpoint(victim::kill));
      assertEveryRowPresent(cluster, "killed", 2);
    }
    assertNoRowAtItsInitialValue(result.model());
    // one worker trains exactly what the single-machine trainer trains: a push lost or applied twice would show
    assertEquals(single, result.evaluate(TEST).rmse(), "RMSE with a member killed vs single machine");
  }

  @Test
  void aMemberJoiningDuringTrainingTakesPartitions() throws Exception {
    String members = startMembers(2);
    int joiner = ShardedTableTest.freePort();
    String all = members + ",127.0.0.1:" + joiner;
    MatrixFactorizationTrainer.Result result;
    try (Cluster cluster = Cluster.connect(Addresses.parseList(members))) {
      result =
          new ShardedMatrixFactorizationTrainer(CONFIG, cluster, "joined", 0, 1)
              .train(TRAIN, null, atMidpoint(() -> children.add(ChildJvm.member(joiner, all))));
      ClusterStatus status = assertEveryRowPresent(cluster, "joined", 3);
      for (ClusterStatus.MemberInfo m : status.members()) {
        assertTrue(m.partitions() > 0, "member " + m.address() + " owns no partition: " + status.members());
      }
    }
    assertNoRowAtItsInitialValue(result.model());
    double single = new MatrixFactorizationTrainer(CONFIG).train(TRAIN).evaluate(TEST).rmse();
    assertEquals(single, result.evaluate(TEST).rmse(), "RMSE with a member joined vs single machine");
  }

  @Test
  void aWorkerKilledMidPushLeavesEveryBlockWhole() throws Exception {
    String members = startMembers(2);
    try (Cluster cluster = Cluster.connect(Addresses.parseList(members))) {
      TableSpec spec = new TableSpec("whole", 1024, 8, 16);
      cluster.openOrCreate(spec, () -> dev.emb4j.store.HeapRowStore.allocate(spec.rows(), spec.dim()));
      ChildJvm worker = ChildJvm.start(PushWorkerMain.class, members, "whole");
      children.add(worker);
      worker.awaitLine("pushed 3");
      worker.kill();
      ShardedTable table = cluster.open("whole");
      float[] row = new float[spec.dim()];
      float lowest = Float.MAX_VALUE;
      float highest = 0;
      for (long b = 0; b < spec.blocks(); b++) {
        table.readRow(spec.firstRow(b), row, 0);
        float v = row[0];
        lowest = Math.min(lowest, v);
        highest = Math.max(highest, v);
        for (int r = 0; r < spec.rowsIn(b); r++) {
          table.readRow(spec.firstRow(b) + r, row, 0);
          for (float x : row) {
            assertEquals(v, x, "block " + b + " is half applied: row " + (spec.firstRow(b) + r) + " " + Arrays.toString(row));
          }
        }
      }
      assertTrue(lowest >= 3, "every block has the first three pushes, lowest " + lowest);
      assertTrue(highest - lowest <= 1, "blocks differ by at most the push in flight: " + lowest + ".." + highest);
    }
  }

  private static ClusterStatus assertEveryRowPresent(Cluster cluster, String prefix, int members) {
    ClusterStatus status = cluster.status();
    assertEquals(members, status.members().size(), "members: " + status.members());
    int tables = 0;
    for (ClusterStatus.TableInfo t : status.tables()) {
      if (t.name().startsWith(prefix + ".")) {
        assertEquals(t.spec().rows(), t.rows(), "rows present in " + t.name());
        tables++;
      }
    }
    assertEquals(4, tables);
    return status;
  }

  /** Every factor and bias row differs from the value it started at (every user and item is in the data). */
  private static void assertNoRowAtItsInitialValue(MatrixFactorization trained) {
    MatrixFactorization initial =
        new MatrixFactorization(
            (int) trained.userFactors().numEmbeddings(), (int) trained.itemFactors().numEmbeddings(), CONFIG.dim(),
            trained.globalMean(), trained.minRating(), trained.maxRating(), CONFIG.initStd(), CONFIG.seed(),
            dev.emb4j.store.Storage.HEAP, dev.emb4j.store.DType.F32);
    assertRowsMoved("user", initial.userFactors().weight(), trained.userFactors().weight());
    assertRowsMoved("item", initial.itemFactors().weight(), trained.itemFactors().weight());
  }

  private static void assertRowsMoved(String table, RowStore initial, RowStore trained) {
    float[] a = new float[initial.dim()];
    float[] b = new float[initial.dim()];
    for (long r = 0; r < initial.rows(); r++) {
      initial.readRow(r, a, 0);
      trained.readRow(r, b, 0);
      assertFalse(Arrays.equals(a, b), table + " row " + r + " is at its initial value");
    }
  }
}
