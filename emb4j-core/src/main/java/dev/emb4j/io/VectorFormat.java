package dev.emb4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * The vector file formats emb4j reads and writes, each with its name on the command line and its usual file
 * extension.
 *
 * <table>
 *   <caption>Formats</caption>
 *   <tr><th>format</th><th>name</th><th>extension</th><th>tokens</th><th>dtypes written</th></tr>
 *   <tr><td>{@link #WORD2VEC_TEXT}</td><td>word2vec</td><td>.txt</td><td>required</td><td>text</td></tr>
 *   <tr><td>{@link #WORD2VEC_BINARY}</td><td>word2vec-bin</td><td>.bin</td><td>required</td><td>F32</td></tr>
 *   <tr><td>{@link #GLOVE}</td><td>glove</td><td>.txt (no header)</td><td>required</td><td>text</td></tr>
 *   <tr><td>{@link #FASTTEXT_VEC}</td><td>fasttext</td><td>.vec</td><td>required</td><td>text</td></tr>
 *   <tr><td>{@link #NPY}</td><td>npy</td><td>.npy</td><td>none</td><td>F32, F16</td></tr>
 *   <tr><td>{@link #SAFETENSORS}</td><td>safetensors</td><td>.safetensors</td><td>optional (in
 *       metadata)</td><td>F32, F16, BF16</td></tr>
 *   <tr><td>{@link #EMB4J}</td><td>emb4j</td><td>.emb4j</td><td>optional (inline)</td><td>F32, F16, BF16, INT8,
 *       INT4</td></tr>
 * </table>
 *
 * <p>A {@code .txt} file being read is word2vec text when its first line is {@code "<rows> <dim>"}, GloVe otherwise;
 * a {@code .txt} file being written is word2vec text.
 */
public enum VectorFormat {
  /** word2vec text: a {@code "<rows> <dim>"} header line, then {@code token v1 ... vD} per line. */
  WORD2VEC_TEXT("word2vec", ".txt", "word2vec text"),
  /** word2vec binary: a text header line, then per row the token, a space and D little-endian float32. */
  WORD2VEC_BINARY("word2vec-bin", ".bin", "word2vec binary"),
  /** GloVe text: {@code token v1 ... vD} per line, no header. */
  GLOVE("glove", ".txt", "GloVe text"),
  /** fastText {@code .vec}: word2vec text as fastText writes it (a space after the last value). */
  FASTTEXT_VEC("fasttext", ".vec", "fastText .vec"),
  /** NumPy {@code .npy}: one 2-D float32 or float16 array, C order; no tokens. */
  NPY("npy", ".npy", "NumPy .npy"),
  /** safetensors: named F32 / F16 / BF16 tensors and string metadata (Hugging Face, PyTorch). */
  SAFETENSORS("safetensors", ".safetensors", "safetensors"),
  /**
   * emb4j's own table: a checksummed header, rows from a 64-byte boundary (float32, float16, bfloat16 or row-wise
   * quantized int8 / int4), optional inline tokens.
   */
  EMB4J("emb4j", ".emb4j", "emb4j table");

  private final String cliName;
  private final String extension;
  private final String displayName;

  VectorFormat(String cliName, String extension, String displayName) {
    this.cliName = cliName;
    this.extension = extension;
    this.displayName = displayName;
  }

  /**
   * The name used on the command line ({@code --from}, {@code --to}).
   *
   * @return for example {@code "word2vec-bin"}
   */
  public String cliName() {
    return cliName;
  }

  /**
   * The usual file extension.
   *
   * @return for example {@code ".npy"}
   */
  public String extension() {
    return extension;
  }

  /**
   * A name for messages.
   *
   * @return for example {@code "NumPy .npy"}
   */
  public String displayName() {
    return displayName;
  }

  /**
   * Whether every row of this format has a token.
   *
   * @return true for the word2vec, GloVe and fastText formats
   */
  public boolean requiresTokens() {
    return this == WORD2VEC_TEXT || this == WORD2VEC_BINARY || this == GLOVE || this == FASTTEXT_VEC;
  }

  /**
   * Whether this format can store tokens at all.
   *
   * @return false for NumPy only
   */
  public boolean canHoldTokens() {
    return this != NPY;
  }

  /**
   * The format with the given command-line name.
   *
   * @param name for example {@code "glove"} (case-insensitive)
   * @return the format
   * @throws IllegalArgumentException if no format has that name (the message lists them)
   */
  public static VectorFormat fromName(String name) {
    for (VectorFormat f : values()) {
      if (f.cliName.equalsIgnoreCase(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown vector format '" + name + "'; known: " + names());
  }

  /** The command-line names, comma-separated. */
  static String names() {
    StringBuilder sb = new StringBuilder();
    for (VectorFormat f : values()) {
      sb.append(sb.isEmpty() ? "" : ", ").append(f.cliName);
    }
    return sb.toString();
  }

  /**
   * The format of an existing file, from its extension; a {@code .txt} file is word2vec text if its first line is a
   * {@code "<rows> <dim>"} header and GloVe otherwise.
   *
   * @param file the file
   * @return its format
   * @throws IllegalArgumentException if the extension is not one of the known ones
   * @throws IOException if a {@code .txt} file cannot be read
   */
  public static VectorFormat detect(Path file) throws IOException {
    VectorFormat f = byExtension(file);
    if (f != WORD2VEC_TEXT) {
      return f;
    }
    byte[] head = new byte[128];
    int n;
    try (var in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    }
    int start = n >= 3 && head[0] == (byte) 0xEF && head[1] == (byte) 0xBB && head[2] == (byte) 0xBF ? 3 : 0;
    int end = start;
    while (end < n && head[end] != '\n' && head[end] != '\r') {
      end++;
    }
    int sp = -1;
    for (int i = start; i < end; i++) {
      if (head[i] == ' ') {
        sp = i;
        break;
      }
    }
    boolean header =
        sp > start
            && TextVectorCodec.parseCount(head, start, sp) >= 0
            && TextVectorCodec.parseCount(head, sp + 1, trimEnd(head, sp + 1, end)) >= 0;
    return header ? WORD2VEC_TEXT : GLOVE;
  }

  private static int trimEnd(byte[] b, int from, int to) {
    while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
      to--;
    }
    return to;
  }

  /**
   * The format to write a file in, from its extension ({@code .txt} is word2vec text).
   *
   * @param file the file to be written
   * @return its format
   * @throws IllegalArgumentException if the extension is not one of the known ones
   */
  public static VectorFormat byExtension(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    for (VectorFormat f : values()) {
      if (f != GLOVE && name.endsWith(f.extension)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "cannot tell the format of '" + file + "' from its extension (known: .txt, .bin, .vec, .npy, .safetensors, "
            + ".emb4j); name it with --from / --to, one of: " + names());
  }

  /**
   * Opens a file of this format for reading row by row. Reads and checks the header only.
   *
   * @param file the file
   * @param options progress listener and, for safetensors, the tensor to read
   * @return a reader; close it when done
   * @throws VectorFormatException if the header is malformed
   * @throws IOException if the file cannot be read
   */
  public VectorReader open(Path file, VectorReadOptions options) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    return switch (this) {
      case WORD2VEC_TEXT, GLOVE, FASTTEXT_VEC -> TextVectorCodec.open(file, this, options);
      case WORD2VEC_BINARY -> Word2VecBinaryCodec.open(file, options);
      case NPY -> NpyCodec.open(file, options);
      case SAFETENSORS -> SafeTensorsCodec.open(file, options);
      case EMB4J -> Emb4jTableCodec.open(file, options);
    };
  }

  /**
   * Starts writing a file of this format, atomically (see {@link VectorWriter}).
   *
   * @param file the target; its directory must exist
   * @param rows the number of rows that will be written
   * @param dim the length of each row
   * @param withTokens whether each row comes with a token
   * @param options dtype, tensor name, metadata
   * @return a writer; call {@link VectorWriter#commit} after the last row, and close it in any case
   * @throws VectorFormatException if this format cannot hold such vectors (tokens missing or not allowed, a dtype it
   *     does not store: only {@link #EMB4J} holds the quantized types); nothing is created then
   * @throws IOException if the file cannot be created
   */
  public VectorWriter create(Path file, long rows, int dim, boolean withTokens, VectorWriteOptions options)
      throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    if (requiresTokens() && !withTokens) {
      throw VectorFormatException.inFile(
          file, displayName + " needs a token for every row, and these " + rows + " vectors have none");
    }
    if (!canHoldTokens() && withTokens) {
      throw VectorFormatException.inFile(
          file, displayName + " cannot hold tokens; drop them explicitly (--drop-tokens) or choose safetensors or emb4j");
    }
    if (options.dtype().quantized() && this != EMB4J) {
      throw VectorFormatException.inFile(
          file,
          displayName + " cannot hold " + options.dtype().label() + " rows (quantized row-wise, with a scale and a"
              + " bias per row); write an emb4j table (.emb4j)");
    }
    return switch (this) {
      case WORD2VEC_TEXT, GLOVE, FASTTEXT_VEC -> TextVectorCodec.create(file, this, rows, dim);
      case WORD2VEC_BINARY -> Word2VecBinaryCodec.create(file, rows, dim, options);
      case NPY -> NpyCodec.create(file, rows, dim, options);
      case SAFETENSORS -> SafeTensorsCodec.create(file, rows, dim, withTokens, options);
      case EMB4J -> Emb4jTableCodec.create(file, rows, dim, withTokens, options);
    };
  }
}
