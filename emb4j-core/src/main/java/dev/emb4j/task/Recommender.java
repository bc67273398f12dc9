package dev.emb4j.task;

import dev.emb4j.checkpoint.Checkpoint;
import dev.emb4j.checkpoint.CheckpointFormatException;
import dev.emb4j.metrics.RegressionMetrics;
import dev.emb4j.nn.DenseParameter;
import dev.emb4j.nn.Parameter;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A trained rating model ready to use: predictions, evaluation, top-k items for a user (excluding what the user
 * already rated) and similar items, with the raw user and item ids of the training data. Saved as an emb4j
 * checkpoint whose metadata says {@code kind = emb4j-recommender}.
 */
public final class Recommender implements AutoCloseable {
  /** The {@code kind} metadata value of a saved recommender. */
  public static final String KIND = "emb4j-recommender";

  /** Largest dense id stored exactly in the float32 table of rated pairs. */
  private static final int MAX_EXACT_ID = 1 << 24;

  /**
   * An id with a score.
   *
   * @param id the raw item id
   * @param score the predicted rating (top-k) or cosine similarity (similar items)
   */
  public record Scored(long id, double score) {}

  private final MatrixFactorization model;
  private final IdIndex users;
  private final IdIndex items;
  /** For each dense user, the dense items rated in training, sorted. */
  private final int[][] rated;

  private Recommender(MatrixFactorization model, IdIndex users, IdIndex items, int[][] rated) {
    this.model = model;
    this.users = users;
    this.items = items;
    this.rated = rated;
  }

  /** A recommender from a training result and the ratings it was trained on (to know what each user rated). */
  public static Recommender of(MatrixFactorizationTrainer.Result result, Ratings train) {
    IdIndex users = result.users();
    IdIndex items = result.items();
    int[] counts = new int[users.size()];
    int n = train.size();
    int[] u = new int[n];
    int[] i = new int[n];
    for (int k = 0; k < n; k++) {
      u[k] = users.indexOf(train.users()[k]);
      i[k] = items.indexOf(train.items()[k]);
      counts[u[k]]++;
    }
    return new Recommender(result.model(), users, items, group(u, i, counts));
  }

  private static int[][] group(int[] u, int[] i, int[] counts) {
    int[][] rated = new int[counts.length][];
    for (int k = 0; k < counts.length; k++) {
      rated[k] = new int[counts[k]];
    }
    int[] fill = new int[counts.length];
    for (int k = 0; k < u.length; k++) {
      rated[u[k]][fill[u[k]]++] = i[k];
    }
    for (int[] r : rated) {
      Arrays.sort(r);
    }
    return rated;
  }

  /**
   * Releases the model's tables: frees off-heap memory and seals mapped files (see {@link
   * MatrixFactorizationTrainer#MatrixFactorizationTrainer(MatrixFactorizationTrainer.Config,
   * dev.emb4j.store.Storage)}); nothing to do on the heap. The recommender must not be used afterwards.
   */
  @Override
  public void close() {
    model.close();
  }

  /** Number of users known from training. */
  public int userCount() {
    return users.size();
  }

  /** Number of items known from training. */
  public int itemCount() {
    return items.size();
  }

  /** RMSE and MAE on {@code test}; users or items unseen in training fall back to the known biases and the mean. */
  public RegressionMetrics evaluate(Ratings test) {
    return MatrixFactorizationTrainer.evaluate(model, users, items, test);
  }

  /**
   * The {@code k} items with the highest predicted rating for {@code rawUser}, best first, leaving out the items the
   * user rated in training.
   *
   * @throws IllegalArgumentException if the user was not in the training data or {@code k < 1}
   */
  public List<Scored> topK(long rawUser, int k) {
    requirePositive(k);
    int u = users.indexOf(rawUser);
    if (u < 0) {
      throw new IllegalArgumentException("user " + rawUser + " was not in the training data");
    }
    int m = items.size();
    int[] us = new int[m];
    int[] is = new int[m];
    for (int i = 0; i < m; i++) {
      us[i] = u;
      is[i] = i;
    }
    float[] scores = model.predictValues(us, is);
    PriorityQueue<Scored> best = new PriorityQueue<>((a, b) -> Double.compare(a.score(), b.score()));
    for (int i = 0; i < m; i++) {
      if (Arrays.binarySearch(rated[u], i) >= 0) {
        continue;
      }
      offer(best, new Scored(items.rawId(i), scores[i]), k);
    }
    return sorted(best);
  }

  /**
   * The {@code k} items whose factor vectors are most cosine-similar to {@code rawItem}'s, best first, the item itself
   * excluded.
   *
   * @throws IllegalArgumentException if the item was not in the training data or {@code k < 1}
   */
  public List<Scored> similarItems(long rawItem, int k) {
    requirePositive(k);
    int q = items.indexOf(rawItem);
    if (q < 0) {
      throw new IllegalArgumentException("item " + rawItem + " was not in the training data");
    }
    RowStore f = model.itemFactors().weight();
    int d = f.dim();
    float[] query = new float[d];
    float[] row = new float[d];
    f.readRow(q, query, 0);
    double qn = norm(query);
    PriorityQueue<Scored> best = new PriorityQueue<>((a, b) -> Double.compare(a.score(), b.score()));
    for (int i = 0; i < items.size(); i++) {
      if (i == q) {
        continue;
      }
      f.readRow(i, row, 0);
      double dot = 0;
      for (int j = 0; j < d; j++) {
        dot += (double) query[j] * row[j];
      }
      double denom = qn * norm(row);
      offer(best, new Scored(items.rawId(i), denom == 0 ? 0 : dot / denom), k);
    }
    return sorted(best);
  }

