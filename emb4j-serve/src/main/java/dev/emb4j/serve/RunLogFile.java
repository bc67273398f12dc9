package dev.emb4j.serve;

import dev.emb4j.internal.format.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a run log ({@code --log run.jsonl} of the training commands) for the training page, while the run may still be
 * appending to it: a last line without its newline yet is left for the next read.
 */
final class RunLogFile {
  private RunLogFile() {}

  /** The log's JSON objects, in order; empty when the file does not exist yet. */
  static List<Object> entries(Path log) {
    if (log == null) {
      throw ApiException.notServed("no run log is followed (start the server with --log FILE)");
    }
    String text;
    try {
      text = Files.readString(log, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the run log " + log + ": " + e.getMessage(), e);
    }
    List<Object> out = new ArrayList<>();
    int start = 0;
    for (int end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
      String line = text.substring(start, end).strip();
      if (!line.isEmpty()) {
        try {
          out.add(Json.parse(line));
        } catch (Json.JsonException e) {
          throw new UncheckedIOException(new IOException(log + " line " + (out.size() + 1) + " is not JSON: " + e.getMessage(), e));
        }
      }
    }
    return out;
  }
}
