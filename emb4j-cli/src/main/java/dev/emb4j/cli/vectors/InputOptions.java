package dev.emb4j.cli.vectors;

import dev.emb4j.checkpoint.Checkpoint;
import dev.emb4j.cli.FileChecks;
import dev.emb4j.cli.MemoryBudget;
import dev.emb4j.io.ProgressListener;
import dev.emb4j.io.VectorFormat;
import dev.emb4j.io.VectorInfo;
import dev.emb4j.io.VectorReadOptions;
import dev.emb4j.io.VectorReader;
import dev.emb4j.io.Vectors;
import dev.emb4j.store.Storage;
import dev.emb4j.task.text.TextClassifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options that say how to read a vector file, shared by the {@code vectors} subcommands. */
public final class InputOptions {
  /** A rough size of one token in memory: the string, its list slot and its map entry. */
  private static final long BYTES_PER_TOKEN = 96;

  @Option(
      names = "--from",
      paramLabel = "FORMAT",
      description = "Input format: word2vec, glove, fasttext, word2vec-bin, npy, safetensors, emb4j (default: from the extension).")
  String from;

  @Option(
      names = "--tensor",
      paramLabel = "NAME",
      description = "The tensor to read from a safetensors file with several.")
  String tensor;

  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  /** The input format: named, or detected from the file. */
  VectorFormat format(Path file) throws IOException {
    if (from != null) {
      return named(command, "--from", from);
    }
    try {
      return VectorFormat.detect(file);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage(), e);
    }
  }

  /** The format called {@code name}, or a usage error naming {@code option}. */
  static VectorFormat named(CommandSpec command, String option, String name) {
    try {
      return VectorFormat.fromName(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          command.commandLine(), "Invalid value for option '" + option + "': " + e.getMessage(), e);
    }
  }

  /** Read options with the tensor and the given listener. */
  VectorReadOptions readOptions(ProgressListener listener) {
    return new VectorReadOptions(listener, tensor);
  }

  /**
   * Reads the whole file onto the heap for nearest-neighbour search, after checking that the table, the normalised
   * copy the search builds and the tokens fit (from the header, before reading a row). A model saved by {@code
   * classify train} (told apart by its magic bytes) gives its word vectors.
   */
  public Vectors readForSearch(Path file) throws IOException {
    FileChecks.seekable(file);
    if (Checkpoint.isCheckpoint(file)) {
      try (TextClassifier classifier = TextClassifier.load(file)) {
        return classifier.wordVectors(); // a copy: the classifier is not needed afterwards
      }
    }
    VectorFormat format = format(file);
    VectorInfo info;
    try (VectorReader reader = format.open(file, readOptions(ProgressListener.NONE))) {
      info = reader.info();
    }
    double tokenBytes = info.hasTokens() ? (double) info.rows() * BYTES_PER_TOKEN : 0;
    MemoryBudget.requireHeap(
        "searching " + file + " (" + info.rows() + " x " + info.dim() + ")",
        (long) (2.0 * info.rows() * info.dim() * Float.BYTES + tokenBytes)); // the cast saturates
    return Vectors.read(file, format, readOptions(ProgressListener.NONE), Storage.HEAP);
  }

  /** A listener printing a progress line on {@code err} about every 64 MiB. */
  static ProgressListener progressTo(PrintWriter err) {
    return new ProgressListener() {
      private long next;

      @Override
      public void progress(long bytesRead, long totalBytes, long rowsRead) {
        if (bytesRead >= next || bytesRead == totalBytes) {
          next = bytesRead + (64L << 20);
          err.printf("  %,d of %,d bytes (%.0f%%), %,d rows%n", bytesRead, totalBytes, totalBytes == 0 ? 100.0 : 100.0 * bytesRead / totalBytes, rowsRead);
          err.flush();
        }
      }
    };
  }
}
