package dev.emb4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.EmbeddingTable;
import dev.emb4j.nn.Initializer;
import dev.emb4j.optim.Adagrad;
import dev.emb4j.optim.OptimizerState;
import dev.emb4j.store.DType;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints of 16-bit tables: saved as their 16-bit patterns and restored bit for bit, or converted on request. */
class HalfPrecisionCheckpointTest {
  @TempDir Path dir;

  private static Embedding table(DType dtype, Storage storage, long seed) {
    return Embedding.builder(30, 9).dtype(dtype).storage(storage).sparse(true).initializer(Initializer.normal(seed))
        .build();
  }

  private static int[] bits(EmbeddingTable t) {
    float[] v = t.weightTensor().data();
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToRawIntBits(v[i]);
    }
    return b;
  }

  @Test
  void aSixteenBitTableAndItsOptimizerStateRoundTripBitForBit() throws IOException {
    for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
      for (Storage storage : List.of(Storage.HEAP, Storage.OFF_HEAP)) {
        Path file = dir.resolve(dtype + "-" + storage + ".ckpt");
        try (Embedding a = table(dtype, storage, 1);
            Embedding b = table(dtype, storage, 2)) {
          Adagrad opt = new Adagrad(List.of(a.weightParameter()), Adagrad.Config.builder().lr(0.3).build());
          IndexTensor ids = IndexTensor.of(1, 4, 4, 29);
          float[] grad = new float[4 * 9];
          java.util.Arrays.fill(grad, 0.7f);
          a.backward(ids, FloatTensor.wrap(a.lookup(ids).shape(), grad));
          opt.step();
          Checkpoint.save(file, List.of(a.weightParameter()), opt.exportState(), Map.of());
          assertEquals(16 + headerBytes(file) + 30 * 9 * 2 + 30 * 9 * 4 + 4, Files.size(file), "sizes of " + file);
          OptimizerState state = Checkpoint.load(file, List.of(b.weightParameter()));
          assertArrayEquals(bits(a), bits(b), dtype + ", " + storage);
          assertEquals(1.0, state.scalars().get("weight/step"));
          Checkpoint.Contents c = Checkpoint.read(file);
          assertEquals(dtype, c.parameters().get("weight").dtype(), "read keeps the dtype");
          assertEquals(DType.F32, c.optimizer().slots().get("weight/sum").dtype(), "optimizer state stays float32");
        }
      }
    }
  }

  /** The header length H of a checkpoint: its int32 at byte 12. */
  private static int headerBytes(Path file) throws IOException {
    byte[] head = Files.readAllBytes(file);
    return java.nio.ByteBuffer.wrap(head, 12, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
  }

  @Test
  void aSixteenBitCheckpointLoadsIntoAFloat32TableExactlyAndTheOtherWayRoundToNearest() throws IOException {
    Path file = dir.resolve("bf16.ckpt");
    try (Embedding h = table(DType.BF16, Storage.HEAP, 3);
        Embedding f = table(DType.F32, Storage.HEAP, 4)) {
      Checkpoint.save(file, List.of(h.weightParameter()), null, Map.of());
      String header = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(header.contains("\"dtype\":\"bf16\""), "the header names the dtype");
      Checkpoint.load(file, List.of(f.weightParameter()));
      assertArrayEquals(h.weightTensor().data(), f.weightTensor().data());
    }
    Path f32 = dir.resolve("f32.ckpt");
    try (Embedding f = table(DType.F32, Storage.HEAP, 5);
        Embedding h = table(DType.F16, Storage.OFF_HEAP, 6)) {
      Checkpoint.save(f32, List.of(f.weightParameter()), null, Map.of());
      Checkpoint.load(f32, List.of(h.weightParameter()));
      float[] want = f.weightTensor().data();
      float[] got = h.weightTensor().data();
      for (int i = 0; i < want.length; i++) {
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(want[i])), got[i], "value " + i);
      }
    }
  }
}
