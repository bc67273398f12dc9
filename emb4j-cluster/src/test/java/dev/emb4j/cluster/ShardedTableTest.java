package dev.emb4j.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Initializer;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.optim.SparseAdam;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.task.EpochSummary;
import dev.emb4j.task.MatrixFactorizationTrainer;
import dev.emb4j.task.Ratings;
import dev.emb4j.task.TrainingListener;
import dev.emb4j.task.TrainingStep;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A sharded table over two members in this JVM: the same rows and the same updates as a local table. */
class ShardedTableTest {
  private static TwoMembers members;
  private static Cluster cluster;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void startMembers() throws IOException {
    members = TwoMembers.start();
    cluster = members.cluster();
  }

  @AfterAll
  static void stopMembers() {
    members.close();
  }

  private static RowStore randomRows(long rows, int dim, long seed) {
    HeapRowStore s = HeapRowStore.allocate(rows, dim);
    SplittableRandom rnd = new SplittableRandom(seed);
    for (long r = 0; r < rows; r++) {
      for (int j = 0; j < dim; j++) {
        s.set(r, j, (float) rnd.nextDouble(-1, 1));
      }
    }
    return s;
  }

  private static void assertSameRows(RowStore expected, RowStore actual) {
    float[] e = new float[expected.dim()];
    float[] a = new float[actual.dim()];
    for (long r = 0; r < expected.rows(); r++) {
      expected.readRow(r, e, 0);
      actual.readRow(r, a, 0);
      assertArrayEquals(e, a, "row " + r);
    }
  }

  @Test
  void holdsTheRowsItWasCreatedWith() {
    RowStore initial = randomRows(100, 7, 1);
    ShardedTable t = cluster.openOrCreate(new TableSpec("rows", 100, 7, 16), () -> initial);
    assertSameRows(initial, t);
    HeapRowStore copy = HeapRowStore.allocate(100, 7);
    t.pullAllInto(copy);
    assertSameRows(initial, copy);
    ClusterStatus.TableInfo info =
        cluster.status().tables().stream().filter(x -> x.name().equals("rows")).findFirst().orElseThrow();
    assertEquals(100, info.rows());
    assertEquals(100 * 7 * 4, info.bytes());
    assertEquals(2, cluster.status().members().size());
    assertEquals(271, cluster.status().members().stream().mapToInt(ClusterStatus.MemberInfo::partitions).sum());
  }

  private static void sameUpdatesAsLocal(
      String name, OptimizerSpec.Kind kind, DoubleFunction<java.util.function.Function<Embedding, Optimizer>> make) {
    long rows = 50;
    int dim = 6;
    Embedding local =
        Embedding.builder(rows, dim).sparse(true).initializer(Initializer.normal(0, 0.5, 3)).build();
    Optimizer opt = make.apply(0.1).apply(local);
    ShardedTable t = cluster.openOrCreate(new TableSpec(name, rows, dim, 8), local::weight);
    SplittableRandom rnd = new SplittableRandom(9);
    for (int step = 1; step <= 5; step++) {
      long[] ids = new long[12];
      for (int k = 0; k < ids.length; k++) {
        ids[k] = rnd.nextLong(rows);
      }
      t.pull(ids);
      FloatTensor out = local.forward(IndexTensor.of(ids)).value();
      FloatTensor grad = FloatTensor.zeros(out.shape());
      for (int k = 0; k < grad.numel(); k++) {
        grad.data()[k] = (float) rnd.nextDouble(-1, 1);
      }
      local.backward(IndexTensor.of(ids), grad);
      SparseGradient g = (SparseGradient) local.grad();
      t.push(g, new OptimizerSpec(kind, 0.1), step);
      opt.step();
      opt.zeroGrad();
    }
    t.forgetLocal();
    assertSameRows(local.weight(), t);
  }

  @Test
  void adagradAtTheOwnerEqualsAdagradHere() {
    sameUpdatesAsLocal(
        "adagrad", OptimizerSpec.Kind.ADAGRAD, lr -> e -> new Adagrad(e.parameters(), Adagrad.Config.of(lr)));
  }

  @Test
  void sparseAdamAtTheOwnerEqualsSparseAdamHere() {
    sameUpdatesAsLocal(
        "adam", OptimizerSpec.Kind.SPARSE_ADAM, lr -> e -> new SparseAdam(e.parameters(), SparseAdam.Config.of(lr)));
  }

  @Test
  void oneWorkerTrainsWhatTheSingleMachineTrainerTrains() {
    Ratings train = SyntheticRatings.of(60, 40, 3000, 1);
    Ratings test = SyntheticRatings.of(60, 40, 500, 2);
    MatrixFactorizationTrainer.Config config =
        MatrixFactorizationTrainer.Config.builder().dim(8).epochs(3).batchSize(64).build();
    MatrixFactorizationTrainer.Result single = new MatrixFactorizationTrainer(config).train(train);
    MatrixFactorizationTrainer.Result sharded =
        new ShardedMatrixFactorizationTrainer(config, cluster, "mf", 0, 1).train(train, null, TrainingListener.NONE);
    assertSameRows(single.model().userFactors().weight(), sharded.model().userFactors().weight());
    assertSameRows(single.model().itemFactors().weight(), sharded.model().itemFactors().weight());
    assertEquals(single.evaluate(test).rmse(), sharded.evaluate(test).rmse());
    assertEquals(single.finalLoss(), sharded.finalLoss());
  }

