package dev.emb4j.cli;

import dev.emb4j.store.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --store} and {@code --table-file}: where the commands that build tables keep their rows. */
public final class StoreOptions {
  @Option(
      names = "--store",
      paramLabel = "KIND",
      description =
          "Where the model's tables live: heap, offheap or mapped (memory-mapped files, limited by the disk rather than"
              + " by memory; needs --table-file) (default: heap).")
  private String store = "heap";

  @Option(
      names = "--table-file",
      paramLabel = "FILE",
      description =
          "The mapped table's file (--store mapped); it must not exist. Optimizer state goes in files beside it; close"
              + " with the command, they stay as emb4j tables.")
  private Path tableFile;

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  /**
   * The storage asked for, after checking the options: a usage error for an unknown kind, a mapped store without a
   * file or a file without a mapped store, or a table file that exists already.
   *
   * @param parts the tables a model keeps in files named after the table file ({@link Storage.Mapped#part}), or an
   *     empty list when the model has one table, in the file itself
   * @return the storage
   */
  public Storage storage(List<String> parts) {
    Storage s =
        switch (store) {
          case "heap" -> Storage.HEAP;
          case "offheap", "off-heap" -> Storage.OFF_HEAP;
          case "mapped" -> {
            if (tableFile == null) {
              throw new ParameterException(command.commandLine(), "--store mapped needs --table-file FILE");
            }
            yield Storage.mapped(tableFile);
          }
          default ->
              throw new ParameterException(
                  command.commandLine(), "--store must be heap, offheap or mapped, got '" + store + "'");
        };
    if (tableFile != null && !(s instanceof Storage.Mapped)) {
      throw new ParameterException(command.commandLine(), "--table-file needs --store mapped");
    }
    if (s instanceof Storage.Mapped mapped) {
      List<Storage.Mapped> files = parts.isEmpty() ? List.of(mapped) : parts.stream().map(mapped::part).toList();
      for (Storage.Mapped f : files) {
        if (Files.exists(f.file())) {
          throw new ParameterException(
              command.commandLine(),
              f.file() + " exists: a model is trained into new table files (delete it or choose another --table-file)");
        }
      }
    }
    return s;
  }
}
