package dev.emb4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.autograd.TableGradient;
import dev.emb4j.internal.format.Json;
import dev.emb4j.nn.DenseParameter;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Parameter;
import dev.emb4j.optim.OptimizerState;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.OffHeapRowStore;
import dev.emb4j.store.RowStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, matching against the model, atomic saves and the byte layout of {@link Checkpoint}. */
class CheckpointTest {

  @TempDir Path dir;

  // -------------------------------------------------------------------------------------------------------------
  // Helpers shared with the other checkpoint tests
  // -------------------------------------------------------------------------------------------------------------

  /** A parameter over any row store. */
  static final class StoreParam implements Parameter {
    private final String name;
    private final RowStore store;

    StoreParam(String name, RowStore store) {
      this.name = name;
      this.store = store;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public RowStore value() {
      return store;
    }

    @Override
    public Optional<TableGradient> grad() {
      return Optional.empty();
    }

    @Override
    public void zeroGrad() {}

    @Override
    public boolean requiresGrad() {
      return true;
    }
  }

  /** Special float bit patterns that must survive a round trip untouched. */
  private static final int[] SPECIAL_BITS = {
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fc00001, 0xffbadbad, 0x00000001, 0x807fffff,
    0x7f7fffff, 0x3f800000
  };

  /** Fills a store with random bit patterns (finite values mostly, plus NaNs with payloads, infinities, -0, ...). */
  static void fill(RowStore store, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (long r = 0; r < store.rows(); r++) {
      for (int c = 0; c < store.dim(); c++) {
        int bits = rnd.nextInt(8) == 0 ? SPECIAL_BITS[rnd.nextInt(SPECIAL_BITS.length)] : rnd.nextInt();
        store.set(r, c, Float.intBitsToFloat(bits));
      }
    }
  }

  /** The raw bits of every value, row-major. */
  static int[] bits(RowStore store) {
    int[] out = new int[Math.toIntExact(store.rows() * store.dim())];
    float[] row = new float[store.dim()];
    for (long r = 0; r < store.rows(); r++) {
      store.readRow(r, row, 0);
      for (int c = 0; c < row.length; c++) {
        out[(int) (r * store.dim() + c)] = Float.floatToRawIntBits(row[c]);
      }
    }
    return out;
  }

  static List<int[]> snapshot(List<? extends Parameter> params) {
    List<int[]> out = new ArrayList<>();
    for (Parameter p : params) {
      out.add(bits(p.value()));
    }
    return out;
  }

  static void assertUnchanged(List<int[]> before, List<? extends Parameter> params) {
    for (int i = 0; i < params.size(); i++) {
      assertArrayEquals(before.get(i), bits(params.get(i).value()), "parameter " + params.get(i).name() + " changed");
    }
  }

  /** A small model: two dense layers' parameters and an embedding table named "weight". */
  static List<Parameter> model(long seed) {
    List<Parameter> params = new ArrayList<>();
    DenseParameter w = new DenseParameter("fc1.weight", 5, 3);
    DenseParameter b = new DenseParameter("fc1.bias", 1, 5);
    fill(w.value(), seed);
    fill(b.value(), seed + 1);
    params.add(w);
    params.add(b);
    params.addAll(Embedding.builder(50, 8).build().parameters());
    fill(params.get(2).value(), seed + 2);
    return params;
  }

  static OptimizerState adamState(long seed) {
    Map<String, RowStore> slots = new LinkedHashMap<>();
    String[] names = {"fc1.weight", "fc1.bias", "weight"};
    long[][] shapes = {{5, 3}, {1, 5}, {50, 8}};
    for (int i = 0; i < names.length; i++) {
      for (String slot : new String[] {"exp_avg", "exp_avg_sq"}) {
        HeapRowStore s = HeapRowStore.allocate(shapes[i][0], (int) shapes[i][1]);
        fill(s, seed + 31L * i + slot.length());
        slots.put(names[i] + "/" + slot, s);
      }
    }
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("step", 7.0);
    scalars.put("lr", 0.001);
    scalars.put("beta1", 0.9);
    scalars.put("tiny", Double.MIN_VALUE);
    scalars.put("negZero", -0.0);
    scalars.put("nan", Double.NaN);
    scalars.put("inf", Double.POSITIVE_INFINITY);
    scalars.put("ninf", Double.NEGATIVE_INFINITY);
    scalars.put("third", 1.0 / 3.0);
    return new OptimizerState("Adam", scalars, slots);
  }

