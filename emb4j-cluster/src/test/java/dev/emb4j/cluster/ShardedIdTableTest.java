package dev.emb4j.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.nn.Embedding;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.Optimizer;
import dev.emb4j.task.MatrixFactorizationTrainer;
import dev.emb4j.task.Ratings;
import dev.emb4j.task.TrainingListener;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A table keyed by raw 64-bit ids over two members in this JVM. */
class ShardedIdTableTest {
  private static TwoMembers members;
  private static Cluster cluster;

  @BeforeAll
  static void startMembers() throws IOException {
    members = TwoMembers.start();
    cluster = members.cluster();
  }

  @AfterAll
  static void stopMembers() {
    members.close();
  }

  private static float[] row(ShardedIdTable t, long id) {
    float[] r = new float[t.spec().dim()];
    t.readRow(id, r, 0);
    return r;
  }

  private static float[] startRow(TableSpec spec, long id) {
    float[] r = new float[spec.dim()];
    spec.startRow(id, r, 0);
    return r;
  }

  /** Ids that agree in their low 32 (or 40) bits, and the extremes: a modulo or a truncation would collide them. */
  private static long[] adversarialIds() {
    long[] ids = new long[68];
    for (int k = 0; k < 32; k++) {
      ids[k] = (long) (k + 1) << 32;
      ids[32 + k] = ((long) (k + 1) << 40) | 7;
    }
    ids[64] = 0;
    ids[65] = -1;
    ids[66] = Long.MIN_VALUE;
    ids[67] = Long.MAX_VALUE;
    return ids;
  }

  @Test
  void idsThatShareTheirLowBitsGetRowsOfTheirOwnAndSpreadOverBlocks() {
    TableSpec spec = TableSpec.rawIds("collide", 64, 3, 11, 0.5f);
    ShardedIdTable t = cluster.openOrCreateIds(spec);
    long[] ids = adversarialIds();
    Set<Long> blocks = new HashSet<>();
    for (long id : ids) {
      blocks.add(spec.blockOfId(id));
    }
    // 68 ids over 4 blocks: a hash of the low bits alone would put the first 32 in one block
    assertEquals(spec.blocks(), blocks.size());
    float[] grads = new float[ids.length * 3];
    for (int k = 0; k < ids.length; k++) {
      grads[k * 3] = k + 1;
    }
    t.push(ids, grads, new OptimizerSpec(OptimizerSpec.Kind.SGD, 1), 1);
    assertEquals(ids.length, t.presentIds());
    for (int k = 0; k < ids.length; k++) {
      float[] expected = startRow(spec, ids[k]);
      expected[0] -= k + 1;
      assertArrayEquals(expected, row(t, ids[k]), "id " + ids[k]);
    }
    ClusterStatus.TableInfo info =
        cluster.status().tables().stream().filter(x -> x.name().equals("collide")).findFirst().orElseThrow();
    assertEquals(ids.length, info.rows());
    assertTrue(info.spec().rawIds());
  }

  @Test
  void startRowsAreAFunctionOfSeedAndIdOnly() {
    TableSpec spec = TableSpec.rawIds("start", 100, 5, 42, 0.1f);
    long[] ids = {3, 1L << 33, -9};
    ShardedIdTable here = cluster.openOrCreateIds(spec);
    here.pull(ids);
    try (Cluster other = Cluster.connect(members.addresses())) {
      ShardedIdTable there = other.openIds("start");
      for (long id : ids) {
        float[] r = row(here, id);
        assertArrayEquals(startRow(spec, id), r);
        assertArrayEquals(r, row(there, id));
        assertNotEquals(0f, r[0]);
      }
    }
    assertArrayEquals(startRow(spec, 3), startRow(TableSpec.rawIds("elsewhere", 7, 5, 42, 0.1f), 3));
    assertFalse(java.util.Arrays.equals(startRow(spec, 3), startRow(TableSpec.rawIds("s", 100, 5, 43, 0.1f), 3)));
    assertArrayEquals(new float[5], startRow(TableSpec.rawIds("zero", 100, 5, 42, 0f), 3));
    double sum = 0;
    double squares = 0;
    int n = 0;
    for (long id = 0; id < 2000; id++) {
      for (float v : startRow(spec, id)) {
        sum += v;
        squares += v * v;
        n++;
      }
    }
    assertEquals(0, sum / n, 0.01);
    assertEquals(0.1, Math.sqrt(squares / n), 0.005);
  }

  @Test
  void readingAnAbsentIdCreatesNothing() {
    TableSpec spec = TableSpec.rawIds("absent", 50, 4, 5, 0.2f);
    ShardedIdTable t = cluster.openOrCreateIds(spec);
    long[] ids = new long[200];
    for (int k = 0; k < ids.length; k++) {
      ids[k] = k * 1_000_003L;
    }
    t.pull(ids);
    assertEquals(0, t.presentIds());
    t.push(new long[] {ids[5], ids[9], ids[5]}, new float[12], new OptimizerSpec(OptimizerSpec.Kind.SGD, 1), 1);
    assertEquals(2, t.presentIds());
    t.pull(ids);
    assertEquals(2, t.presentIds());
    assertArrayEquals(startRow(spec, ids[5]), row(t, ids[5]));
  }

