package dev.emb4j.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LeaveOneOutTest {
  @Test
  void holdsOutEachUsersLatestInteractionTheLaterLineOnATie() {
    Ratings all =
        new Ratings(
            new long[] {7, 7, 9, 7, 9, 5, 9},
            new long[] {1, 2, 1, 3, 2, 4, 3},
            new float[] {5, 4, 3, 2, 1, 5, 4});
    long[] time = {300, 100, 50, 200, 80, 10, 80};
    LeaveOneOut split = LeaveOneOut.split(all, time);
    // user 7: item 1 at t=300; user 9: items 2 and 3 tie at t=80, the later line wins; user 5 has one interaction
    assertArrayEquals(new long[] {7, 9}, split.heldOut().users());
    assertArrayEquals(new long[] {1, 3}, split.heldOut().items());
    assertArrayEquals(new float[] {5, 4}, split.heldOut().values());
    assertArrayEquals(new long[] {7, 9, 7, 9, 5}, split.train().users());
    assertArrayEquals(new long[] {2, 1, 3, 2, 4}, split.train().items());
  }

  @Test
  void withoutTimestampsTheLastLineIsHeldOut() {
    Ratings all = new Ratings(new long[] {1, 1, 1}, new long[] {10, 11, 12}, new float[] {1, 1, 1});
    long[] none = {Ratings.NO_TIMESTAMP, Ratings.NO_TIMESTAMP, Ratings.NO_TIMESTAMP};
    assertArrayEquals(new long[] {12}, LeaveOneOut.split(all, none).heldOut().items());
  }

  @Test
  void needsOneTimestampPerInteraction() {
    Ratings all = new Ratings(new long[] {1, 1}, new long[] {10, 11}, new float[] {1, 1});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LeaveOneOut.split(all, new long[] {1}));
    assertEquals("got 1 timestamps for 2 interactions", e.getMessage());
  }
}
