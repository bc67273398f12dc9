package dev.emb4j.serve;

import dev.emb4j.io.Vectors;
import dev.emb4j.search.Neighbor;
import dev.emb4j.search.Similarity;
import dev.emb4j.task.Recommender;
import dev.emb4j.task.text.TextClassifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The API's answers, as values for {@code Json.write}: each method reads its arguments, asks the served models (the
 * same calls the command line makes) and shapes the result as the command's {@code --json} output does.
 */
final class Answers {
  /** The most rows the projector page draws. */
  static final int PROJECTED_POINTS = 100_000;

  private final ServerLimits limits;

  Answers(ServerLimits limits) {
    this.limits = limits;
  }

  /** {@code [{"token", "id", "vector"}]} for the tokens or ids asked. */
  List<Object> lookup(ServedModels m, RequestArgs args) {
    Vectors vectors = vectorsOf(m);
    List<String> tokens = args.strings("tokens", limits.maxIds());
    List<Long> ids = args.integers("ids", limits.maxIds());
    if (tokens.isEmpty() && ids.isEmpty()) {
      throw ApiException.badField("tokens", "give tokens or ids");
    }
    if (tokens.size() + ids.size() > limits.maxIds()) {
      throw ApiException.badField("ids", "tokens and ids together exceed the limit of " + limits.maxIds());
    }
    List<Object> out = new ArrayList<>();
    for (String token : tokens) {
      out.add(row(vectors, rowOf(vectors, token, "tokens")));
    }
    for (long id : ids) {
      if (id < 0 || id >= vectors.size()) {
        throw ApiException.badField("ids", "id " + id + " is out of range for " + vectors.size() + " rows (valid 0.." + (vectors.size() - 1) + ")");
      }
      out.add(row(vectors, id));
    }
    return out;
  }

  /**
   * {@code [{"token", "score"}]}, best first: the neighbours of a token (itself excluded) or of a vector, by the exact
   * scan (concurrent requests scored together, {@link CoalescedSearch}) or ({@code mode=approximate}) the HNSW index.
   */
  List<Object> similar(ServedModels m, RequestArgs args) {
    Vectors vectors = vectorsOf(m);
    int k = k(args, 10);
    String mode = args.string("mode");
    boolean approximate = "approximate".equals(mode);
    if (mode != null && !approximate && !mode.equals("exact")) {
      throw ApiException.badField("mode", "mode must be exact or approximate, got '" + mode + "'");
    }
    if (approximate && m.approximate() == null) {
      throw ApiException.badField("mode", "no approximate index is served (start the server with --approximate)");
    }
    float[] vector = args.floats("vector", vectors.dim());
    long self = -1;
    if (vector == null) {
      self = rowOf(vectors, args.requiredString("token"), "token");
      vector = new float[vectors.dim()];
      vectors.table().readRow(self, vector, 0);
    } else if (vector.length != vectors.dim()) {
      throw ApiException.badField("vector", "vector has " + vector.length + " values, the vectors have " + vectors.dim());
    }
    long excluded = self;
    LongPredicate exclude = self < 0 ? null : row -> row == excluded;
    List<Neighbor> found =
        approximate
            ? m.approximate().search(vector, k, exclude)
            : m.coalesced().search(vector, k, exclude); // concurrent requests share one scan
    return neighbors(vectors, found);
  }

  /**
   * {@code [[{"token", "score"}], ...]}: for each of several tokens, in order, what {@link #similar} answers for it
   * alone (itself excluded, by the exact scan). The tokens are scored together in one pass over the rows per block of
   * 32 ({@code NearestNeighbors.similarAll}), several times faster per token than one request each.
   */
  List<Object> similarBatch(ServedModels m, RequestArgs args) {
    Vectors vectors = vectorsOf(m);
    int k = k(args, 10);
    List<String> tokens = args.strings("tokens", limits.maxIds());
    if (tokens.isEmpty()) {
      throw ApiException.badField("tokens", "tokens is required: the tokens whose neighbours to find");
    }
    long[] ids = new long[tokens.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rowOf(vectors, tokens.get(i), "tokens");
    }
    List<Object> out = new ArrayList<>();
    for (List<Neighbor> found : m.neighbors().similarAll(ids, k, Similarity.COSINE)) {
      out.add(neighbors(vectors, found));
    }
    return out;
  }

  /** {@code [{"token", "score"}]}: the answers to a is to b as c is to ?, scored by cosine to {@code a - b + c}. */
  List<Object> analogy(ServedModels m, RequestArgs args) {
    Vectors vectors = vectorsOf(m);
    long a = rowOf(vectors, args.requiredString("a"), "a");
    long b = rowOf(vectors, args.requiredString("b"), "b");
    long c = rowOf(vectors, args.requiredString("c"), "c");
    return neighbors(vectors, m.neighbors().analogy(a, b, c, k(args, 10)));
  }