  static void assertSameState(OptimizerState expected, OptimizerState actual) {
    assertNotNull(actual);
    assertEquals(expected.optimizer(), actual.optimizer());
    assertEquals(expected.scalars(), actual.scalars()); // Double.equals: NaN == NaN, -0.0 != 0.0
    for (Map.Entry<String, Double> e : expected.scalars().entrySet()) {
      assertEquals(
          Double.doubleToLongBits(e.getValue()), Double.doubleToLongBits(actual.scalars().get(e.getKey())), e.getKey());
    }
    assertEquals(expected.slots().keySet(), actual.slots().keySet());
    for (Map.Entry<String, RowStore> e : expected.slots().entrySet()) {
      RowStore got = actual.slots().get(e.getKey());
      assertInstanceOf(HeapRowStore.class, got);
      assertEquals(e.getValue().rows(), got.rows(), e.getKey());
      assertEquals(e.getValue().dim(), got.dim(), e.getKey());
      assertArrayEquals(bits(e.getValue()), bits(got), e.getKey());
    }
  }

  static List<String> listDir(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Round trips
  // -------------------------------------------------------------------------------------------------------------

  @Test
  void loadRestoresParametersAndOptimizerStateBitForBit() throws IOException {
    Path file = dir.resolve("model.ckpt");
    List<Parameter> saved = model(1);
    List<int[]> expected = snapshot(saved);
    OptimizerState state = adamState(2);
    Checkpoint.save(file, saved, state, Map.of("epoch", "3", "note", "ünïcødé \"quoted\"\n"));

    List<Parameter> fresh = model(100);
    OptimizerState loaded = Checkpoint.load(file, fresh);

    for (int i = 0; i < fresh.size(); i++) {
      assertArrayEquals(expected.get(i), bits(fresh.get(i).value()), fresh.get(i).name());
    }
    assertSameState(state, loaded);
    assertEquals(List.of("model.ckpt"), listDir(dir), "no temporary file remains");
  }

  @Test
  void readReturnsMetadataTensorsAndOptimizerState() throws IOException {
    Path file = dir.resolve("model.ckpt");
    List<Parameter> saved = model(3);
    OptimizerState state = adamState(4);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("z", "last");
    meta.put("epoch", "12");
    meta.put("", "empty key is fine");
    Checkpoint.save(file, saved, state, meta);

    Checkpoint.Contents c = Checkpoint.read(file);
    assertEquals(Checkpoint.FORMAT_VERSION, c.formatVersion());
    assertEquals(meta, c.metadata());
    assertEquals(List.of("", "epoch", "z"), new ArrayList<>(c.metadata().keySet()), "metadata is sorted");
    assertEquals(
        List.of("fc1.weight", "fc1.bias", "weight"), new ArrayList<>(c.parameters().keySet()), "save order is kept");
    for (Parameter p : saved) {
      RowStore got = c.parameters().get(p.name());
      assertInstanceOf(HeapRowStore.class, got);
      assertEquals(p.value().rows(), got.rows());
      assertEquals(p.value().dim(), got.dim());
      assertArrayEquals(bits(p.value()), bits(got), p.name());
    }
    assertSameState(state, c.optimizer());
    assertThrows(UnsupportedOperationException.class, () -> c.parameters().clear());
  }

  @Test
  void withoutOptimizerStateLoadReturnsNull() throws IOException {
    Path file = dir.resolve("plain.ckpt");
    List<Parameter> saved = model(5);
    Checkpoint.save(file, saved, null, null);
    List<Parameter> fresh = model(6);
    assertNull(Checkpoint.load(file, fresh));
    assertUnchanged(snapshot(saved), fresh);
    Checkpoint.Contents c = Checkpoint.read(file);
    assertNull(c.optimizer());
    assertTrue(c.metadata().isEmpty());
  }

  @Test
  void optimizerStateWithoutSlotsOrScalarsRoundTrips() throws IOException {
    Path file = dir.resolve("sgd.ckpt");
    OptimizerState sgd = new OptimizerState("SGD", Map.of(), Map.of());
    Checkpoint.save(file, model(7), sgd, Map.of());
    assertSameState(sgd, Checkpoint.load(file, model(8)));
  }

  @Test
  void emptyCheckpointAndEmptyTensorsRoundTrip() throws IOException {
    Path file = dir.resolve("empty.ckpt");
    Checkpoint.save(file, List.of(), null, Map.of());
    assertNull(Checkpoint.load(file, List.of()));
    assertTrue(Checkpoint.read(file).parameters().isEmpty());

    HeapRowStore none = HeapRowStore.allocate(0, 4);
    OptimizerState state = new OptimizerState("X", Map.of("k", 1.5), Map.of("p/s", HeapRowStore.allocate(0, 2)));
    Checkpoint.save(file, List.of(new StoreParam("p", none)), state, Map.of());
    OptimizerState loaded = Checkpoint.load(file, List.of(new StoreParam("p", HeapRowStore.allocate(0, 4))));
    assertSameState(state, loaded);
  }

  @Test
  void offHeapStoresAndRowsLargerThanTheBufferRoundTrip() throws IOException {
    Path file = dir.resolve("wide.ckpt");
    // One row of 300,000 floats (1.2 MB, more than the 1 MiB I/O buffer), 600,000 rows of 1 float, an off-heap table
    // (rows padded to 64 bytes in memory, packed in the file) and a slot whose rows straddle buffer boundaries.
    DenseParameter wide = new DenseParameter("wide", 1, 300_000);
    DenseParameter tall = new DenseParameter("tall", 600_000, 1);
    fill(wide.value(), 11);
    fill(tall.value(), 12);
    try (OffHeapRowStore off = OffHeapRowStore.allocate(1000, 7);
        OffHeapRowStore offTarget = OffHeapRowStore.allocate(1000, 7)) {
      fill(off, 13);
      HeapRowStore slot = HeapRowStore.allocate(3001, 333);
      fill(slot, 14);
      List<Parameter> saved = List.of(wide, tall, new StoreParam("off", off));
      OptimizerState state = new OptimizerState("Adagrad", Map.of("step", 1.0), Map.of("off/sum", slot));
      Checkpoint.save(file, saved, state, Map.of());

      List<Parameter> target =
          List.of(new DenseParameter("wide", 1, 300_000), new DenseParameter("tall", 600_000, 1),
              new StoreParam("off", offTarget));
      assertSameState(state, Checkpoint.load(file, target));
      for (int i = 0; i < saved.size(); i++) {
        assertArrayEquals(bits(saved.get(i).value()), bits(target.get(i).value()), saved.get(i).name());
      }
    }
  }

  @Test
  void theSameStateAlwaysGivesTheSameBytes() throws IOException {
    Path a = dir.resolve("a.ckpt");
    Path b = dir.resolve("b.ckpt");
    Checkpoint.save(a, model(9), adamState(10), Map.of("x", "1", "y", "2", "z", "3"));
    Checkpoint.save(b, model(9), adamState(10), Map.of("z", "3", "y", "2", "x", "1"));
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
  }

  @Test
  void savingOverAnExistingFileReplacesIt() throws IOException {
    Path file = dir.resolve("model.ckpt");
    Checkpoint.save(file, model(20), adamState(21), Map.of("version", "old"));
    List<Parameter> newer = List.of(new DenseParameter("other", 2, 2));
    fill(newer.get(0).value(), 22);
    Checkpoint.save(file, newer, null, Map.of("version", "new"));

    Checkpoint.Contents c = Checkpoint.read(file);
    assertEquals(Map.of("version", "new"), c.metadata());
    assertEquals(List.of("other"), new ArrayList<>(c.parameters().keySet()));
    assertArrayEquals(bits(newer.get(0).value()), bits(c.parameters().get("other")));
    assertNull(c.optimizer());
    assertEquals(List.of("model.ckpt"), listDir(dir));
  }

  @Test
  void relativePathsWork() throws IOException {
    // A file name without a directory part resolves against the working directory; use a path under the temp dir
    // that is relative to it instead, to keep the test self-contained.
    Path file = Path.of("").toAbsolutePath().relativize(dir.resolve("rel.ckpt").toAbsolutePath());
    Checkpoint.save(file, model(23), null, Map.of());
    assertTrue(Files.exists(dir.resolve("rel.ckpt")));
    assertNull(Checkpoint.load(file, model(24)));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Matching against the model: nothing is loaded on a mismatch
  // -------------------------------------------------------------------------------------------------------------

  private Path savedModel() throws IOException {
    Path file = dir.resolve("model.ckpt");
    Checkpoint.save(file, model(30), adamState(31), Map.of());
    return file;
  }

  @Test
  void aWrongShapeLoadsNothing() throws IOException {
    Path file = savedModel();
    List<Parameter> target = model(32);
    target.set(0, new DenseParameter("fc1.weight", 5, 4)); // 5 x 3 in the checkpoint
    fill(target.get(0).value(), 33);
    List<int[]> before = snapshot(target);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, target));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(
        e.getMessage().contains("parameter 'fc1.weight' has shape 5 x 3 in the checkpoint but 5 x 4 in the model"),
        e.getMessage());
    assertUnchanged(before, target);
  }

