package dev.emb4j.internal.store;

import java.util.Arrays;

/**
 * A collision-free map from raw 64-bit ids to the dense rows {@code 0 .. capacity - 1} of a table, with admission by
 * a minimum count and eviction when full: the mechanism behind {@code dev.emb4j.nn.DynamicEmbeddingBag}.
 *
 * <p><b>Slots.</b> Open addressing over a power-of-two array of at least {@code 4/3 * capacity} slots (load at most
 * 3/4), multi-probe linear probing from {@code mix(id) & mask}, where {@code mix} is SplitMix64's finaliser: ids that
 * share their low bits (multiples of 2<sup>20</sup>, say) spread over the whole array. A slot holds the id and its
 * row; two ids never share a row. Removal shifts the following entries of the probe run back (Knuth's algorithm R),
 * so there are no tombstones and a lookup stops at the first empty slot.
 *
 * <p><b>Rows.</b> Each row knows its id, the step it was last used at ({@code -1}: free) and its recency: the number
 * of the touch that last moved it to the most recently used end (a counter of such touches; rows used in one step are
 * ordered by it as they were used). The used rows are kept in recency order in a queue of row numbers: a touch appends
 * the row and records where ({@code place}), which leaves the row's earlier entry stale; the eviction victim is the
 * first entry still live (its row's {@code place} is that entry), found by skipping stale entries from the front. When
 * the queue (twice the capacity) is full, its live entries, at most half of it, move to its start in order. A row's
 * id, last use, recency and place sit together in one record of 32 bytes, so a touch writes one cache line, and
 * only writes it, where a linked list would also read and write both neighbours' links; every operation is
 * amortised O(1).
 *
 * <p><b>Admission.</b> With {@code minCount > 1}, an id not in the map is counted in a count-min sketch (4 rows of
 * saturating byte counters, conservative update) and gets a row at its {@code minCount}-th sighting; the sketch may
 * over-count (an id then gets its row a little early), never under-count.
 *
 * <p><b>Saving.</b> Everything that decides what the map does next can be read and written: the rows' records ({@link
 * #setRecord}), the counters ({@link #clock()}, {@link #evictions()}, {@link #touches()}: {@link #setCounters}) and
 * the sketch's bytes ({@link #sketchByte}, {@link #setSketchByte}); a map rebuilt from them admits, evicts and orders
 * exactly as the one they were read from.
 *
 * <p><b>Changes.</b> Every row given to an id since the last {@link #takeReplaced()} is recorded (its values and
 * optimizer state must start afresh), and every row whose record changed (id or last use) since the last {@link
 * #takeChanged()}, each once (row {@code capacity} stands for the counters); and the 64-byte blocks of the sketch
 * that changed since the last {@link #takeSketchChanged()}.
 *
 * <p><b>Growth.</b> A map created with a {@code maxCapacity} above its capacity doubles its capacity (at most to
 * {@code maxCapacity}) when an id is due a row and every row holds one, and evicts only at {@code maxCapacity}
 * ({@link #growTo}: ids keep their rows, records and recency order; the new rows are free). The caller sees the new
 * {@link #capacity()} after the {@link #admit} that grew it, and grows its table to match.
 *
 * <p>The slot array is one Java array, so the capacity is at most {@link #MAX_CAPACITY} rows (4.03 *
 * 10<sup>8</sup>); the queue keeps row numbers as {@code int}s, which that bound allows, and callers see
 * {@code long}s.
 *
 * <p>Not thread-safe: the caller serialises writers and guards readers (the table uses a {@code StampedLock}). Reads
 * ({@link #find}) never throw on a state that a concurrent writer left half-changed, so an optimistic reader can
 * validate afterwards, except across a {@link #growTo}, which replaces the slot array and its mask: an optimistic
 * reader that then fails with an exception validates, and reads again under the lock if the validation fails.
 */
public final class IdRowMap {
  /**
   * The largest capacity: {@code 3 * 2^27} rows, so that the slot array (two longs per slot) has at most 2^30
   * entries.
   */
  public static final long MAX_CAPACITY = 3L << 27;

  /** The most a byte counter of the admission sketch counts to; {@code minCount} is at most this. */
  public static final int MAX_MIN_COUNT = 127;