  @Test
  void twoWorkersEndWithTheSameTables() throws Exception {
    Ratings train = SyntheticRatings.of(60, 40, 3000, 3);
    MatrixFactorizationTrainer.Config config =
        MatrixFactorizationTrainer.Config.builder().dim(8).epochs(2).batchSize(64).build();
    CountDownLatch firstDone = new CountDownLatch(1);
    TrainingListener signal =
        new TrainingListener() {
          @Override
          public void onStep(TrainingStep step) {}

          @Override
          public void onEpoch(EpochSummary epoch) {
            if (epoch.epoch() == epoch.epochs()) {
              firstDone.countDown();
            }
          }
        };
    // worker 1 starts only when worker 0 has run all its epochs: without the barrier worker 0 would return the
    // tables without worker 1's pushes
    CompletableFuture<MatrixFactorizationTrainer.Result> first =
        CompletableFuture.supplyAsync(
            () -> new ShardedMatrixFactorizationTrainer(config, cluster, "pair", 0, 2).train(train, null, signal));
    firstDone.await();
    MatrixFactorizationTrainer.Result second =
        new ShardedMatrixFactorizationTrainer(config, cluster, "pair", 1, 2).train(train, null, TrainingListener.NONE);
    MatrixFactorizationTrainer.Result one = first.get();
    assertSameRows(second.model().userFactors().weight(), one.model().userFactors().weight());
    assertSameRows(second.model().itemFactors().weight(), one.model().itemFactors().weight());
  }

  @Test
  void rowStoreWritesReachTheOwner() {
    ShardedTable t = cluster.openOrCreate(new TableSpec("writes", 20, 3, 4), () -> HeapRowStore.allocate(20, 3));
    t.writeRow(5, new float[] {1, 2, 3}, 0);
    t.addToRow(5, 2f, new float[] {1, 1, 1}, 0);
    t.scaleRow(5, 0.5f);
    t.set(19, 2, 7f);
    ShardedTable again = cluster.open("writes");
    assertEquals(1.5f, again.get(5, 0));
    assertEquals(2.5f, again.get(5, 2));
    assertEquals(7f, again.get(19, 2));
  }

  @Test
  void refusesAnotherShapeAndUnknownNames() {
    cluster.openOrCreate(new TableSpec("shape", 10, 4, 4), () -> HeapRowStore.allocate(10, 4));
    ClusterException e =
        assertThrows(
            ClusterException.class,
            () -> cluster.openOrCreate(new TableSpec("shape", 10, 5, 4), () -> HeapRowStore.allocate(10, 5)));
    assertEquals(
        "table 'shape' in the cluster is 10 x 4 in blocks of 4 rows; this run asks for 10 x 5 in blocks of 4 rows",
        e.getMessage());
    ClusterException unknown = assertThrows(ClusterException.class, () -> cluster.open("nope"));
    assertTrue(unknown.getMessage().startsWith("no table 'nope' in the cluster at "), unknown.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> cluster.openOrCreate(new TableSpec("wrong", 10, 4, 4), () -> HeapRowStore.allocate(9, 4)));
    assertFalse(cluster.tableNames().contains("wrong"), "no table half created");
    ShardedTable t = cluster.open("shape");
    assertThrows(IndexOutOfBoundsException.class, () -> t.pull(new long[] {3, 10}));
  }

  @Test
  void refusesAPortInUse() {
    ClusterException e =
        assertThrows(
            ClusterException.class,
            () -> ClusterMember.start(ClusterMember.Options.of("127.0.0.1", portOf(members.first()), List.of())));
    assertTrue(e.getMessage().startsWith("port " + portOf(members.first()) + " on 127.0.0.1 is not free"), e.getMessage());
  }

  @Test
  void refusesUnreachableMembers() throws IOException {
    int nobody = freePort();
    ClusterException e =
        assertThrows(
            ClusterException.class,
            () -> Cluster.connect(List.of("127.0.0.1:" + nobody), java.time.Duration.ofSeconds(1)));
    assertTrue(e.getMessage().startsWith("no emb4j member answered at 127.0.0.1:" + nobody), e.getMessage());
  }

  @Test
  void aRetriedPushIsAppliedOnce() {
    Block b = new Block(2, 1, new float[2]);
    assertTrue(b.markApplied(7, 1));
    assertFalse(b.markApplied(7, 1));
    assertTrue(b.markApplied(8, 1));
    assertTrue(b.markApplied(7, 2));
    assertFalse(b.markApplied(7, 2));
  }

  private static int portOf(ClusterMember m) {
    return Integer.parseInt(m.address().substring(m.address().lastIndexOf(':') + 1));
  }
}
