package dev.emb4j.cli.bench;

import dev.emb4j.store.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The storage of the benchmark's tables, and for a mapped one its files: the table file ({@code --table-file}, or
 * {@code table.emb4j} in a new temporary directory) and the files beside it (the bitmap of initialised rows, the
 * optimizer's state), which every workload creates anew and which are deleted after it.
 */
final class TableFiles implements AutoCloseable {
  private final Storage storage;
  private final Path file;
  private final Path tempDir;

  private TableFiles(Storage storage, Path file, Path tempDir) {
    this.storage = storage;
    this.file = file;
    this.tempDir = tempDir;
  }

  /** The storage named by {@code --store}; a usage error for an unknown name or an existing table file. */
  static TableFiles forStore(CommandLine cl, String store, Path tableFile) {
    return switch (store) {
      case "heap" -> new TableFiles(Storage.HEAP, null, null);
      case "offheap", "off-heap" -> new TableFiles(Storage.OFF_HEAP, null, null);
      case "mapped" -> {
        if (tableFile != null) {
          if (Files.exists(tableFile)) {
            throw new ParameterException(
                cl, "--table-file " + tableFile + " exists; the benchmark creates its tables and deletes them after");
          }
          yield new TableFiles(Storage.mapped(tableFile), tableFile, null);
        }
        try {
          Path dir = Files.createTempDirectory("emb4j-bench-");
          Path file = dir.resolve("table.emb4j");
          yield new TableFiles(Storage.mapped(file), file, dir);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      default -> throw new ParameterException(cl, "--store must be heap, offheap or mapped, got '" + store + "'");
    };
  }

  Storage storage() {
    return storage;
  }

  /** Fails before any work unless the file system of the table file has {@code bytes} free. */
  void requireDisk(String what, long bytes) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      long free = Files.getFileStore(dir).getUsableSpace();
      if (bytes > free) {
        throw new IllegalStateException(
            what + " needs " + bytes + " bytes of disk for its mapped table and optimizer state, but " + dir + " has "
                + free + " free");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the table file of the workload just run and the files beside it ({@code FILE.*}); none if not mapped. */
  void deleteTables() {
    if (file == null) {
      return;
    }
    String name = file.getFileName().toString();
    Path dir = file.toAbsolutePath().getParent();
    Pattern ours = Pattern.compile(Pattern.quote(name) + "(\\.[a-z0-9_-]+)?");
    List<Path> doomed = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries.filter(p -> ours.matcher(p.getFileName().toString()).matches()).forEach(doomed::add);
      for (Path p : doomed) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes what is left, and the temporary directory. */
  @Override
  public void close() {
    deleteTables();
    if (tempDir != null) {
      try {
        Files.deleteIfExists(tempDir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
