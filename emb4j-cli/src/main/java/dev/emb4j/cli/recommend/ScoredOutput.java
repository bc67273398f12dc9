package dev.emb4j.cli.recommend;

import dev.emb4j.cli.JsonOutput;
import dev.emb4j.internal.format.Json;
import dev.emb4j.task.Recommender.Scored;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints a ranked list of items: one {@code rank item score} line each, or a JSON array. */
final class ScoredOutput {
  private ScoredOutput() {}

  static void print(PrintWriter out, List<Scored> ranked, boolean json, String scoreName) {
    if (json) {
      List<Object> rows = new ArrayList<>();
      for (Scored s : ranked) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("item", s.id());
        o.put(scoreName, JsonOutput.rounded(s.score(), 4));
        rows.add(o);
      }
      out.println(Json.write(rows));
    } else {
      int rank = 1;
      for (Scored s : ranked) {
        out.printf(Locale.ROOT, "%d\t%d\t%.4f%n", rank++, s.id(), s.score());
      }
    }
    out.flush();
  }
}