  /** What happens when every row holds an id and a new one arrives. */
  public enum Policy {
    /** Nothing is evicted: the map refuses the id with an error. */
    NONE,
    /** The least recently used row is evicted. */
    LEAST_RECENTLY_USED,
    /** The least recently used row is evicted if it was unused for more than {@code maxAge} steps; else no row. */
    OLDER_THAN
  }

  /** What {@link #admit} returns for an id that gets no row (not yet admitted, or no row old enough to evict). */
  public static final long NO_ROW = -1;

  private static final int SKETCH_DEPTH = 4;
  private static final long[] SKETCH_SEEDS = {
    0x9E3779B97F4A7C15L, 0xC2B2AE3D27D4EB4FL, 0x165667B19E3779F9L, 0xD6E8FEB86659FD93L
  };

  /** The rows: fixed, or raised by {@link #growTo} (the fields it replaces are not final for that alone). */
  private int capacity;

  /** The most rows {@link #admit} grows the map to before it evicts. */
  private final int maxCapacity;
  private final int minCount;
  private final Policy policy;
  private final long maxAge;

  /**
   * The slots, two longs each: {@code slots[2s]} the id and {@code slots[2s + 1]} its row, or -1 for an empty slot.
   * Id and row share a cache line, so a lookup that hits its home slot costs one miss.
   */
  private long[] slots;

  private int mask;

  /**
   * Each row's record, four longs: its id, the step it was last used at (-1: free), its recency and where its live
   * entry in {@link #order} is (-1: free). One record fills half a cache line, so marking a row used costs one miss.
   */
  private long[] records;

  private static final int ID = 0;
  private static final int USE = 1;
  private static final int RECENCY = 2;
  private static final int PLACE = 3;

  /**
   * The recency queue: rows in the order they were last touched, from {@code front} to {@code back}, with stale
   * entries (rows touched again since, or freed) between them; {@code order[back - 1]} is always live.
   */
  private int[] order;

  private int front;
  private int back;

  /** Rows never used are {@code nextFresh .. capacity - 1}; rows freed by a restore are on {@code freeRows}. */
  private int nextFresh;

  private int[] freeRows = new int[0];
  private int freeCount;
  private long size;
  private long evictions;
  /** The steps so far ({@link #tick()}). */
  private long clock;
  /** The touches that made a row the most recently used, so far: the last one's recency. */
  private long touches;

  private final byte[] sketch;
  private final int sketchMask;

  private final RowSet replaced;
  private RowSet changed;
  private final RowSet sketchChanged;
  /** Whether {@link #changed} and {@link #sketchChanged} record anything: from {@link #trackChanges()} on. */
  private boolean tracking;

  /** Bytes of the sketch per block tracked by {@link #takeSketchChanged()}. */
  public static final int SKETCH_BLOCK = 64;

  /**
   * An empty map.
   *
   * @param capacity the rows, {@code 1 .. MAX_CAPACITY}
   * @param minCount the sightings an id needs before it gets a row, {@code 1 .. MAX_MIN_COUNT}
   * @param policy what to do when full
   * @param maxAge for {@link Policy#OLDER_THAN}: the steps a row must have been unused to be evicted ({@code >= 0})
   */
  public IdRowMap(long capacity, int minCount, Policy policy, long maxAge) {
    this(capacity, capacity, minCount, policy, maxAge);
  }

