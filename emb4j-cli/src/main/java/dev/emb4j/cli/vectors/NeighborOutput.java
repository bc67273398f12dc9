package dev.emb4j.cli.vectors;

import dev.emb4j.cli.JsonOutput;
import dev.emb4j.internal.format.Json;
import dev.emb4j.io.Vectors;
import dev.emb4j.search.Neighbor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints neighbours as {@code token<TAB>score} lines or as a JSON array of {@code {"token", "score"}}. */
final class NeighborOutput {
  private NeighborOutput() {}

  static void print(PrintWriter out, Vectors vectors, List<Neighbor> neighbors, boolean json) {
    print(out, vectors, neighbors, json, "");
  }

  /** As {@link #print(PrintWriter, Vectors, List, boolean)}, each text line starting with {@code prefix}. */
  static void print(PrintWriter out, Vectors vectors, List<Neighbor> neighbors, boolean json, String prefix) {
    if (json) {
      List<Object> items = new ArrayList<>();
      for (Neighbor n : neighbors) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("token", vectors.tokens().get((int) n.id()));
        item.put("score", JsonOutput.finite(n.score()));
        items.add(item);
      }
      out.println(Json.write(items));
    } else {
      for (Neighbor n : neighbors) {
        out.println(prefix + vectors.tokens().get((int) n.id()) + "\t" + n.score());
      }
    }
    out.flush();
  }

  /** The row of {@code token}, or a one-line error naming it and the file. */
  static long rowOf(Vectors vectors, String token, Path file) {
    if (!vectors.hasTokens()) {
      throw new IllegalArgumentException(file + " has no tokens; queries by word need word2vec, GloVe, fastText or tokened safetensors/emb4j files");
    }
    long id = vectors.indexOf(token);
    if (id < 0) {
      throw new IllegalArgumentException("'" + token + "' is not among the " + vectors.size() + " tokens of " + file);
    }
    return id;
  }
}
