package dev.emb4j.io;

import dev.emb4j.store.DType;
import dev.emb4j.internal.format.FileErrors;
import dev.emb4j.internal.format.Json;
import dev.emb4j.internal.format.TempFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Vectors as one 2-D tensor of a safetensors file (see {@link SafeTensorsHeader} for the layout). Tokens, when there
 * are any, travel in the metadata under {@value #TOKENS_KEY}, as a JSON array of strings (safetensors metadata values
 * are strings); other tools ignore that entry.
 *
 * <p>A reader takes the tensor named in {@link VectorReadOptions#tensor()}, or else the only 2-D tensor of the file.
 * A writer writes one tensor, named by {@link VectorWriteOptions#tensor()}, with the options' metadata.
 */
final class SafeTensorsCodec {
  /** The metadata key that holds the tokens. */
  static final String TOKENS_KEY = "emb4j.tokens";

  private SafeTensorsCodec() {}

  static VectorReader open(Path file, VectorReadOptions options) throws IOException {
    SafeTensorsHeader header = SafeTensorsHeader.read(file);
    ByteInput in = new ByteInput(file, options.progress());
    try {
      return new Reader(in, header, options.tensor());
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  static VectorWriter create(Path file, long rows, int dim, boolean withTokens, VectorWriteOptions options)
      throws IOException {
    if (options.metadata().containsKey(TOKENS_KEY)) {
      throw new IllegalArgumentException("metadata key '" + TOKENS_KEY + "' is reserved for the tokens");
    }
    return new Writer(file, rows, dim, withTokens, options);
  }

  private static final class Reader extends BaseVectorReader {
    private final List<String> tokens;

    Reader(ByteInput in, SafeTensorsHeader header, String wanted) throws IOException {
      super(in);
      SafeTensorsHeader.Tensor tensor = null;
      List<String> names = new ArrayList<>();
      for (SafeTensorsHeader.Tensor t : header.tensors()) {
        names.add(t.name() + " " + t.dtype() + t.shape());
        if (wanted != null ? t.name().equals(wanted) : t.shape().size() == 2) {
          if (tensor != null && wanted == null) {
            throw VectorFormatException.inFile(
                in.file, "holds several 2-D tensors " + names(header) + "; choose one (--tensor NAME)");
          }
          tensor = t;
        }
      }
      if (tensor == null) {
        throw VectorFormatException.inFile(
            in.file,
            (wanted != null ? "has no tensor named '" + wanted + "'" : "has no 2-D tensor") + "; it holds " + names);
      }
      DType type = tensor.floatType();
      if (type == null) {
        throw VectorFormatException.atOffset(
            in.file, 8, "tensor '" + tensor.name() + "' has dtype " + tensor.dtype() + "; vectors must be F32, F16 or BF16");
      }
      if (tensor.shape().size() != 2) {
        throw VectorFormatException.atOffset(
            in.file, 8, "tensor '" + tensor.name() + "' has shape " + tensor.shape() + "; vectors need 2 dimensions (rows, dim)");
      }
      long rows = tensor.shape().get(0);
      long dim = tensor.shape().get(1);
      if (dim <= 0 || dim > Integer.MAX_VALUE - 8) {
        throw VectorFormatException.atOffset(
            in.file, 8, "tensor '" + tensor.name() + "' has dim " + dim + ", not in 1.." + (Integer.MAX_VALUE - 8));
      }
      Map<String, String> metadata = new LinkedHashMap<>(header.metadata());
      String tokenJson = metadata.remove(TOKENS_KEY);
      this.tokens = tokenJson == null ? null : parseTokens(in.file, tokenJson, rows);
      in.seek(header.dataStart() + tensor.begin());
      this.info = new VectorInfo(in.file, VectorFormat.SAFETENSORS, rows, (int) dim, type, tokens != null, metadata);
      in.reportProgress(0, true);
    }

    private static String names(SafeTensorsHeader h) {
      List<String> out = new ArrayList<>();
      for (SafeTensorsHeader.Tensor t : h.tensors()) {
        if (t.shape().size() == 2) {
          out.add(t.name());
        }
      }
      return out.toString();
    }

    private static List<String> parseTokens(Path file, String json, long rows) throws VectorFormatException {
      Object o;
      try {
        o = Json.parse(json);
      } catch (Json.JsonException e) {
        throw VectorFormatException.atOffset(file, 8, "metadata '" + TOKENS_KEY + "' is not valid JSON: " + e.getMessage());
      }
      if (!(o instanceof List<?> list) || list.size() != rows) {
        throw VectorFormatException.atOffset(
            file,
            8,
            "metadata '" + TOKENS_KEY + "' must be a JSON array of " + rows + " strings (one per row), got "
                + (o instanceof List<?> l ? "an array of " + l.size() : "no array"));
      }
      List<String> out = new ArrayList<>(list.size());
      for (Object t : list) {
        if (!(t instanceof String s) || s.isEmpty()) {
          throw VectorFormatException.atOffset(
              file, 8, "metadata '" + TOKENS_KEY + "' entry " + out.size() + " is not a non-empty string: " + t);
        }
        out.add(s);
      }
      return out;
    }

    @Override
    String readRow(float[] row) throws IOException {
      long at = in.readValues(row, info.dim(), info.dtype(), ByteOrder.LITTLE_ENDIAN, "row " + rowsRead);
      checkFinite(row, info.dim(), at, info.dtype().bytes());
      if (tokens == null) {
        return null;
      }
      String t = tokens.get((int) rowsRead);
      checkUnique(t, rowsRead, false, 8);
      return t;
    }

    @Override
    void finish() {
      // The header check already proved that the tensors cover the file exactly.
    }
  }

  private static final class Writer extends BaseVectorWriter {
    private final int[] bits;
    private final VectorWriteOptions options;
    private final List<String> tokens;
    /** With tokens the header can only be written at the end: the rows wait in this file beside the target. */
    private final Path side;
    private final FileChannel sideChannel;
    private final ByteBuffer sideBuf;

    Writer(Path file, long rows, int dim, boolean withTokens, VectorWriteOptions options) throws IOException {
      super(file, rows, dim, withTokens, options.dtype(), false);
      this.bits = new int[dim];
      this.options = options;
      if (withTokens) {
        if (rows > Integer.MAX_VALUE - 8) {
          throw VectorFormatException.inFile(file, rows + " tokens do not fit safetensors metadata");
        }
        this.tokens = new ArrayList<>();
        TempFiles.Created created;
        try {
          created = TempFiles.create(file, "rows");
        } catch (IOException e) {
          out.close();
          throw FileErrors.cannot("write", file, e);
        }
        this.side = created.path();
        this.sideChannel = created.channel();
        this.sideBuf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
      } else {
        this.tokens = null;
        this.side = null;
        this.sideChannel = null;
        this.sideBuf = null;
        out.write(header(null));
      }
    }

    /** The header, padded with spaces to a multiple of 8 bytes, preceded by its length. */
    private byte[] header(List<String> tokenList) throws VectorFormatException {
      Map<String, Object> root = new LinkedHashMap<>();
      Map<String, Object> meta = new LinkedHashMap<>(options.metadata());
      if (tokenList != null) {
        meta.put(TOKENS_KEY, Json.write(tokenList));
      }
      if (!meta.isEmpty()) {
        root.put("__metadata__", meta);
      }
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("dtype", dtype.name());
      t.put("shape", List.of(rows, (long) dim));
      t.put("data_offsets", List.of(0L, rows * dim * dtype.bytes()));
      root.put(options.tensor(), t);
      byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
      int padded = (json.length + 7) / 8 * 8;
      if (padded > SafeTensorsHeader.MAX_HEADER_BYTES) {
        throw VectorFormatException.inFile(
            file,
            "the safetensors header would be " + padded + " bytes (" + rows + " tokens in its metadata), over the limit of "
                + SafeTensorsHeader.MAX_HEADER_BYTES + "; write the tokens elsewhere (emb4j format) or drop them");
      }
      ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(padded).put(json);
      while (b.hasRemaining()) {
        b.put((byte) ' ');
      }
      return b.array();
    }

    @Override
    void writeRow(String token, float[] row) throws IOException {
      encode(row, bits);
      if (tokens == null) {
        out.writeElements(bits, dim, dtype.bytes(), ByteOrder.LITTLE_ENDIAN);
        return;
      }
      tokens.add(token);
      for (int i = 0; i < dim; i++) {
        if (sideBuf.remaining() < 4) {
          drainSide();
        }
        if (dtype.bytes() == 4) {
          sideBuf.putInt(bits[i]);
        } else {
          sideBuf.putShort((short) bits[i]);
        }
      }
    }

    private void drainSide() throws IOException {
      sideBuf.flip();
      try {
        while (sideBuf.hasRemaining()) {
          sideChannel.write(sideBuf);
        }
      } catch (IOException e) {
        throw FileErrors.cannot("write", file, e);
      }
      sideBuf.clear();
    }

    @Override
    void finish() throws IOException {
      if (tokens == null) {
        return;
      }
      drainSide();
      out.write(header(tokens));
      byte[] chunk = new byte[1 << 20];
      ByteBuffer cb = ByteBuffer.wrap(chunk);
      long pos = 0;
      long total = sideChannel.size();
      while (pos < total) {
        cb.clear();
        int n = sideChannel.read(cb, pos);
        if (n <= 0) {
          throw new IOException("could not read back " + side + " at " + pos + " of " + total);
        }
        out.write(chunk, 0, n);
        pos += n;
      }
    }

    @Override
    void cleanup() throws IOException {
      if (side != null) {
        try {
          sideChannel.close();
        } finally {
          TempFiles.release(side);
        }
      }
    }
  }
}
