package dev.emb4j.checkpoint;

import static dev.emb4j.checkpoint.CheckpointTest.assertUnchanged;
import static dev.emb4j.checkpoint.CheckpointTest.fill;
import static dev.emb4j.checkpoint.CheckpointTest.model;
import static dev.emb4j.checkpoint.CheckpointTest.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.emb4j.nn.DenseParameter;
import dev.emb4j.nn.Parameter;
import dev.emb4j.optim.OptimizerState;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowInit;
import dev.emb4j.store.RowStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Damaged checkpoint files: each is rejected with a {@link CheckpointFormatException} and loads nothing. */
class CheckpointCorruptionTest {

  @TempDir Path dir;

  private Path file;
  private byte[] good;
  private int headerLength;
  private long dataStart;

  @BeforeEach
  void saveAGoodCheckpoint() throws IOException {
    file = dir.resolve("model.ckpt");
    Checkpoint.save(file, model(1), CheckpointTest.adamState(2), Map.of("epoch", "3"));
    good = Files.readAllBytes(file);
    headerLength = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
    dataStart = 16L + headerLength;
  }

  /**
   * Writes {@code bytes} as the checkpoint, checks that both {@link Checkpoint#read} and {@link Checkpoint#load}
   * reject it with a message that names the file, that load changed no parameter, and returns the message.
   */
  private String rejected(byte[] bytes) throws IOException {
    Files.write(file, bytes);
    List<Parameter> target = model(99);
    List<int[]> before = snapshot(target);
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.load(file, target));
    assertUnchanged(before, target);
    assertTrue(e.getMessage().startsWith("checkpoint " + file + " "), e.getMessage());
    assertEquals(file, e.file());
    CheckpointFormatException r = assertThrows(CheckpointFormatException.class, () -> Checkpoint.read(file));
    assertEquals(e.getMessage(), r.getMessage());
    return e.getMessage();
  }

  private static void assertContains(String message, String part) {
    assertTrue(message.contains(part), () -> "expected \"" + part + "\" in: " + message);
  }

  private static int indexOf(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError(needle + " not found");
  }

  @Test
  void theGoodFileLoads() throws IOException {
    List<Parameter> target = model(99);
    Checkpoint.load(file, target);
    assertUnchanged(snapshot(model(1)), target);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Truncation
  // -------------------------------------------------------------------------------------------------------------

  @Test
  void truncatedAtEveryKindOfCutPointIsRejected() throws IOException {
    long[] cuts = {
      0, 1, 7, 8, 11, 12, 15, 16, 17, dataStart / 2, dataStart - 1, dataStart, dataStart + 1, dataStart + 60,
      good.length / 2, good.length - 5, good.length - 4, good.length - 3, good.length - 1
    };
    for (long cut : cuts) {
      String m = rejected(Arrays.copyOf(good, (int) cut));
      assertContains(m, "is truncated");
      assertContains(m, "file ends at " + cut);
    }
  }

  @Test
  void truncationMessagesSayWhatIsMissing() throws IOException {
    assertContains(rejected(new byte[0]), "expected a 16-byte preamble");
    assertContains(rejected(Arrays.copyOf(good, 10)), "expected a 16-byte preamble (magic, version, header length), file ends at 10");
    assertContains(
        rejected(Arrays.copyOf(good, 100)),
        "is truncated: expected " + headerLength + " bytes of header at offset 16, file ends at 100");
    // fc1.weight is the first tensor: 5 x 3 floats = 60 bytes at the data start
    assertContains(
        rejected(Arrays.copyOf(good, (int) dataStart + 10)),
        "is truncated: expected 60 bytes of tensor 'fc1.weight' at offset " + dataStart + ", file ends at "
            + (dataStart + 10));
    assertContains(
        rejected(Arrays.copyOf(good, good.length - 2)),
        "is truncated: expected the 4-byte checksum at offset " + (good.length - 4) + ", file ends at "
            + (good.length - 2));
  }

  @Test
  void trailingBytesAreRejected() throws IOException {
    byte[] longer = Arrays.copyOf(good, good.length + 3);
    assertContains(rejected(longer), "has 3 unexpected bytes after its checksum");
  }

  // -------------------------------------------------------------------------------------------------------------
  // Flipped bytes
  // -------------------------------------------------------------------------------------------------------------

  private byte[] flipped(long at, int mask) {
    byte[] b = good.clone();
    b[(int) at] ^= (byte) mask;
    return b;
  }

  @Test
  void aFlippedByteInTheDataFailsTheChecksum() throws IOException {
    String m = rejected(flipped(dataStart + 123, 0x10));
    assertTrue(m.matches(".*is corrupt: checksum mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}.*"), m);
  }

  @Test
  void aFlippedByteInTheChecksumFailsTheChecksum() throws IOException {
    int stored = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(good.length - 4);
    String m = rejected(flipped(good.length - 4, 0x01));
    assertContains(m, String.format("checksum mismatch: stored 0x%08x, computed 0x%08x", stored ^ 1, stored));
  }

  @Test
  void aFlippedByteInATensorNameFailsTheChecksum() throws IOException {
    // "fc1.weight" -> "fc1.weighu": still valid JSON, same shapes: only the checksum can tell
    int at = indexOf(good, "fc1.weight") + "fc1.weigh".length();
    assertContains(rejected(flipped(at, 0x01)), "checksum mismatch");
  }

  @Test
  void aFlippedByteInAShapeIsRejected() throws IOException {
    int at = indexOf(good, "\"rows\":5") + "\"rows\":".length(); // '5' -> '4'
    assertContains(rejected(flipped(at, 0x01)), "has a corrupted header: tensor 'fc1.weight' has length 60, but 4 x 3");
  }

  @Test
  void aFlippedByteInTheJsonSyntaxIsRejected() throws IOException {
    assertContains(rejected(flipped(16, 0x01)), "has a corrupted header: JSON error at offset 0");
  }

  @Test
  void aFlippedByteInTheHeaderLengthIsRejected() throws IOException {
    rejected(flipped(12, 0x01));
    rejected(flipped(12, 0x40));
    assertContains(rejected(flipped(15, 0x80)), "header length -");
    assertContains(rejected(flipped(14, 0x01)), "is truncated: expected"); // 65536 more bytes of header than the file has
  }

  /** Every single-bit error anywhere in a small checkpoint is caught, and nothing is loaded. */
  @ParameterizedTest
  @ValueSource(ints = {0x01, 0x04, 0x20, 0x80})
  void everySingleBitFlipIsDetected(int mask) throws IOException {
    DenseParameter w = new DenseParameter("w", 3, 2);
    DenseParameter b = new DenseParameter("b", 1, 3);
    fill(w.value(), 5);
    fill(b.value(), 6);
    HeapRowStore slot = HeapRowStore.allocate(3, 2);
    fill(slot, 7);
    Path small = dir.resolve("small.ckpt");
    Checkpoint.save(
        small, List.of(w, b), new OptimizerState("Adam", Map.of("step", 2.0), Map.of("w/exp_avg", slot)),
        Map.of("m", "x"));
    byte[] ok = Files.readAllBytes(small);

    List<Parameter> target = List.of(new DenseParameter("w", 3, 2), new DenseParameter("b", 1, 3));
    List<int[]> before = snapshot(target);
    for (int i = 0; i < ok.length; i++) {
      byte[] bad = ok.clone();
      bad[i] ^= (byte) mask;
      Files.write(small, bad);
      try {
        Checkpoint.load(small, target);
        fail("a flipped bit (mask 0x" + Integer.toHexString(mask) + ") at byte " + i + " was not detected");
      } catch (CheckpointFormatException expected) {
        assertTrue(expected.getMessage().startsWith("checkpoint " + small + " "), expected.getMessage());
      }
      assertUnchanged(before, target);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Not a checkpoint, other versions
  // -------------------------------------------------------------------------------------------------------------

  @Test
  void aWrongMagicIsRejected() throws IOException {
    assertContains(rejected(flipped(0, 0x01)), "is not an emb4j checkpoint: it starts with 0x44");
    assertContains(
        rejected("hello, world\n".getBytes(StandardCharsets.US_ASCII)),
        "is not an emb4j checkpoint: it starts with 0x68656c6c6f2c2077, not the magic bytes \"EMB4JCKP\"");
    assertContains(rejected(new byte[] {'E', 'M', 'X'}), "is not an emb4j checkpoint");
  }

  @Test
  void anUnknownVersionIsRejected() throws IOException {
    byte[] b = good.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 999);
    assertContains(rejected(b), "has format version 999, but this library reads only version 1");
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0);
    assertContains(rejected(b), "has format version 0");
  }

  // -------------------------------------------------------------------------------------------------------------
  // Headers that are wrong but carry a valid checksum (a buggy writer rather than a damaged disk)
  // -------------------------------------------------------------------------------------------------------------

  private static final int CRAFTED_HEADER = 496; // data starts at 512

  /** A file with the given header (padded to {@link #CRAFTED_HEADER} bytes), data and a correct checksum. */
  private static byte[] craft(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return craft(Arrays.copyOf(h, Math.max(h.length, CRAFTED_HEADER)), h.length, dataBytes);
  }

  private static byte[] craft(byte[] header, int used, int dataBytes) {
    Arrays.fill(header, used, header.length, (byte) ' ');
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer pre = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    pre.put("EMB4JCKP".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(header.length);
    out.writeBytes(pre.array());
    out.writeBytes(header);
    out.writeBytes(new byte[dataBytes]);
    CRC32C crc = new CRC32C();
    crc.update(out.toByteArray());
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }

  private static String tensor(String name, String role, String dtype, Object rows, Object dim, Object offset, Object length) {
    return "{\"name\":\"" + name + "\",\"role\":\"" + role + "\",\"dtype\":\"" + dtype + "\",\"rows\":" + rows
        + ",\"dim\":" + dim + ",\"offset\":" + offset + ",\"length\":" + length + "}";
  }

  private static final String OPT = "\"optimizer\":{\"kind\":\"Adam\",\"scalars\":{\"step\":1}}";

  @Test
  void aCraftedValidHeaderLoads() throws IOException {
    // The crafting helper itself is right: a well-formed header with two tensors reads back.
    byte[] b =
        craft(
            "{\"tensors\":[" + tensor("w", "param", "f32", 2, 3, 512, 24) + ","
                + tensor("w/m", "optimizer_slot", "f32", 1, 1, 536, 4) + "]," + OPT + ",\"future\":[1,2]}",
            28);
    Files.write(file, b);
    Checkpoint.Contents c = Checkpoint.read(file);
    assertEquals(2, c.parameters().get("w").rows());
    RowStore slot = c.optimizer().slots().get("w/m");
    assertEquals(1, slot.rows());
    assertEquals(Map.of("step", 1.0), c.optimizer().scalars());
    assertTrue(c.metadata().isEmpty());
  }

  /** A lazy tensor of 10 x 2 whose header says it saves {@code saved} rows, its bitmap word {@code word}. */
  private static byte[] lazyTensor(int saved, long word) {
    String lazy = "\"lazy_init\":{\"distribution\":\"normal\",\"a\":0,\"b\":1,\"seed\":\"5\"}";
    String t = tensor("w", "param", "f32", 10, 2, 512, 8 + saved * 8);
    byte[] b =
        craft(
            "{\"tensors\":[" + t.substring(0, t.length() - 1) + "," + lazy + ",\"initialized_rows\":" + saved + "}]}",
            8 + saved * 8);
    ByteBuffer.wrap(b, 512, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(word);
    CRC32C crc = new CRC32C();
    crc.update(b, 0, b.length - 4);
    ByteBuffer.wrap(b, b.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
    return b;
  }

  @Test
  void aLazyTensorsBitmapMustMarkItsSavedRowsAndNoRowPastTheLast() throws IOException {
    Files.write(file, lazyTensor(1, 0b100));
    RowStore w = Checkpoint.read(file).parameters().get("w");
    float[] drawn = new float[2];
    RowInit.normal(0, 1, 5).fill(0, drawn, 0, 2);
    assertEquals(drawn[1], w.get(0, 1), "a row never touched: its initial values");
    assertEquals(0f, w.get(2, 1), "the saved row");
    assertContains(
        rejectedByRead(lazyTensor(2, 0b100)),
        "the bitmap of tensor 'w' does not mark the 2 rows its \"initialized_rows\"");
    assertContains(rejectedByRead(lazyTensor(1, 1L << 12)), "the bitmap of tensor 'w' does not mark the 1 rows");
  }

  private String rejectedByRead(byte[] bytes) throws IOException {
    Files.write(file, bytes);
    return assertThrows(CheckpointFormatException.class, () -> Checkpoint.read(file)).getMessage();
  }

  @Test
  void structurallyWrongHeadersAreRejected() throws IOException {
    String[][] cases = {
      {"[]", "the header is an array, expected an object"},
      {"{}", "\"tensors\" is missing or null, expected an array"},
      {"{\"tensors\":{}}", "\"tensors\" is an object, expected an array"},
      {"{\"tensors\":[1]}", "tensor 0 is the number 1.0, expected an object"},
      {"{\"tensors\":[" + tensor("w", "param", "f64", 2, 3, 512, 24) + "]}", "unsupported dtype \"f64\""},
      {"{\"tensors\":[" + tensor("w", "grad", "f32", 2, 3, 512, 24) + "]}", "unknown role \"grad\""},
      {"{\"tensors\":[" + tensor("", "param", "f32", 2, 3, 512, 24) + "]}", "tensor 0 has an empty name"},
      {"{\"tensors\":[" + tensor("w", "param", "f32", 2, 3, 512, 20) + "]}", "has length 20, but 2 x 3 floats take 24"},
      {"{\"tensors\":[" + tensor("w", "param", "f32", 2, 3, 516, 24) + "]}", "is at offset 516, expected 512"},
      {"{\"tensors\":[" + tensor("w", "param", "f32", 1.5, 3, 512, 24) + "]}", "\"rows\" is 1.5, expected an integer"},
      {"{\"tensors\":[" + tensor("w", "param", "f32", -2, 3, 512, 24) + "]}", "\"rows\" is -2.0"},
      {"{\"tensors\":[" + tensor("w", "param", "f32", 2, 0, 512, 0) + "]}", "\"dim\" is 0.0"},
      {"{\"tensors\":[" + tensor("w", "param", "f32", 2, "\"3\"", 512, 24) + "]}", "\"dim\" is the string \"3\""},
      {"{\"tensors\":[" + tensor("w", "param", "f32", 9007199254740992L, 2147483647, 512, 24) + "]}",
        "has a corrupted header: tensor 'w' has a shape 9007199254740992 x 2147483647 that is too large"},
      {"{\"tensors\":[" + tensor("w", "param", "f32", 1e300, 3, 512, 24) + "]}", "\"rows\" is 1.0E300"},
      {"{\"tensors\":[" + tensor("w", "param", "f32", 1, 1, 512, 4) + "," + tensor("w", "param", "f32", 1, 1, 516, 4)
          + "]}", "two tensors of role param are named 'w'"},
      {"{\"tensors\":[" + tensor("w/m", "optimizer_slot", "f32", 1, 1, 512, 4) + "]}",
        "it has optimizer slots but no \"optimizer\""},
      {"{\"tensors\":[],\"optimizer\":{\"kind\":\"\",\"scalars\":{}}}", "the optimizer kind is empty"},
      {"{\"tensors\":[],\"optimizer\":{\"kind\":\"Adam\"}}", "the optimizer \"scalars\" is missing or null"},
      {"{\"tensors\":[],\"optimizer\":{\"kind\":\"Adam\",\"scalars\":{\"lr\":\"fast\"}}}",
        "optimizer scalar \"lr\" is the string \"fast\", expected a number"},
      {"{\"tensors\":[],\"metadata\":{\"epoch\":3}}", "metadata \"epoch\" is the number 3.0, expected a string"},
      {"{\"tensors\":[],\"metadata\":[]}", "\"metadata\" is an array, expected an object"},
      {"{\"tensors\":[]} x", "JSON error at offset 15"},
      {"{\"tensors\":[],\"tensors\":[]}", "duplicate member name"},
    };
    for (String[] c : cases) {
      String m = rejected(craft(c[0], 0)); // the header is checked before the file size
      assertContains(m, "has a corrupted header: ");
      assertContains(m, c[1]);
    }
  }

  @Test
  void aHeaderThatIsNotUtf8IsRejected() throws IOException {
    byte[] h = "{\"tensors\":[],\"metadata\":{\"k\":\"  \"}}".getBytes(StandardCharsets.US_ASCII);
    byte[] header = Arrays.copyOf(h, CRAFTED_HEADER);
    header[h.length - 4] = (byte) 0xff;
    assertContains(rejected(craft(header, h.length, 0)), "has a corrupted header: it is not valid UTF-8");
  }

  @Test
  void aHeaderLengthBeyondTheFileIsTruncation() throws IOException {
    byte[] b = good.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(12, good.length);
    assertContains(rejected(b), "is truncated: expected " + good.length + " bytes of header at offset 16");
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 1);
    assertContains(rejected(b), "header length 1 is out of range");
  }
}
