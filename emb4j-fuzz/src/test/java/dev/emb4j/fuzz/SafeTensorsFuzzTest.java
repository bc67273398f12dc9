package dev.emb4j.fuzz;

import dev.emb4j.checkpoint.StateDict;
import dev.emb4j.io.SafeTensorsHeader;
import dev.emb4j.io.VectorFormat;
import dev.emb4j.io.VectorFormatException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The safetensors readers: as a vector file (see {@link Contracts#vectorsRoundTrip}), its header alone, and every
 * tensor as a PyTorch state_dict ({@link StateDict#readSafeTensors}); each rejects bad input with {@link
 * VectorFormatException}.
 */
class SafeTensorsFuzzTest {
  @Fuzz
  void safetensors(byte[] data) throws IOException {
    Contracts.vectorsRoundTrip(VectorFormat.SAFETENSORS, data);
    Path in = Contracts.file("state.safetensors", data);
    try {
      SafeTensorsHeader.read(in);
    } catch (VectorFormatException expected) {
      // rejected cleanly
    }
    try {
      StateDict.readSafeTensors(in);
    } catch (VectorFormatException expected) {
      // rejected cleanly
    }
  }
}
