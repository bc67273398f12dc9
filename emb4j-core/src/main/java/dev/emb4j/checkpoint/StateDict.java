package dev.emb4j.checkpoint;

import dev.emb4j.store.DType;
import dev.emb4j.io.SafeTensorsHeader;
import dev.emb4j.io.VectorFormatException;
import dev.emb4j.nn.Model;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's parameters saved and loaded by name, as PyTorch's {@code state_dict}: the keys are the full dotted names
 * of {@link Model#namedParameters()} ({@code embedding.weight}, {@code fc1.weight}, {@code fc1.bias}, ...), so a
 * state dict saved by PyTorch with safetensors loads into the same model written with emb4j.
 *
 * <pre>{@code
 * // Python: safetensors.torch.save_file(model.state_dict(), "model.safetensors")
 * SimpleClassifier model = new SimpleClassifier(20, 6, 8, 3);
 * StateDict.load(Path.of("model.safetensors"), model);     // outputs now equal PyTorch's
 * StateDict.save(Path.of("model.ckpt"), model);            // an emb4j checkpoint; StateDict.load reads it back
 * }</pre>
 *
 * <p>Loading checks everything before it writes: every key of the model must be in the file with a fitting shape,
 * and (strict, the default, as PyTorch's {@code load_state_dict(strict=True)}) the file must hold no other key. The
 * message of the {@link IllegalArgumentException} lists every missing key, every unexpected key and every shape
 * mismatch, and no parameter changes then. A bias saved as {@code [n]} fits emb4j's {@code [n]} bias; values of any
 * safetensors number type are converted to float32 as PyTorch's {@code copy_} converts them.
 */
public final class StateDict {
  private static final byte[] CHECKPOINT_MAGIC = "EMB4JCKP".getBytes(StandardCharsets.US_ASCII);

  private StateDict() {}

  /**
   * Saves the parameters of {@code model} by name to an emb4j checkpoint (atomically; see {@link Checkpoint}), without
   * an optimizer state.
   *
   * @throws IOException if the file cannot be written; a file already there is then unchanged
   */
  public static void save(Path file, Model model) throws IOException {
    Checkpoint.save(file, model.parameters(), null, Map.of());
  }

  /** {@link #load(Path, Model, boolean) load(file, model, true)}. */
  public static void load(Path file, Model model) throws IOException {
    load(file, model, true);
  }

  /**
   * Copies the values saved in {@code file}, an emb4j checkpoint (recognised by its magic) or a safetensors file, into
   * the parameters of {@code model} with the same names.
   *
   * @param strict whether a key of the file that the model does not have is an error
   * @throws IllegalArgumentException if the file does not fit the model (the message lists every mismatch); nothing
   *     has changed then
   * @throws IOException if the file cannot be read or is not a valid checkpoint or safetensors file
   */
  public static void load(Path file, Model model, boolean strict) throws IOException {
    Objects.requireNonNull(model, "model");
    if (isCheckpoint(file)) {
      Checkpoint.load(file, model.parameters(), strict);
      return;
    }
    Map<String, FloatTensor> state = readSafeTensors(file);
    try {
      model.loadStateDict(state, strict);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static boolean isCheckpoint(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(CHECKPOINT_MAGIC.length);
      int read = 0;
      while (head.hasRemaining() && read >= 0) {
        read = ch.read(head);
      }
      return !head.hasRemaining() && Arrays.equals(head.array(), CHECKPOINT_MAGIC);
    }
  }

  /**
   * Every tensor of a safetensors file by name, in file order, as float32 (F32 as is; F16, BF16 and F64 rounded to
   * nearest; the signed integer types, U8 and BOOL converted), each with its shape.
   *
   * @throws VectorFormatException if the file is not valid safetensors, or a tensor has a type emb4j cannot read or
   *     more elements than one Java array holds (the message names the tensor)
   * @throws IOException if the file cannot be read
   */
  public static Map<String, FloatTensor> readSafeTensors(Path file) throws IOException {
    SafeTensorsHeader header = SafeTensorsHeader.read(file);
    long dataStart = 8 + header.headerLength();
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (SafeTensorsHeader.Tensor t : header.tensors()) {
        Shape shape = shapeOf(file, t);
        int n = Math.toIntExact(shape.numel());
        int size = elementBytes(file, t);
        ByteBuffer raw = ByteBuffer.allocate(Math.multiplyExact(n, size)).order(ByteOrder.LITTLE_ENDIAN);
        long at = dataStart + t.begin();
        while (raw.hasRemaining()) {
          if (ch.read(raw, at + raw.position()) < 0) {
            throw VectorFormatException.atOffset(file, at + raw.position(), "file ends inside tensor '" + t.name() + "'");
          }
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
          values[i] = decode(t.dtype(), t.floatType(), raw, i * size);
        }
        out.put(t.name(), FloatTensor.wrap(shape, values));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private static Shape shapeOf(Path file, SafeTensorsHeader.Tensor t) throws VectorFormatException {
    List<Long> dims = t.shape();
    int[] d = new int[dims.size()];
    long n = 1;
    for (int i = 0; i < d.length; i++) {
      long v = dims.get(i);
      n *= v;
      if (v > Integer.MAX_VALUE || n > Integer.MAX_VALUE - 8) {
        throw VectorFormatException.inFile(
            file, "tensor '" + t.name() + "' of shape " + dims + " has more elements than one Java array holds");
      }
      d[i] = (int) v;
    }
    return Shape.of(d);
  }

  private static int elementBytes(Path file, SafeTensorsHeader.Tensor t) throws VectorFormatException {
    return switch (t.dtype()) {
      case "F64", "I64" -> 8;
      case "F32", "I32" -> 4;
      case "F16", "BF16", "I16" -> 2;
      case "I8", "U8", "BOOL" -> 1;
      default ->
          throw VectorFormatException.inFile(
              file, "tensor '" + t.name() + "' has dtype " + t.dtype() + ", which emb4j cannot convert to float32");
    };
  }

  private static float decode(String dtype, DType floatType, ByteBuffer b, int at) {
    if (floatType != null) {
      int bits = floatType.bytes() == 4 ? b.getInt(at) : b.getShort(at) & 0xFFFF;
      return floatType.decode(bits);
    }
    return switch (dtype) {
      case "F64" -> (float) b.getDouble(at);
      case "I64" -> (float) b.getLong(at);
      case "I32" -> (float) b.getInt(at);
      case "I16" -> b.getShort(at);
      case "I8" -> b.get(at);
      case "U8", "BOOL" -> b.get(at) & 0xFF;
      default -> throw new AssertionError("dtype " + dtype + " passed elementBytes");
    };
  }
}
