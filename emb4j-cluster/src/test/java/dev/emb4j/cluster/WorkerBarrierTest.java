package dev.emb4j.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The end-of-run barrier of several workers, over one member in this JVM. */
class WorkerBarrierTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static ClusterMember member;
  private static Cluster cluster;

  @BeforeAll
  static void startMember() throws IOException {
    int port = ShardedTableTest.freePort();
    String address = "127.0.0.1:" + port;
    member = ClusterMember.start(ClusterMember.Options.of("127.0.0.1", port, List.of(address)));
    cluster = Cluster.connect(List.of(address));
  }

  @AfterAll
  static void stopMember() {
    cluster.close();
    member.leave();
  }

  @Test
  void everyWorkerReturnsOnceAllHaveArrived() {
    WorkerBarrier w0 = cluster.barrier("all", 0, 3);
    WorkerBarrier w1 = cluster.barrier("all", 1, 3);
    WorkerBarrier w2 = cluster.barrier("all", 2, 3);
    w0.join();
    w1.join();
    w2.join();
    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> w0.arriveAndAwait(LONG));
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> w1.arriveAndAwait(LONG));
    w2.arriveAndAwait(LONG);
    first.join();
    second.join();
  }

  @Test
  void aWorkerThatNeverArrivesIsNamedWhenTheWaitEnds() {
    WorkerBarrier w0 = cluster.barrier("missing", 0, 2);
    cluster.barrier("missing", 1, 2).join();
    w0.join();
    ClusterException e = assertThrows(ClusterException.class, () -> w0.arriveAndAwait(Duration.ofMillis(200)));
    assertTrue(e.getMessage().contains("for worker(s) [1] to finish"), e.getMessage());
  }

  @Test
  void aRunThatDiedHalfWayDoesNotHoldTheNext() {
    cluster.barrier("rerun", 0, 2).join(); // a first run whose workers died before arriving
    cluster.barrier("rerun", 1, 2).join();
    WorkerBarrier w1 = cluster.barrier("rerun", 1, 2);
    WorkerBarrier w0 = cluster.barrier("rerun", 0, 2);
    w1.join(); // worker 1 is among the joined: a new generation
    w0.join();
    CompletableFuture<Void> other = CompletableFuture.runAsync(() -> w1.arriveAndAwait(LONG));
    w0.arriveAndAwait(LONG);
    other.join();
  }

  @Test
  void aWorkerWhoseRunWasTakenOverFailsWhenItArrives() {
    WorkerBarrier old = cluster.barrier("taken", 0, 2);
    old.join();
    cluster.barrier("taken", 0, 2).join(); // a second process as worker 0: a new run
    ClusterException e = assertThrows(ClusterException.class, () -> old.arriveAndAwait(LONG));
    assertEquals(
        "another training run on 'taken' started while worker 0 of 2 trained; run one set of workers per table prefix"
            + " at a time",
        e.getMessage());
  }
}
