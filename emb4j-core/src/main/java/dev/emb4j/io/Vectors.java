package dev.emb4j.io;

import dev.emb4j.store.DType;
import dev.emb4j.store.QuantizedRowStore;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A set of pretrained vectors in memory: a {@code (V, D)} table of floats and, for most formats, one token per row.
 *
 * <pre>{@code
 * try (Vectors glove = Vectors.read(Path.of("glove.6B.50d.txt"))) {
 *   float[] king = glove.vector("king");
 *   glove.write(Path.of("glove.safetensors"));     // format from the extension
 * }
 * }</pre>
 *
 * <p>Reading streams the file through a small buffer into a {@link RowStore} of the caller's choice ({@link
 * Storage#OFF_HEAP} keeps a multi-gigabyte table off the Java heap); to convert between formats without holding the
 * table at all, use {@link VectorFiles#convert}. The rows are the caller's to change; the tokens are fixed. Files of
 * every dtype are read as float32; an emb4j table of quantized rows can also be kept quantized ({@link
 * #readQuantized}), and a {@link QuantizedRowStore} is written with its bytes as they are.
 */
public final class Vectors implements AutoCloseable {
  private final List<String> tokens;
  private final Map<String, Integer> ids;
  private final RowStore table;
  private final Map<String, String> metadata;

  private Vectors(List<String> tokens, Map<String, Integer> ids, RowStore table, Map<String, String> metadata) {
    this.tokens = tokens;
    this.ids = ids;
    this.table = table;
    this.metadata = metadata;
  }

  /**
   * Vectors over the given table (not copied) with the given tokens.
   *
   * @param tokens one distinct non-null token per row, or null for vectors without tokens
   * @param table the rows
   * @return the vectors
   * @throws IllegalArgumentException if the token count differs from the row count, or a token is null or repeated
   */
  public static Vectors of(List<String> tokens, RowStore table) {
    Objects.requireNonNull(table, "table");
    if (tokens == null) {
      return new Vectors(null, null, table, Map.of());
    }
    if (tokens.size() != table.rows()) {
      throw new IllegalArgumentException(tokens.size() + " tokens for a table of " + table.rows() + " rows");
    }
    List<String> copy = List.copyOf(tokens);
    Map<String, Integer> ids = new HashMap<>(copy.size() * 2);
    for (int i = 0; i < copy.size(); i++) {
      Integer prev = ids.putIfAbsent(copy.get(i), i);
      if (prev != null) {
        throw new IllegalArgumentException("duplicate token '" + copy.get(i) + "' at rows " + prev + " and " + i);
      }
    }
    return new Vectors(copy, ids, table, Map.of());
  }

  /**
   * Reads a file whose format is known from its extension (see {@link VectorFormat#detect}) onto the heap.
   *
   * @param file the file
   * @return the vectors
   * @throws VectorFormatException if the file is malformed (the message names the line or byte offset)
   * @throws IOException if it cannot be read
   */
  public static Vectors read(Path file) throws IOException {
    return read(file, VectorFormat.detect(file), VectorReadOptions.DEFAULTS, Storage.HEAP);
  }

  /**
   * Reads a file of the given format into a new store.
   *
   * @param file the file
   * @param format its format
   * @param options progress listener, safetensors tensor
   * @param storage where the rows go
   * @return the vectors; close them to free an off-heap store
   * @throws VectorFormatException if the file is malformed (nothing is returned then)
   * @throws IOException if it cannot be read
   */
  public static Vectors read(Path file, VectorFormat format, VectorReadOptions options, Storage storage)
      throws IOException {
    try (VectorReader in = format.open(file, options)) {
      VectorInfo info = in.info();
      if (info.rows() > Integer.MAX_VALUE - 8 && info.hasTokens()) {
        throw VectorFormatException.inFile(file, info.rows() + " tokens are more than one list can hold");
      }
      RowStore table = storage.allocate(info.rows(), info.dim());
      try {
        float[] row = new float[info.rows() == 0 ? 0 : info.dim()]; // a header may promise no rows of any width
        List<String> tokens = info.hasTokens() ? new ArrayList<>((int) info.rows()) : null;
        Map<String, Integer> ids = info.hasTokens() ? new HashMap<>((int) Math.min(info.rows() * 2, 1 << 30)) : null;
        for (long r = 0; r < info.rows(); r++) {
          String t = in.next(row);
          table.writeRow(r, row, 0);
          if (tokens != null) {
            tokens.add(t);
            ids.put(t, (int) r); // the reader already rejected duplicates
          }
        }
        return new Vectors(
            tokens == null ? null : Collections.unmodifiableList(tokens),
            ids,
            table,
            Collections.unmodifiableMap(new LinkedHashMap<>(info.metadata())));
      } catch (IOException | RuntimeException e) {
        table.close();
        throw e;
      }
    }
  }

  /**
   * Reads an emb4j table of {@link DType#INT8} or {@link DType#INT4} rows as they are stored (not decoded and quantized
   * again) into a {@link QuantizedRowStore}, read-only and for inference (close the vectors to free it).
   *
   * @param file an emb4j table ({@code .emb4j}) of quantized rows
   * @param options progress listener
   * @return the vectors, their table a {@link QuantizedRowStore}
   * @throws VectorFormatException if the file is malformed or its rows are not quantized (read it with {@link #read}
   *     then)
   * @throws IOException if it cannot be read
   */
  public static Vectors readQuantized(Path file, VectorReadOptions options) throws IOException {
    try (Emb4jTableCodec.Reader in = (Emb4jTableCodec.Reader) VectorFormat.EMB4J.open(file, options)) {
      VectorInfo info = in.info();
      if (!info.dtype().quantized()) {
        throw VectorFormatException.inFile(
            file, "holds " + info.dtype().label() + " rows, not quantized ones; read it with Vectors.read");
      }
      if (info.rows() > Integer.MAX_VALUE - 8 && info.hasTokens()) {
        throw VectorFormatException.inFile(file, info.rows() + " tokens are more than one list can hold");
      }
      long rowBytes = info.dtype().rowBytes(info.dim());
      List<String> tokens = info.hasTokens() ? new ArrayList<>((int) info.rows()) : null;
      QuantizedRowStore table =
          QuantizedRowStore.read(
              info.dtype(),
              info.rows(),
              info.dim(),
              rows -> {
                for (long r = 0; r < info.rows(); r++) {
                  String t = in.readEncoded(rows.asSlice(r * rowBytes, rowBytes));
                  if (tokens != null) {
                    tokens.add(t);
                  }
                }
              });
      Vectors v = of(tokens, table);
      return new Vectors(v.tokens, v.ids, v.table, Collections.unmodifiableMap(new LinkedHashMap<>(info.metadata())));
    }
  }

  /**
   * Writes these vectors to {@code file} in the format its extension names, atomically.
   *
   * @param file the target
   * @throws VectorFormatException if the format cannot hold these vectors (no file is left behind)
   * @throws IOException if the file cannot be written
   */
  public void write(Path file) throws IOException {
    write(file, VectorFormat.byExtension(file), VectorWriteOptions.DEFAULTS);
  }

  /**
   * Writes these vectors in {@code format}, atomically: on any error nothing is left at {@code file} (an earlier file
   * there stays as it was).
   *
   * @param file the target
   * @param format the format
   * @param options dtype, tensor name, metadata
   * @throws VectorFormatException if the format cannot hold these vectors
   * @throws IOException if the file cannot be written
   */
  public void write(Path file, VectorFormat format, VectorWriteOptions options) throws IOException {
    try (VectorWriter out = format.create(file, table.rows(), table.dim(), tokens != null, options)) {
      if (table instanceof QuantizedRowStore q && q.dtype() == options.dtype()) {
        // the rows as they are: decoding and quantizing again would not give the same bytes
        MemorySegment rows = q.prepacked();
        long rowBytes = q.dtype().rowBytes(q.dim());
        for (long r = 0; r < table.rows(); r++) {
          ((BaseVectorWriter) out)
              .writeEncodedRow(tokens == null ? null : tokens.get((int) r), rows.asSlice(r * rowBytes, rowBytes));
        }
      } else {
        float[] row = new float[table.dim()];
        for (long r = 0; r < table.rows(); r++) {
          table.readRow(r, row, 0);
          out.write(tokens == null ? null : tokens.get((int) r), row);
        }
      }
      out.commit();
    }
  }

  /**
   * Whether each row has a token.
   *
   * @return false for files such as NumPy arrays
   */
  public boolean hasTokens() {
    return tokens != null;
  }

  /**
   * The tokens, row by row.
   *
   * @return an unmodifiable list, empty when the vectors have no tokens
   */
  public List<String> tokens() {
    return tokens == null ? List.of() : tokens;
  }

  /**
   * The row of a token.
   *
   * @param token the token
   * @return its row, or -1 when it is not among the tokens (or there are none)
   */
  public long indexOf(String token) {
    if (ids == null) {
      return -1;
    }
    Integer id = ids.get(token);
    return id == null ? -1 : id;
  }

  /**
   * A copy of a token's vector.
   *
   * @param token the token
   * @return its values
   * @throws IllegalArgumentException if the token is not among the tokens
   */
  public float[] vector(String token) {
    long r = indexOf(token);
    if (r < 0) {
      throw new IllegalArgumentException(
          "token '" + token + "' is not among the " + (ids == null ? 0 : ids.size()) + " tokens of these vectors");
    }
    float[] out = new float[table.dim()];
    table.readRow(r, out, 0);
    return out;
  }

  /**
   * The rows.
   *
   * @return the table itself, not a copy
   */
  public RowStore table() {
    return table;
  }

  /**
   * Number of vectors (V).
   *
   * @return the row count
   */
  public long size() {
    return table.rows();
  }

  /**
   * Length of each vector (D).
   *
   * @return the dimension
   */
  public int dim() {
    return table.dim();
  }

  /**
   * Metadata read with the file (safetensors, emb4j tables).
   *
   * @return an unmodifiable map, possibly empty
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Frees the table's memory if it is off-heap. */
  @Override
  public void close() {
    table.close();
  }

  @Override
  public String toString() {
    return "Vectors(" + table.rows() + " x " + table.dim() + (tokens == null ? ", no tokens" : "") + ")";
  }
}
