package dev.emb4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.emb4j.io.VectorFormat;
import dev.emb4j.io.VectorFormatException;
import dev.emb4j.io.VectorReadOptions;
import dev.emb4j.io.VectorWriteOptions;
import dev.emb4j.io.Vectors;
import dev.emb4j.store.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every parser promises, checked by the fuzz targets: any byte string either reads (and then, where the format
 * can be written, writes and reads back to the same values) or is rejected with the parser's own format exception.
 * Any other exception, a hang or running out of memory is a finding.
 */
final class Contracts {
  /** Where the targets write their inputs. */
  static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("emb4j-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Contracts() {}

  /** Writes {@code data} to a file named {@code name} in {@link #DIR}. */
  static Path file(String name, byte[] data) throws IOException {
    Path p = DIR.resolve(name);
    Files.write(p, data);
    return p;
  }

  /** A vector file reads and round-trips, or is rejected with {@link VectorFormatException}. */
  static void vectorsRoundTrip(VectorFormat format, byte[] data) throws IOException {
    Path in = file("in" + format.extension(), data);
    Vectors v;
    try {
      v = Vectors.read(in, format, VectorReadOptions.DEFAULTS, Storage.HEAP);
    } catch (VectorFormatException expected) {
      return;
    }
    if (Math.max(v.size(), 1) * v.dim() > 1 << 22) {
      return; // big but valid (a writer's row buffer too, with no rows): the round trip adds nothing
    }
    Path out = DIR.resolve("out" + format.extension());
    v.write(out, format, VectorWriteOptions.DEFAULTS);
    Vectors back = Vectors.read(out, format, VectorReadOptions.DEFAULTS, Storage.HEAP);
    assertEquals(v.tokens(), back.tokens());
    assertArrayEquals(v.table().toTensor().data(), back.table().toTensor().data());
  }
}
