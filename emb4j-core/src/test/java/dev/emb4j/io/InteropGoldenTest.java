package dev.emb4j.io;

import dev.emb4j.store.DType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.format.Json;
import dev.emb4j.store.Storage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files written by NumPy and PyTorch (tools/golden/generate_interop_goldens.py) read in Java: every value must equal
 * the one the writer stored. The same script checks the other direction (emb4j writes, NumPy / PyTorch read).
 */
class InteropGoldenTest {

  private static Path dir() throws URISyntaxException {
    return Path.of(InteropGoldenTest.class.getResource("/interop/expected.json").toURI()).getParent();
  }

  private static Map<?, ?> expected() throws IOException, URISyntaxException {
    return (Map<?, ?>) Json.parse(Files.readString(dir().resolve("expected.json")));
  }

  private static void assertValues(Map<?, ?> exp, Vectors v, String what) {
    List<?> shape = (List<?>) exp.get("shape");
    assertEquals(((Double) shape.get(0)).longValue(), v.size(), what + " rows");
    assertEquals(((Double) shape.get(1)).intValue(), v.dim(), what + " dim");
    List<?> values = (List<?>) exp.get("values");
    float[] got = v.table().toTensor().data();
    assertEquals(values.size(), got.length);
    for (int i = 0; i < got.length; i++) {
      assertEquals(((Double) values.get(i)).floatValue(), got[i], what + " value " + i);
      assertEquals((Double) values.get(i), (double) got[i], what + " value " + i + " is exact");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"f32_le.npy", "f32_be.npy", "f16_le.npy", "f16_be.npy"})
  void readsNumpyFiles(String name) throws Exception {
    Path f = dir().resolve(name);
    try (Vectors v = Vectors.read(f, VectorFormat.NPY, VectorReadOptions.DEFAULTS, Storage.OFF_HEAP)) {
      assertFalse(v.hasTokens());
      assertValues((Map<?, ?>) expected().get(name), v, name);
    }
    try (VectorReader r = VectorFormat.NPY.open(f, VectorReadOptions.DEFAULTS)) {
      assertEquals(name.startsWith("f16") ? DType.F16 : DType.F32, r.info().dtype());
    }
  }

  @Test
  void readsEveryTwoDimensionalTensorOfAPyTorchSafetensorsFile() throws Exception {
    Path f = dir().resolve("multi.safetensors");
    Map<?, ?> exp = (Map<?, ?>) expected().get("multi.safetensors");
    Map<?, ?> tensors = (Map<?, ?>) exp.get("tensors");
    assertEquals(3, tensors.size());
    for (Map.Entry<?, ?> e : tensors.entrySet()) {
      String name = (String) e.getKey();
      Vectors v = Vectors.read(f, VectorFormat.SAFETENSORS, VectorReadOptions.DEFAULTS.withTensor(name), Storage.HEAP);
      assertValues((Map<?, ?>) e.getValue(), v, name);
      assertEquals(exp.get("metadata"), v.metadata());
      try (VectorReader r = VectorFormat.SAFETENSORS.open(f, VectorReadOptions.DEFAULTS.withTensor(name))) {
        assertEquals(DType.valueOf((String) ((Map<?, ?>) e.getValue()).get("dtype")), r.info().dtype());
      }
    }
    SafeTensorsHeader h = SafeTensorsHeader.read(f);
    assertEquals(List.of("emb.weight", "emb_half", "emb_bf16", "bias", "step"), h.tensors().stream().map(SafeTensorsHeader.Tensor::name).toList());
    VectorFormatException several = assertThrows(VectorFormatException.class, () -> Vectors.read(f));
    assertTrue(several.getMessage().contains("several 2-D tensors [emb.weight, emb_half, emb_bf16]"), several.getMessage());
    VectorFormatException oneD =
        assertThrows(
            VectorFormatException.class,
            () -> Vectors.read(f, VectorFormat.SAFETENSORS, VectorReadOptions.DEFAULTS.withTensor("bias"), Storage.HEAP));
    assertTrue(oneD.getMessage().contains("shape [5]; vectors need 2 dimensions"), oneD.getMessage());
    VectorFormatException i64 =
        assertThrows(
            VectorFormatException.class,
            () -> Vectors.read(f, VectorFormat.SAFETENSORS, VectorReadOptions.DEFAULTS.withTensor("step"), Storage.HEAP));
    assertTrue(i64.getMessage().contains("dtype I64"), i64.getMessage());
  }
}