  @Test
  void aMissingNameLoadsNothingEvenWhenNotStrict() throws IOException {
    Path file = savedModel();
    List<Parameter> target = model(34);
    DenseParameter extra = new DenseParameter("fc2.weight", 2, 2);
    target.add(extra);
    List<int[]> before = snapshot(target);

    for (boolean strict : new boolean[] {true, false}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, target, strict));
      assertTrue(e.getMessage().contains("parameter 'fc2.weight' (2 x 2) is missing from the checkpoint"), e.getMessage());
      assertUnchanged(before, target);
    }
  }

  @Test
  void anExtraNameInTheCheckpointLoadsNothingWhenStrict() throws IOException {
    Path file = savedModel();
    List<Parameter> target = model(35);
    target.remove(1); // fc1.bias is in the checkpoint but not in the model
    List<int[]> before = snapshot(target);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, target));
    assertTrue(
        e.getMessage().contains("the checkpoint has a parameter 'fc1.bias' (1 x 5) that the model does not have"),
        e.getMessage());
    assertUnchanged(before, target);
  }

  @Test
  void anExtraNameIsSkippedWhenNotStrict() throws IOException {
    Path file = savedModel();
    List<Parameter> expected = model(30);
    expected.remove(1);
    List<Parameter> target = model(36);
    target.remove(1);

    OptimizerState state = Checkpoint.load(file, target, false);
    assertUnchanged(snapshot(expected), target);
    assertSameState(adamState(31), state);
  }

  @Test
  void everyMismatchIsListedInOneMessage() throws IOException {
    Path file = savedModel();
    List<Parameter> target = new ArrayList<>();
    target.add(new DenseParameter("fc1.weight", 3, 5));
    target.add(new DenseParameter("nope", 1, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, target));
    String m = e.getMessage();
    assertTrue(m.contains("'fc1.weight' has shape 5 x 3 in the checkpoint but 3 x 5 in the model"), m);
    assertTrue(m.contains("'nope' (1 x 1) is missing"), m);
    assertTrue(m.contains("'fc1.bias' (1 x 5) that the model does not have"), m);
    assertTrue(m.contains("'weight' (50 x 8) that the model does not have"), m);
  }

  @Test
  void duplicateNamesAreRejected() throws IOException {
    Path file = dir.resolve("dup.ckpt");
    List<Parameter> dup = List.of(new DenseParameter("w", 1, 1), new DenseParameter("w", 1, 1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, dup, null, Map.of()));
    assertTrue(e.getMessage().contains("'w'"), e.getMessage());
    assertTrue(listDir(dir).isEmpty(), "nothing written");

    Checkpoint.save(file, List.of(dup.get(0)), null, Map.of());
    assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file, dup));
  }

  @Test
  void badArgumentsToSaveWriteNothing() throws IOException {
    Path file = dir.resolve("bad.ckpt");
    Map<String, String> nullValue = new LinkedHashMap<>();
    nullValue.put("k", null);
    assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(file, model(1), null, nullValue));
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.save(file, List.of(new DenseParameter("", 1, 1)), null, Map.of()));
    assertTrue(listDir(dir).isEmpty());
  }

  // -------------------------------------------------------------------------------------------------------------
  // Atomic saves
  // -------------------------------------------------------------------------------------------------------------

  /** A store that fails after a number of row reads, like a disk or a bug failing in the middle of a save. */
  private static final class FailingStore implements RowStore {
    private final HeapRowStore inner;
    private int readsLeft;

    FailingStore(HeapRowStore inner, int readsBeforeFailure) {
      this.inner = inner;
      this.readsLeft = readsBeforeFailure;
    }

    @Override
    public long rows() {
      return inner.rows();
    }

    @Override
    public int dim() {
      return inner.dim();
    }

    @Override
    public float get(long row, int col) {
      return inner.get(row, col);
    }

    @Override
    public void set(long row, int col, float value) {
      inner.set(row, col, value);
    }

    @Override
    public void readRow(long row, float[] dst, int dstOffset) {
      if (readsLeft-- <= 0) {
        throw new IllegalStateException("simulated failure reading row " + row);
      }
      inner.readRow(row, dst, dstOffset);
    }

    @Override
    public void writeRow(long row, float[] src, int srcOffset) {
      inner.writeRow(row, src, srcOffset);
    }

    @Override
    public void accumulateRow(long row, float scale, float[] dst, int dstOffset) {
      inner.accumulateRow(row, scale, dst, dstOffset);
    }

    @Override
    public void addToRow(long row, float scale, float[] src, int srcOffset) {
      inner.addToRow(row, scale, src, srcOffset);
    }

    @Override
    public void scaleRow(long row, float factor) {
      inner.scaleRow(row, factor);
    }

    @Override
    public long sizeInBytes() {
      return inner.sizeInBytes();
    }

    @Override
    public void close() {}
  }

  @Test
  void aFailureDuringSaveLeavesThePreviousCheckpointIntact() throws IOException {
    Path file = dir.resolve("model.ckpt");
    Checkpoint.save(file, model(40), adamState(41), Map.of("epoch", "1"));
    byte[] before = Files.readAllBytes(file);

    // Enough rows that the failure comes after data has reached the temporary file (more than one 1 MiB buffer).
    HeapRowStore big = HeapRowStore.allocate(200_000, 4);
    fill(big, 42);
    List<Parameter> failing = model(43);
    failing.add(new StoreParam("big", new FailingStore(big, 150_000)));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> Checkpoint.save(file, failing, adamState(44), Map.of("epoch", "2")));
    assertTrue(e.getMessage().contains("simulated failure"), e.getMessage());

    assertArrayEquals(before, Files.readAllBytes(file), "the previous checkpoint is byte-identical");
    assertEquals(List.of("model.ckpt"), listDir(dir), "the temporary file was deleted");
    assertEquals(Map.of("epoch", "1"), Checkpoint.read(file).metadata());
  }

  @Test
  void aFailureDuringTheFirstSaveLeavesNoFile() throws IOException {
    Path file = dir.resolve("model.ckpt");
    HeapRowStore s = HeapRowStore.allocate(10, 2);
    List<Parameter> failing = List.of(new StoreParam("s", new FailingStore(s, 3)));
    assertThrows(IllegalStateException.class, () -> Checkpoint.save(file, failing, null, Map.of()));
    assertTrue(listDir(dir).isEmpty(), "neither the checkpoint nor a temporary file exists");
  }

  @Test
  void aFailingSlotStoreAlsoLeavesThePreviousCheckpoint() throws IOException {
    Path file = dir.resolve("model.ckpt");
    Checkpoint.save(file, model(45), null, Map.of());
    byte[] before = Files.readAllBytes(file);
    OptimizerState bad =
        new OptimizerState("Adam", Map.of(), Map.of("weight/exp_avg", new FailingStore(HeapRowStore.allocate(50, 8), 49)));
    assertThrows(IllegalStateException.class, () -> Checkpoint.save(file, model(46), bad, Map.of()));
    assertArrayEquals(before, Files.readAllBytes(file));
    assertEquals(List.of("model.ckpt"), listDir(dir));
  }

  @Test
  void savingIntoAMissingDirectoryFailsCleanly() {
    Path file = dir.resolve("no-such-dir").resolve("model.ckpt");
    assertThrows(IOException.class, () -> Checkpoint.save(file, model(47), null, Map.of()));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Byte layout, as documented
  // -------------------------------------------------------------------------------------------------------------

  @Test
  void theFileHasTheDocumentedLayout() throws IOException {
    Path file = dir.resolve("layout.ckpt");
    List<Parameter> params = model(50);
    OptimizerState state = adamState(51);
    Checkpoint.save(file, params, state, Map.of("k", "v"));
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

    assertEquals("EMB4JCKP", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
    assertEquals(1, bb.getInt(8));
    int h = bb.getInt(12);
    long dataStart = 16L + h;
    assertEquals(0, dataStart % 64, "tensor data starts on a 64-byte boundary");
    Map<?, ?> header = (Map<?, ?>) Json.parse(new String(bytes, 16, h, StandardCharsets.UTF_8));
    assertEquals("emb4j-checkpoint", header.get("format"));
    assertEquals(Map.of("k", "v"), header.get("metadata"));
    Map<?, ?> opt = (Map<?, ?>) header.get("optimizer");
    assertEquals("Adam", opt.get("kind"));
    assertEquals("NaN", ((Map<?, ?>) opt.get("scalars")).get("nan"));
    assertEquals(7.0, ((Map<?, ?>) opt.get("scalars")).get("step"));

    List<?> tensors = (List<?>) header.get("tensors");
    assertEquals(3 + 6, tensors.size());
    long expectedOffset = dataStart;
    for (Object o : tensors) {
      Map<?, ?> t = (Map<?, ?>) o;
      long rows = ((Double) t.get("rows")).longValue();
      long dim = ((Double) t.get("dim")).longValue();
      long offset = ((Double) t.get("offset")).longValue();
      long length = ((Double) t.get("length")).longValue();
      assertEquals("f32", t.get("dtype"));
      assertEquals(expectedOffset, offset);
      assertEquals(rows * dim * 4, length);
      String name = (String) t.get("name");
      RowStore source =
          t.get("role").equals("param")
              ? params.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().value()
              : state.slots().get(name);
      assertTrue(Set.of("param", "optimizer_slot").contains(t.get("role")), String.valueOf(t.get("role")));
      // row 0 col 0 and the last value, read straight from the file as little-endian float32
      assertEquals(Float.floatToRawIntBits(source.get(0, 0)), bb.getInt((int) offset));
      assertEquals(
          Float.floatToRawIntBits(source.get(rows - 1, (int) dim - 1)), bb.getInt((int) (offset + length - 4)));
      expectedOffset += length;
    }
    assertEquals(expectedOffset + 4, bytes.length, "the checksum is the last 4 bytes");
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    assertEquals((int) crc.getValue(), bb.getInt(bytes.length - 4));
    assertFalse(new String(bytes, 16, h, StandardCharsets.UTF_8).contains("\n"), "compact JSON");
  }
}