  /** {@code {"predictions": [{"label", "probability"}]}}, best first, as {@code classify predict --json}. */
  Map<String, Object> classify(ServedModels m, RequestArgs args) {
    TextClassifier classifier = m.classifier();
    if (classifier == null) {
      throw ApiException.notServed("no classifier is served (start the server with --model CLASSIFIER)");
    }
    String text = args.requiredString("text");
    int k = args.intIn("k", 1, 1, limits.maxK());
    List<Object> predictions = new ArrayList<>();
    for (TextClassifier.Prediction p : classifier.predict(text, k)) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("label", p.label());
      o.put("probability", Double.isFinite(p.probability()) ? p.probability() : null);
      predictions.add(o);
    }
    return Map.of("predictions", predictions);
  }

  /**
   * For a user, {@code [{"item", "predicted"}]} (as {@code recommend topk --json}); for an item, {@code [{"item",
   * "cosine"}]} (as {@code recommend similar --json}).
   */
  List<Object> recommend(ServedModels m, RequestArgs args) {
    Recommender recommender = m.recommender();
    if (recommender == null) {
      throw ApiException.notServed("no recommender is served (start the server with --model RECOMMENDER)");
    }
    int k = k(args, 10);
    boolean byUser = args.has("user");
    if (byUser == args.has("item")) {
      throw ApiException.badField("user", "give either user or item");
    }
    String field = byUser ? "user" : "item";
    long id = args.integer(field);
    List<Recommender.Scored> ranked;
    try {
      ranked = byUser ? recommender.topK(id, k) : recommender.similarItems(id, k);
    } catch (IllegalArgumentException e) { // the only caller error left: an id not in the training data
      throw ApiException.unknown(field, Long.toString(id), e.getMessage());
    }
    List<Object> out = new ArrayList<>();
    for (Recommender.Scored s : ranked) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("item", s.id());
      o.put(byUser ? "predicted" : "cosine", rounded4(s.score()));
      out.add(o);
    }
    return out;
  }

  /** The projector's points of the served vectors, computed the first time a generation is asked. */
  ProjectedPoints projection(ServedModels m) {
    Vectors vectors = vectorsOf(m);
    return m.projection(served -> ProjectedPoints.of(vectors, PROJECTED_POINTS));
  }

  /** {@code {"status": "ok", ...}} with the sizes of what is served. */
  Map<String, Object> health(ServedModels m, long generation) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("status", "ok");
    o.put("generation", generation);
    if (m.vectors() != null) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("rows", m.vectors().size());
      v.put("dim", m.vectors().dim());
      v.put("tokens", m.vectors().hasTokens());
      o.put("vectors", v);
    }
    if (m.classifier() != null) {
      o.put("classifier", Map.of("labels", m.classifier().labels().size()));
    }
    if (m.recommender() != null) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("users", m.recommender().userCount());
      r.put("items", m.recommender().itemCount());
      o.put("recommender", r);
    }
    return o;
  }

  /** The neighbours as {@code vectors similar --json} prints them. */
  static List<Object> neighbors(Vectors vectors, List<Neighbor> found) {
    List<Object> items = new ArrayList<>();
    for (Neighbor n : found) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("token", vectors.hasTokens() ? vectors.tokens().get((int) n.id()) : null);
      item.put("score", Float.isFinite(n.score()) ? n.score() : null);
      items.add(item);
    }
    return items;
  }

  private int k(RequestArgs args, int otherwise) {
    return args.intIn("k", Math.min(otherwise, limits.maxK()), 1, limits.maxK());
  }

  private static Vectors vectorsOf(ServedModels m) {
    if (m.vectors() == null) {
      throw ApiException.notServed("no vectors are served (start the server with --vectors FILE or a classifier)");
    }
    return m.vectors();
  }

  private static long rowOf(Vectors vectors, String token, String field) {
    if (!vectors.hasTokens()) {
      throw ApiException.badField(field, "the served vectors have no tokens; look rows up by ids");
    }
    long id = vectors.indexOf(token);
    if (id < 0) {
      throw ApiException.unknown("token", token, "'" + token + "' is not among the " + vectors.size() + " tokens");
    }
    return id;
  }

  private static Map<String, Object> row(Vectors vectors, long id) {
    float[] v = new float[vectors.dim()];
    vectors.table().readRow(id, v, 0);
    List<Float> values = new ArrayList<>(v.length);
    for (float f : v) {
      values.add(Float.isFinite(f) ? f : null);
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("token", vectors.hasTokens() ? vectors.tokens().get((int) id) : null);
    o.put("id", id);
    o.put("vector", values);
    return o;
  }

  private static Double rounded4(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null;
  }
}
