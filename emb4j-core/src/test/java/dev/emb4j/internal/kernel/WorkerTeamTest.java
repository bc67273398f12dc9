package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerTeamTest {

  /** Each element of [0, n) is written once, by the chunk that owns it. */
  private static int[] coverage(WorkerTeam team, int n, int chunks) {
    int[] hits = new int[n];
    assertTrue(
        team.tryRun(
            n,
            chunks,
            (from, to) -> {
              for (int i = from; i < to; i++) {
                hits[i]++;
              }
            }));
    return hits;
  }

  @Test
  void everyChunkRunsOnceOverManyCallsAndSpinningOrParkedWorkers() throws InterruptedException {
    WorkerTeam team = new WorkerTeam(3);
    try {
      int[] ones = new int[1000];
      java.util.Arrays.fill(ones, 1);
      for (int call = 0; call < 2000; call++) {
        assertArrayEquals(ones, coverage(team, 1000, 1 + call % 4), "call " + call);
        if (call % 500 == 0) {
          Thread.sleep(5); // longer than the spin: the workers park and must be woken
        }
      }
    } finally {
      team.close();
    }
  }

  @Test
  void chunksRunOnTheCallerAndOnTheWorkers() {
    WorkerTeam team = new WorkerTeam(1);
    try {
      Set<Thread> seen = ConcurrentHashMap.newKeySet();
      assertTrue(team.tryRun(64, 2, (from, to) -> seen.add(Thread.currentThread())));
      assertEquals(2, seen.size());
      assertTrue(seen.contains(Thread.currentThread()));
    } finally {
      team.close();
    }
  }

  @Test
  void aFailureInAWorkerChunkReachesTheCallerAfterEveryChunkEnded() {
    WorkerTeam team = new WorkerTeam(2);
    try {
      AtomicInteger finished = new AtomicInteger();
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  team.tryRun(
                      48,
                      3,
                      (from, to) -> {
                        if (from == Parallel.boundary(48, 2, 3)) {
                          throw new IllegalStateException("chunk at " + from);
                        }
                        finished.incrementAndGet();
                      }));
      assertEquals("chunk at 32", e.getMessage());
      assertEquals(2, finished.get());
      // the team stays usable
      assertEquals(48, java.util.Arrays.stream(coverage(team, 48, 3)).sum());
    } finally {
      team.close();
    }
  }

  @Test
  void theCallersOwnFailureWinsOverAWorkers() {
    WorkerTeam team = new WorkerTeam(1);
    try {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  team.tryRun(
                      32,
                      2,
                      (from, to) -> {
                        if (from == 0) {
                          throw new IllegalArgumentException("caller");
                        }
                        throw new IllegalStateException("worker");
                      }));
      assertEquals("caller", e.getMessage());
    } finally {
      team.close();
    }
  }

  @Test
  void aCallFromInsideAChunkFindsTheTeamBusy() {
    WorkerTeam team = new WorkerTeam(1);
    try {
      List<Boolean> inner = java.util.Collections.synchronizedList(new ArrayList<>());
      assertTrue(team.tryRun(32, 2, (from, to) -> inner.add(team.tryRun(32, 2, (f, t) -> {}))));
      assertEquals(List.of(false, false), inner);
    } finally {
      team.close();
    }
  }

  @Test
  void aClosedTeamRunsNothing() {
    WorkerTeam team = new WorkerTeam(1);
    team.close();
    assertFalse(team.tryRun(32, 2, (from, to) -> {
      throw new AssertionError("ran on a closed team");
    }));
  }

  @Test
  void concurrentCallersThroughParallelEachGetTheirWholeRange() throws Exception {
    int before = Parallel.threads();
    Parallel.setThreads(2);
    try {
      int callers = 4;
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int c = 0; c < callers; c++) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    go.await();
                    for (int call = 0; call < 300; call++) {
                      AtomicInteger items = new AtomicInteger();
                      Parallel.forRange(4096, 16, (from, to) -> items.addAndGet(to - from));
                      assertEquals(4096, items.get());
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        threads.add(t);
        t.start();
      }
      go.countDown();
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(List.of(), failures);
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void changingTheThreadCountReplacesTheTeam() {
    int before = Parallel.threads();
    try {
      Parallel.setThreads(3);
      Set<Thread> seen = ConcurrentHashMap.newKeySet();
      Parallel.forRange(3 * 64, 16, (from, to) -> seen.add(Thread.currentThread()));
      assertEquals(3, seen.size());
      Parallel.setThreads(1);
      Set<Thread> alone = ConcurrentHashMap.newKeySet();
      Parallel.forRange(3 * 64, 16, (from, to) -> alone.add(Thread.currentThread()));
      assertEquals(Set.of(Thread.currentThread()), alone);
      Error error = assertThrows(Error.class, () -> {
        Parallel.setThreads(2);
        Parallel.forRange(128, 16, (from, to) -> {
          if (from > 0) {
            throw new OutOfMemoryError("simulated");
          }
        });
      });
      assertSame(OutOfMemoryError.class, error.getClass());
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void theThreadCountIsEmb4jsPublicSettingAndARejectedValueChangesNothing() {
    int before = dev.emb4j.Emb4j.getNumThreads();
    try {
      dev.emb4j.Emb4j.setNumThreads(3);
      assertEquals(3, Kernels.threads());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> dev.emb4j.Emb4j.setNumThreads(0));
      assertEquals("the number of kernel threads must be in 1..1024, got 0", e.getMessage());
      assertEquals(3, dev.emb4j.Emb4j.getNumThreads());
    } finally {
      dev.emb4j.Emb4j.setNumThreads(before);
    }
  }

  @Test
  void aChunkThatChangesTheThreadCountAndCallsAKernelFinishes() {
    int before = Parallel.threads();
    try {
      Parallel.setThreads(2);
      AtomicInteger items = new AtomicInteger();
      assertTimeoutPreemptively(
          java.time.Duration.ofSeconds(20),
          () ->
              Parallel.forRange(
                  256,
                  16,
                  (from, to) -> {
                    if (from == 0) {
                      Parallel.setThreads(3); // the team in use must not be waited for from inside its own call
                      Parallel.forRange(512, 16, (f, t) -> items.addAndGet(t - f));
                    }
                    items.addAndGet(to - from);
                  }));
      assertEquals(256 + 512, items.get());
    } finally {
      Parallel.setThreads(before);
    }
  }
}