  private static void requirePositive(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  private static void offer(PriorityQueue<Scored> heap, Scored s, int k) {
    if (heap.size() < k) {
      heap.add(s);
    } else if (s.score() > heap.peek().score()) {
      heap.poll();
      heap.add(s);
    }
  }

  private static List<Scored> sorted(PriorityQueue<Scored> heap) {
    List<Scored> out = new ArrayList<>(heap);
    out.sort((a, b) -> Double.compare(b.score(), a.score()));
    return out;
  }

  /** Saves the model, its id maps and the rated pairs to one checkpoint file (atomically). */
  public void save(Path file) throws IOException {
    if (users.size() >= MAX_EXACT_ID || items.size() >= MAX_EXACT_ID) {
      throw new IllegalStateException("more than 2^24 users or items cannot be saved in this format yet");
    }
    int pairs = 0;
    for (int[] r : rated) {
      pairs += r.length;
    }
    DenseParameter ratedPairs = new DenseParameter("rated_pairs", Math.max(pairs, 1), 2);
    float[] data = ratedPairs.data();
    int p = 0;
    for (int u = 0; u < rated.length; u++) {
      for (int i : rated[u]) {
        data[p++] = u;
        data[p++] = i;
      }
    }
    List<Parameter> params = new ArrayList<>(model.parameters());
    params.add(ratedPairs);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("kind", KIND);
    meta.put("dim", Integer.toString(model.userFactors().embeddingDim()));
    meta.put("global_mean", Float.toString(model.globalMean()));
    meta.put("min_rating", Float.toString(model.minRating()));
    meta.put("max_rating", Float.toString(model.maxRating()));
    meta.put("rated_pairs", Integer.toString(pairs));
    meta.put("user_ids", joinIds(users));
    meta.put("item_ids", joinIds(items));
    Checkpoint.save(file, params, null, meta);
  }

  private static String joinIds(IdIndex index) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < index.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(index.rawId(i));
    }
    return sb.toString();
  }

  /**
   * Loads a recommender saved by {@link #save}.
   *
   * @throws CheckpointFormatException if the file is not an intact emb4j checkpoint or holds another kind of model
   */
  public static Recommender load(Path file) throws IOException {
    Checkpoint.Contents c = Checkpoint.read(file);
    Map<String, String> meta = c.metadata();
    if (!KIND.equals(meta.get("kind"))) {
      String kind = meta.get("kind");
      throw new CheckpointFormatException(
          file,
          file + (kind == null ? " is a checkpoint without a model kind" : " holds a model of kind '" + kind + "'")
              + ", not a recommender");
    }
    try {
      IdIndex users = parseIds(meta.get("user_ids"));
      IdIndex items = parseIds(meta.get("item_ids"));
      int dim = Integer.parseInt(meta.get("dim"));
      MatrixFactorization model =
          new MatrixFactorization(
              users.size(),
              items.size(),
              dim,
              Float.parseFloat(meta.get("global_mean")),
              Float.parseFloat(meta.get("min_rating")),
              Float.parseFloat(meta.get("max_rating")),
              0,
              0,
              Storage.HEAP,
              savedDtype(c.parameters().get("user.weight")));
      for (Parameter p : model.parameters()) {
        RowStore saved = c.parameters().get(p.name());
        if (saved == null || saved.rows() != p.value().rows() || saved.dim() != p.value().dim()) {
          throw new CheckpointFormatException(
              file, file + ": parameter '" + p.name() + "' is missing or has the wrong shape");
        }
        float[] row = new float[saved.dim()];
        for (long r = 0; r < saved.rows(); r++) {
          saved.readRow(r, row, 0);
          p.value().writeRow(r, row, 0);
        }
      }
      int pairs = Integer.parseInt(meta.get("rated_pairs"));
      RowStore rp = c.parameters().get("rated_pairs");
      int[] u = new int[pairs];
      int[] i = new int[pairs];
      int[] counts = new int[users.size()];
      for (int k = 0; k < pairs; k++) {
        u[k] = (int) rp.get(k, 0);
        i[k] = (int) rp.get(k, 1);
        if (u[k] < 0 || u[k] >= users.size() || i[k] < 0 || i[k] >= items.size()) {
          throw new CheckpointFormatException(file, file + ": rated pair " + k + " names an unknown user or item");
        }
        counts[u[k]]++;
      }
      return new Recommender(model, users, items, group(u, i, counts));
    } catch (NumberFormatException | NullPointerException e) {
      throw new CheckpointFormatException(file, file + " has incomplete or malformed recommender metadata", e);
    }
  }

  /** The dtype the factors were saved in (a missing table is reported with the other parameters). */
  private static dev.emb4j.store.DType savedDtype(RowStore factors) {
    return factors == null ? dev.emb4j.store.DType.F32 : factors.dtype();
  }

  private static IdIndex parseIds(String csv) {
    IdIndex index = new IdIndex();
    if (!csv.isEmpty()) {
      for (String s : csv.split(",")) {
        index.add(Long.parseLong(s));
      }
    }
    return index;
  }
}