  /**
   * An empty map that grows when an id is due a row and every row holds one: to twice its capacity, at most {@code
   * maxCapacity} ({@link #growTo}); only a map of {@code maxCapacity} rows evicts by its policy.
   *
   * @param capacity the rows at first, {@code 1 .. MAX_CAPACITY}
   * @param maxCapacity the most rows it grows to, {@code capacity .. MAX_CAPACITY} ({@code capacity}: it never grows)
   * @param minCount the sightings an id needs before it gets a row, {@code 1 .. MAX_MIN_COUNT}
   * @param policy what to do when full at {@code maxCapacity} rows
   * @param maxAge for {@link Policy#OLDER_THAN}: the steps a row must have been unused to be evicted ({@code >= 0})
   */
  public IdRowMap(long capacity, long maxCapacity, int minCount, Policy policy, long maxAge) {
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "capacity must be in 1.." + MAX_CAPACITY + " rows, got " + capacity);
    }
    if (maxCapacity < capacity || maxCapacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "maxCapacity must be in " + capacity + ".." + MAX_CAPACITY + " rows (the capacity up to the largest), got "
              + maxCapacity);
    }
    if (minCount < 1 || minCount > MAX_MIN_COUNT) {
      throw new IllegalArgumentException("minCount must be in 1.." + MAX_MIN_COUNT + ", got " + minCount);
    }
    if (maxAge < 0) {
      throw new IllegalArgumentException("maxAge must be >= 0 steps, got " + maxAge);
    }
    this.capacity = (int) capacity;
    this.maxCapacity = (int) maxCapacity;
    this.minCount = minCount;
    this.policy = java.util.Objects.requireNonNull(policy, "policy");
    this.maxAge = maxAge;
    int slots = slotsFor(capacity);
    this.mask = slots - 1;
    this.slots = new long[2 * slots];
    clearSlots();
    this.records = new long[4 * this.capacity];
    for (int r = 0; r < this.capacity; r++) {
      records[4 * r + USE] = -1;
      records[4 * r + PLACE] = -1;
    }
    this.order = new int[2 * this.capacity];
    int width = minCount == 1 ? 0 : Math.clamp(Long.highestOneBit(capacity * 2 - 1), 1 << 10, 1 << 22);
    this.sketch = new byte[width * SKETCH_DEPTH];
    this.sketchMask = width - 1;
    this.replaced = new RowSet(this.capacity);
    this.changed = new RowSet(this.capacity + 1);
    this.sketchChanged = new RowSet(sketch.length / SKETCH_BLOCK);
  }

  /** The slot count for a capacity: the smallest power of two of at least {@code 4/3 * capacity}. */
  static int slotsFor(long capacity) {
    long want = (capacity * 4 + 2) / 3;
    return (int) Math.max(2, Long.highestOneBit(want * 2 - 1));
  }

  private void clearSlots() {
    for (int s = 0; s < slots.length; s += 2) {
      slots[s] = 0;
      slots[s + 1] = -1;
    }
  }

  /** SplitMix64's finaliser (Stafford's variant 13): every bit of the id moves every bit of the hash. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The rows. */
  public long capacity() {
    return capacity;
  }

  /** The most rows the map grows to before it evicts ({@link #capacity()} for a map that never grows). */
  public long maxCapacity() {
    return maxCapacity;
  }

  /** The ids that hold a row. */
  public long size() {
    return size;
  }

  /** The rows taken from one id and given to another since the map was created. */
  public long evictions() {
    return evictions;
  }

  /** Bytes of the map's arrays (slots, rows' records, recency queue, sketch, change sets). */
  public long sizeInBytes() {
    return (long) slots.length * Long.BYTES
        + (long) capacity * (4L * Long.BYTES + 2L * Integer.BYTES)
        + (long) freeRows.length * Integer.BYTES
        + sketch.length
        + replaced.sizeInBytes()
        + changed.sizeInBytes()
        + sketchChanged.sizeInBytes();
  }

  /** The steps so far: the number of {@link #tick()} calls, or what {@link #setCounters} set. */
  public long clock() {
    return clock;
  }

  /** Advances the clock by one step and returns the new step (the counters' record changes). */
  public long tick() {
    if (tracking) {
      changed.add(capacity);
    }
    return ++clock;
  }

  /** The touches so far that made a row the most recently used: the largest recency a row can hold. */
  public long touches() {
    return touches;
  }

  /**
   * Overwrites the counters (a restore does): the clock, the evictions and the touches. Each must be {@code >= 0}.
   *
   * @throws IllegalArgumentException naming a negative value; nothing changes then
   */
  public void setCounters(long clock, long evictions, long touches) {
    if (clock < 0 || evictions < 0 || touches < 0) {
      throw new IllegalArgumentException(
          "id map counters must be >= 0, got clock " + clock + ", evictions " + evictions + ", touches " + touches);
    }
    this.clock = clock;
    this.evictions = evictions;
    this.touches = touches;
  }

  /** The home slot of {@code id}: where its probe run starts ({@link #findFrom}). */
  public int home(long id) {
    return (int) mix(id) & mask;
  }

  /**
   * The id word of slot {@code slot}: meaningful only if the slot is used ({@link #slotRow} {@code >= 0}). Read by
   * callers that read many ids' home slots before they look the ids up ({@link #findFrom}).
   */
  public long slotId(int slot) {
    return slots[2 * slot];
  }

  /** The row word of slot {@code slot}: the row of the id in it, or negative for an empty slot. */
  public long slotRow(int slot) {
    return slots[2 * slot + 1];
  }

  /** The row of {@code id}, or {@link #NO_ROW}; changes nothing. */
  public long find(long id) {
    return findFrom(id, home(id));
  }

  /**
   * The row of {@code id}, or {@link #NO_ROW}, probing from {@code slot}, which must be {@code home(id)} (computed
   * ahead by a caller that reads slots ahead); changes nothing.
   */
  public long findFrom(long id, int slot) {
    int s = slot & mask;
    for (int probes = 0; probes <= mask; probes++) {
      long row = slots[2 * s + 1];
      if (row < 0) {
        return NO_ROW;
      }
      if (slots[2 * s] == id) {
        return row;
      }
      s = (s + 1) & mask;
    }
    return NO_ROW;
  }

  /**
   * The row of {@code id} at step {@code step}, marking it used; an id not in the map is counted and, at its {@code
   * minCount}-th sighting, given a free row, or (when every row holds an id) a new row of the map grown by {@link
   * #growTo} if it may still grow, or one evicted by the policy.
   *
   * @return the row, or {@link #NO_ROW} if the id is not admitted yet, or no row is old enough to evict
   * @throws IllegalStateException if the map is full and the policy is {@link Policy#NONE}, naming the id and the
   *     capacity
   */
  public long admit(long id, long step) {
    long found = find(id);
    if (found >= 0) {
      touch((int) found, step);
      return found;
    }
    if (minCount > 1 && countSighting(id) < minCount) {
      return NO_ROW;
    }
    int row = freeRow();
    if (row < 0 && capacity < maxCapacity) {
      growTo(Math.min(2L * capacity, maxCapacity));
      row = freeRow();
    }
    if (row < 0) {
      row = evictable(id, step);
      if (row < 0) {
        return NO_ROW;
      }
      removeSlot(records[4 * row + ID]);
      size--;
      evictions++;
    }
    insertSlot(id, row);
    records[4 * row + ID] = id;
    records[4 * row + USE] = step;
    records[4 * row + RECENCY] = ++touches;
    linkLast(row);
    size++;
    replaced.add(row);
    if (tracking) {
      changed.add(row);
      changed.add(capacity);
    }
    return row;
  }

  private int freeRow() {
    if (freeCount > 0) {
      return freeRows[--freeCount];
    }
    return nextFresh < capacity ? nextFresh++ : -1;
  }

  /** The row to evict for {@code id} under the policy, or -1. */
  private int evictable(long id, long step) {
    return switch (policy) {
      case NONE ->
          throw new IllegalStateException(
              "the table is full: all " + capacity + " rows hold ids, so id " + id
                  + " cannot be admitted (eviction is off; raise the capacity or choose an eviction policy)");
      case LEAST_RECENTLY_USED -> leastRecentlyUsed();
      case OLDER_THAN -> {
        int oldest = leastRecentlyUsed();
        yield step - records[4 * oldest + USE] > maxAge ? oldest : -1;
      }
    };
  }

  /**
   * Marks {@code row}, which holds an id, used at {@code step}: what {@link #admit} does for an id it finds, for a
   * caller that found the row itself (a batch looked up in parallel first).
   */
  public void touch(long row, long step) {
    touch((int) row, step);
  }

  private void touch(int row, long step) {
    // stores only: reading the row's record first would wait for it from memory, where a store lets the loop go on
    // while the record's line arrives (a store retires at once; a load that misses holds up those behind it)
    records[4 * row + USE] = step;
    if (tracking) {
      changed.add(row);
    }
    if (order[back - 1] != row) {
      linkLast(row);
      records[4 * row + RECENCY] = ++touches;
      if (tracking) {
        changed.add(capacity);
      }
    }
  }

  /**
   * Reserves the recency-queue places of {@code n} touches made together that each move their row to the most recently
   * used end ({@link #touchAt}), compacting the queue first when they do not fit, and counts them as touches: the touch
   * at place {@code first + k} has recency {@code touches() - n + k + 1}. Every place must then be filled by {@code
   * touchAt} before any other call.
   *
   * @return the first place, or -1 (nothing changed) when the map records its changes ({@link #trackChanges()}),
   *     which these touches do not, or {@code n} exceeds the capacity
   */
  public int reserveTouches(int n) {
    if (tracking || n > capacity) {
      return -1;
    }
    if (back + n > order.length) {
      compact(); // at most capacity live entries stay, so n more fit
    }
    int first = back;
    back += n;
    touches += n;
    return first;
  }

  /**
   * Marks used row {@code row} used at {@code step} without moving it in the recency order: for {@link #lastQueued()}
   * among touches made together ({@link #reserveTouches}), as {@link #touch} does for the row already there.
   */
  public void markUsed(long row, long step) {
    records[4 * (int) row + USE] = step;
  }

  /** The row at the most recently used end of the recency queue, or -1 when no row holds an id. */
  public long lastQueued() {
    return back > front ? order[back - 1] : -1;
  }

  /**
   * One of the touches reserved by {@link #reserveTouches}: marks used row {@code row} used at {@code step}, with
   * {@code recency}, at queue place {@code place}. Touches of distinct rows may run on different threads.
   */
  public void touchAt(long row, int place, long recency, long step) {
    int r = (int) row;
    records[4 * r + USE] = step;
    records[4 * r + RECENCY] = recency;
    records[4 * r + PLACE] = place;
    order[place] = r;
  }

  /** Counts one sighting of {@code id} and returns its estimated count (conservative count-min update). */
  private int countSighting(long id) {
    int width = sketchMask + 1;
    int est = Integer.MAX_VALUE;
    for (int d = 0; d < SKETCH_DEPTH; d++) {
      est = Math.min(est, sketch[d * width + ((int) mix(id ^ SKETCH_SEEDS[d]) & sketchMask)]);
    }
    int count = Math.min(est + 1, MAX_MIN_COUNT);
    for (int d = 0; d < SKETCH_DEPTH; d++) {
      int at = d * width + ((int) mix(id ^ SKETCH_SEEDS[d]) & sketchMask);
      if (sketch[at] < count) {
        sketch[at] = (byte) count;
        if (tracking) {
          sketchChanged.add(at / SKETCH_BLOCK);
        }
      }
    }
    return count;
  }

  private void insertSlot(long id, int row) {
    int s = (int) mix(id) & mask;
    while (slots[2 * s + 1] >= 0) {
      s = (s + 1) & mask;
    }
    slots[2 * s] = id;
    slots[2 * s + 1] = row;
  }

  /** Removes {@code id}'s slot, shifting later entries of its probe run back into the gap (no tombstones). */
  private void removeSlot(long id) {
    int s = (int) mix(id) & mask;
    while (slots[2 * s] != id || slots[2 * s + 1] < 0) {
      s = (s + 1) & mask;
    }
    int gap = s;
    int j = gap;
    while (true) {
      j = (j + 1) & mask;
      if (slots[2 * j + 1] < 0) {
        break;
      }
      int home = (int) mix(slots[2 * j]) & mask;
      // the entry at j may move to the gap unless its home lies cyclically in (gap, j]
      boolean stays = gap <= j ? (home > gap && home <= j) : (home > gap || home <= j);
      if (!stays) {
        slots[2 * gap] = slots[2 * j];
        slots[2 * gap + 1] = slots[2 * j + 1];
        gap = j;
      }
    }
    slots[2 * gap] = 0;
    slots[2 * gap + 1] = -1;
  }

  /** The least recently used row: the first live entry of the queue (the map is not empty). */
  private int leastRecentlyUsed() {
    while (records[4 * order[front] + PLACE] != front) {
      front++;
    }
    return order[front];
  }

  /** Makes {@code row} the most recently used: appends it to the queue, its earlier entry (if any) going stale. */
  private void linkLast(int row) {
    if (back == order.length) {
      compact();
    }
    order[back] = row;
    records[4 * row + PLACE] = back++;
  }

  /** Moves the live entries to the start of the queue, in order: at most {@code capacity}, half of it. */
  private void compact() {
    int kept = 0;
    for (int at = front; at < back; at++) {
      int row = order[at];
      if (records[4 * row + PLACE] == at) { // a row's live entry is its last, so no entry after it was moved yet
        order[kept] = row;
        records[4 * row + PLACE] = kept++;
      }
    }
    front = 0;
    back = kept;
  }

  /** The id of {@code row}; meaningful only if {@link #isUsed(long)}. */
  public long idOf(long row) {
    return records[4 * (int) row + ID];
  }

  /** Whether {@code row} holds an id. */
  public boolean isUsed(long row) {
    return records[4 * (int) row + USE] >= 0;
  }

  /** The step {@code row} was last used at, or -1 for a free row. */
  public long lastUse(long row) {
    return records[4 * (int) row + USE];
  }

  /** The rows given to an id since the last call, each once, in the order given; the set is emptied. */
  public long[] takeReplaced() {
    return replaced.take();
  }

  /** The recency of {@code row} (see the class comment); meaningful only if {@link #isUsed(long)}. */
  public long recency(long row) {
    return records[4 * (int) row + RECENCY];
  }

  /**
   * Starts recording which records and sketch blocks change ({@link #takeChanged}, {@link #takeSketchChanged}), for
   * delta checkpoints; until then both stay empty, and a touch costs no access to a set of a bit per row. Calling it
   * again does nothing.
   */
  public void trackChanges() {
    tracking = true;
  }

  /**
   * The rows whose record (id, last use or recency) changed since the last call, each once, and {@code capacity} if
   * the counters did; the set is emptied. Empty until {@link #trackChanges()}.
   */
  public long[] takeChanged() {
    return changed.take();
  }

  /** The bytes of the admission sketch: 0 when {@code minCount} is 1, else a multiple of {@link #SKETCH_BLOCK}. */
  public int sketchLength() {
    return sketch.length;
  }

  /** Byte {@code i} of the admission sketch: a saturating counter, {@code 0 .. MAX_MIN_COUNT}. */
  public byte sketchByte(int i) {
    return sketch[i];
  }

  /**
   * Overwrites byte {@code i} of the admission sketch (a restore does).
   *
   * @throws IllegalArgumentException if {@code value} is outside {@code 0 .. MAX_MIN_COUNT}; nothing changes then
   */
  public void setSketchByte(int i, int value) {
    if (value < 0 || value > MAX_MIN_COUNT) {
      throw new IllegalArgumentException(
          "admission sketch byte " + i + " holds " + value + ", not a count in 0.." + MAX_MIN_COUNT);
    }
    sketch[i] = (byte) value;
  }

  /**
   * The blocks of {@link #SKETCH_BLOCK} sketch bytes changed since the last call, each once; the set is emptied.
   * Empty until {@link #trackChanges()}.
   */
  public long[] takeSketchChanged() {
    return sketchChanged.take();
  }

  /**
   * Overwrites the record of {@code row} (a restore writes every row this way): its id, last use ({@code -1}: free)
   * and recency. The slots and the recency queue are stale until {@link #rebuild()}, which must run before the next
   * {@link #find} or {@link #admit}.
   */
  public void setRecord(long row, long id, long use, long recency) {
    records[4 * (int) row + ID] = id;
    records[4 * (int) row + USE] = Math.max(-1, use);
    records[4 * (int) row + RECENCY] = recency;
  }

  /**
   * Raises the capacity to {@code newCapacity} rows: every id keeps its row, record and place in the recency order, the
   * counters and the admission sketch are kept exactly (its width stays that of the capacity the map was created
   * with), and the new rows {@code capacity() .. newCapacity - 1} are free, given out lowest first after the rows
   * free already. The slot array is rehashed if the new capacity needs more slots. In the change sets, the counters'
   * row moves from the old capacity to the new one.
   *
   * @throws IllegalArgumentException unless {@code capacity() < newCapacity <= MAX_CAPACITY}; nothing changes then
   */
  public void growTo(long newCapacity) {
    if (newCapacity <= capacity || newCapacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "an id map of " + capacity + " rows grows to more rows, at most " + MAX_CAPACITY + ", not " + newCapacity);
    }
    int old = capacity;
    int grown = (int) newCapacity;
    int slotCount = slotsFor(newCapacity);
    if (2 * slotCount != slots.length) {
      long[] before = slots;
      slots = new long[2 * slotCount];
      mask = slotCount - 1;
      clearSlots();
      for (int s = 0; s < before.length; s += 2) {
        if (before[s + 1] >= 0) {
          insertSlot(before[s], (int) before[s + 1]);
        }
      }
    }
    records = Arrays.copyOf(records, 4 * grown);
    for (int r = old; r < grown; r++) {
      records[4 * r + USE] = -1;
      records[4 * r + PLACE] = -1;
    }
    order = Arrays.copyOf(order, 2 * grown); // every place stays valid
    // the rows nextFresh .. old - 1 are fresh still, and the new rows follow them (after the rows on freeRows)
    replaced.growTo(grown);
    long[] changedRows = changed.take();
    changed = new RowSet(grown + 1);
    for (long r : changedRows) {
      changed.add(r == old ? grown : (int) r);
    }
    capacity = grown;
  }

  /**
   * Rebuilds the slots, the recency queue (by recency) and the free rows from the rows' records, after {@link
   * #setRecord} calls; the touches counter becomes at least the largest recency. The sketch and the other counters
   * are kept; the change sets are cleared.
   *
   * @throws IllegalStateException if an id is held by two rows, or two rows have the same recency
   */
  public void rebuild() {
    clearSlots();
    for (int r = 0; r < capacity; r++) {
      records[4 * r + PLACE] = -1;
    }
    front = 0;
    back = 0;
    size = 0;
    int used = 0;
    for (int r = 0; r < capacity; r++) {
      if (records[4 * r + USE] >= 0) {
        used++;
      }
    }
    // the recency queue's order: the used rows' recencies sorted, each row then placed at its recency's rank
    long[] sorted = new long[used];
    int u = 0;
    for (int r = 0; r < capacity; r++) {
      if (records[4 * r + USE] >= 0) {
        sorted[u++] = records[4 * r + RECENCY];
      }
    }
    Arrays.sort(sorted);
    int[] byRecency = new int[used];
    for (int r = 0; r < capacity; r++) {
      if (records[4 * r + USE] >= 0) {
        long recency = records[4 * r + RECENCY];
        int rank = Arrays.binarySearch(sorted, recency);
        if ((rank > 0 && sorted[rank - 1] == recency) || (rank + 1 < used && sorted[rank + 1] == recency)) {
          int other = -1;
          for (int q = 0; q < capacity && other < 0; q++) {
            other = q != r && records[4 * q + USE] >= 0 && records[4 * q + RECENCY] == recency ? q : -1;
          }
          throw new IllegalStateException(
              "rows " + Math.min(other, r) + " and " + Math.max(other, r) + " have the same recency " + recency
                  + "; an id map orders its rows by distinct recencies");
        }
        byRecency[rank] = r;
      }
    }
    touches = Math.max(touches, used == 0 ? 0 : sorted[used - 1]);
    for (int r : byRecency) {
      long id = records[4 * r + ID];
      long other = find(id);
      if (other >= 0) {
        throw new IllegalStateException(
            "id " + id + " is held by rows " + other + " and " + r + "; an id map gives each id one row");
      }
      insertSlot(id, r);
      linkLast(r);
      size++;
    }
    freeRows = new int[capacity - used];
    freeCount = 0;
    for (int r = capacity - 1; r >= 0; r--) {
      if (records[4 * r + USE] < 0) {
        freeRows[freeCount++] = r; // popped from the end: lowest row first
      }
    }
    nextFresh = capacity;
    replaced.take();
    changed.take();
    sketchChanged.take();
  }

  /** A set of rows each recorded once, in insertion order: a bitmap for membership and a growing list. */
  private static final class RowSet {
    private long[] bits;
    private int[] list = new int[16];
    private int count;

    RowSet(int rows) {
      bits = new long[(rows + 63) >>> 6];
    }

    void add(int row) {
      long bit = 1L << row;
      if ((bits[row >>> 6] & bit) != 0) {
        return;
      }
      bits[row >>> 6] |= bit;
      if (count == list.length) {
        list = Arrays.copyOf(list, Math.min(bits.length * 64, list.length * 2));
      }
      list[count++] = row;
    }

    long[] take() {
      long[] out = new long[count];
      for (int i = 0; i < count; i++) {
        out[i] = list[i];
        bits[list[i] >>> 6] &= ~(1L << list[i]);
      }
      count = 0;
      if (list.length > 1024) {
        list = new int[16];
      }
      return out;
    }

    long sizeInBytes() {
      return (long) bits.length * Long.BYTES + (long) list.length * Integer.BYTES;
    }

    /** Makes room for rows up to {@code rows - 1}; the rows recorded stay recorded, in order. */
    void growTo(int rows) {
      bits = Arrays.copyOf(bits, Math.max(bits.length, (rows + 63) >>> 6));
    }
  }
}
