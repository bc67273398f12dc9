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
    print(out, ranked, json, scoreName, null);
  }

  /**
   * As {@link #print(PrintWriter, List, boolean, String)}, with each item's title when {@code titles} is not null:
   * text output then starts with a header line {@code rank item <score> title}, and JSON objects gain {@code "title"}
   * (an item without one gets an empty title).
   */
  static void print(PrintWriter out, List<Scored> ranked, boolean json, String scoreName, Map<Long, String> titles) {
    if (json) {
      List<Object> rows = new ArrayList<>();
      for (Scored s : ranked) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("item", s.id());
        o.put(scoreName, JsonOutput.rounded(s.score(), 4));
        if (titles != null) {
          o.put("title", titles.getOrDefault(s.id(), ""));
        }
        rows.add(o);
      }
      out.println(Json.write(rows));
    } else {
      if (titles != null) {
        out.println("rank\titem\t" + scoreName + "\ttitle");
      }
      int rank = 1;
      for (Scored s : ranked) {
        out.printf(Locale.ROOT, "%d\t%d\t%.4f", rank++, s.id(), s.score());
        out.println(titles == null ? "" : "\t" + titles.getOrDefault(s.id(), ""));
      }
    }
    out.flush();
  }
}