  @Test
  void adagradAtTheOwnerEqualsAdagradHere() {
    TableSpec spec = TableSpec.rawIds("adagrad-ids", 40, 6, 8, 0.5f);
    ShardedIdTable t = cluster.openOrCreateIds(spec);
    long[] ids = new long[40];
    SplittableRandom rnd = new SplittableRandom(4);
    for (int k = 0; k < ids.length; k++) {
      ids[k] = rnd.nextLong();
    }
    Embedding local = Embedding.builder(ids.length, 6).sparse(true).build();
    for (int k = 0; k < ids.length; k++) {
      local.weight().writeRow(k, startRow(spec, ids[k]), 0);
    }
    Optimizer opt = new Adagrad(local.parameters(), Adagrad.Config.of(0.1));
    for (int step = 1; step <= 5; step++) {
      long[] rows = new long[12];
      for (int k = 0; k < rows.length; k++) {
        rows[k] = rnd.nextLong(ids.length);
      }
      FloatTensor out = local.forward(IndexTensor.of(rows)).value();
      FloatTensor grad = FloatTensor.zeros(out.shape());
      for (int k = 0; k < grad.numel(); k++) {
        grad.data()[k] = (float) rnd.nextDouble(-1, 1);
      }
      local.backward(IndexTensor.of(rows), grad);
      SparseGradient g = ((SparseGradient) local.grad()).coalesce();
      long[] pushed = new long[g.indices().length];
      for (int k = 0; k < pushed.length; k++) {
        pushed[k] = ids[(int) g.indices()[k]];
      }
      t.push(pushed, g.values().data(), new OptimizerSpec(OptimizerSpec.Kind.ADAGRAD, 0.1), step);
      opt.step();
      opt.zeroGrad();
    }
    t.forgetLocal();
    float[] expected = new float[6];
    for (int k = 0; k < ids.length; k++) {
      local.weight().readRow(k, expected, 0);
      assertArrayEquals(expected, row(t, ids[k]), "id " + ids[k]);
    }
  }

  @Test
  void refusesMixingKeysAndBadPushes() {
    cluster.openOrCreate(new TableSpec("dense-named", 10, 4, 4), () -> dev.emb4j.store.HeapRowStore.allocate(10, 4));
    ClusterException e =
        assertThrows(
            ClusterException.class, () -> cluster.openOrCreateIds(TableSpec.rawIds("dense-named", 10, 4, 1, 0.1f)));
    assertTrue(e.getMessage().contains("raw ids"), e.getMessage());
    assertThrows(ClusterException.class, () -> cluster.openIds("dense-named"));
    TableSpec raw = TableSpec.rawIds("raw-named", 10, 4, 1, 0.1f);
    assertThrows(IllegalArgumentException.class, () -> cluster.openOrCreate(raw, () -> null));
    ShardedIdTable t = cluster.openOrCreateIds(raw);
    assertThrows(ClusterException.class, () -> cluster.open("raw-named"));
    assertThrows(
        ClusterException.class, () -> cluster.openOrCreateIds(TableSpec.rawIds("raw-named", 10, 4, 2, 0.1f)));
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> t.push(new long[] {1, 2}, new float[7], new OptimizerSpec(OptimizerSpec.Kind.SGD, 1), 1));
    assertTrue(bad.getMessage().contains("2 ids need 8 gradient floats"), bad.getMessage());
    assertEquals(0, t.presentIds());
    assertEquals(raw, TableSpec.decode("raw-named", raw.encode()));
  }

  @Test
  void oneWorkerOnRawIdsTrainsAsWellAsOnDenseRows() {
    Ratings train = SyntheticRatings.of(60, 40, 3000, 1);
    Ratings test = SyntheticRatings.of(60, 40, 500, 2);
    MatrixFactorizationTrainer.Config config =
        MatrixFactorizationTrainer.Config.builder().dim(8).epochs(3).batchSize(64).build();
    MatrixFactorizationTrainer.Result dense = new MatrixFactorizationTrainer(config).train(train);
    MatrixFactorizationTrainer.Result raw =
        new ShardedMatrixFactorizationTrainer(config, cluster, "mfraw", 0, 1, Duration.ofMinutes(1), true)
            .train(train, null, TrainingListener.NONE);
    assertEquals(dense.users().size(), raw.users().size());
    assertEquals(dense.items().size(), raw.items().size());
    // other start rows (drawn per id, not per row number), the same model and rules: the same quality within noise,
    // well below what predicting the mean costs
    double rawRmse = raw.evaluate(test).rmse();
    assertEquals(dense.evaluate(test).rmse(), rawRmse, 0.05);
    double mean = train.mean();
    double squares = 0;
    for (float v : test.values()) {
      squares += (v - mean) * (v - mean);
    }
    assertTrue(rawRmse < 0.8 * Math.sqrt(squares / test.size()), rawRmse + " vs " + Math.sqrt(squares / test.size()));
    assertEquals(raw.users().size(), cluster.openIds("mfraw.user").presentIds());
    assertEquals(raw.items().size(), cluster.openIds("mfraw.item_bias").presentIds());
    // the returned model holds the cluster's rows under the raw ids
    ShardedIdTable items = cluster.openIds("mfraw.item");
    float[] expected = new float[8];
    for (int r = 0; r < raw.items().size(); r++) {
      raw.model().itemFactors().weight().readRow(r, expected, 0);
      assertArrayEquals(expected, row(items, raw.items().rawId(r)));
    }
  }
}
