package dev.emb4j.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.partition.PartitionService;
import com.hazelcast.spi.exception.RetryableException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Sends a push to the members that own its blocks, one {@link PushToOwner} call per member, and waits for it,
 * sending again the parts whose member failed or left: the plumbing that {@link ShardedTable} and {@link
 * ShardedIdTable} share.
 */
final class OwnerCalls {
  /** How long a push keeps sending again the parts whose member failed (failure detection takes up to 10 s). */
  private static final long RETRY_FOR_NANOS = TimeUnit.MINUTES.toNanos(2);

  private OwnerCalls() {}

  /** Starts {@code push} (every block of one push), one call per owning member; the result awaits it. */
  static ShardedTable.Pending start(HazelcastInstance client, PushToOwner push) {
    List<Sent> sent = send(client, byOwner(client, push));
    return new ShardedTable.Pending(() -> await(client, sent));
  }

  /**
   * Splits the blocks of {@code push} into one part per member that owns some of them, as the client's partition
   * table says now; blocks whose partition has no owner yet go in a part for any member (the key null).
   */
  private static Map<Member, PushToOwner> byOwner(HazelcastInstance client, PushToOwner push) {
    PartitionService partitions = client.getPartitionService();
    Map<Member, List<Integer>> indices = new LinkedHashMap<>();
    long[] b = push.blocks();
    for (int i = 0; i < b.length; i++) {
      Member owner = partitions.getPartition(b[i]).getOwner();
      indices.computeIfAbsent(owner, m -> new ArrayList<>()).add(i);
    }
    Map<Member, PushToOwner> parts = new LinkedHashMap<>();
    indices.forEach((owner, at) -> parts.put(owner, push.select(at.stream().mapToInt(Integer::intValue).toArray())));
    return parts;
  }

  /** A part of a push and its answer in flight. */
  private record Sent(PushToOwner part, Future<Integer> answer) {}

  private static List<Sent> send(HazelcastInstance client, Map<Member, PushToOwner> parts) {
    IExecutorService executor = client.getExecutorService(ClusterMember.PUSH_EXECUTOR);
    List<Sent> sent = new ArrayList<>();
    parts.forEach(
        (owner, part) ->
            sent.add(new Sent(part, owner == null ? executor.submit(part) : executor.submitToMember(part, owner))));
    return sent;
  }

  /**
   * Waits for every part of a push; parts whose member failed or left before answering are split again by their
   * blocks' owners now and sent again (a block that had applied its part skips it, by writer and sequence), until
   * {@link #RETRY_FOR_NANOS} after the first failure.
   */
  private static void await(HazelcastInstance client, List<Sent> sent) {
    long deadline = 0;
    while (true) {
      List<PushToOwner> failed = new ArrayList<>();
      for (Sent s : sent) {
        try {
          join(s.answer());
        } catch (RuntimeException e) {
          if (!retryable(e)) {
            throw e;
          }
          if (deadline == 0) {
            deadline = System.nanoTime() + RETRY_FOR_NANOS;
          } else if (System.nanoTime() > deadline) {
            throw e;
          }
          failed.add(s.part());
        }
      }
      if (failed.isEmpty()) {
        return;
      }
      sent = send(client, byOwner(client, PushToOwner.concat(failed)));
    }
  }

  /** The future's value, or its failure as a runtime exception (the cause of the wrapping one). */
  static <T> T join(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the cluster", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /** Whether a failure says the member that ran the call failed or left, so that sending it again may succeed. */
  private static boolean retryable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RetryableException
          || t instanceof TargetDisconnectedException
          || t instanceof HazelcastInstanceNotActiveException) {
        return true;
      }
    }
    return false;
  }
}
