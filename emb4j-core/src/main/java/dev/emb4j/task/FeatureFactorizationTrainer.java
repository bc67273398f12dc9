package dev.emb4j.task;

import dev.emb4j.metrics.RegressionMetrics;
import dev.emb4j.task.MatrixFactorizationTrainer.Config;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Trains a {@link FeatureFactorization} on ratings and the users' and items' {@link SideFeatures}, with the
 * hyper-parameters, schedule, checks and listener calls of {@link MatrixFactorizationTrainer}, and hands back the
 * model folded into a {@link MatrixFactorization} (each user's and item's pooled vector and bias), which a {@link
 * Recommender} saves and serves as any other. Users and items that have features but no training rating get rows too,
 * from their features alone, so a test rating of an item never rated in training is predicted from its genres and
 * year. {@link #trainImplicit} trains the same model on implicit feedback with the BPR objective instead.
 */
public final class FeatureFactorizationTrainer {
  /** The feature L2 of {@link #withFeatureReg} that a plain trainer has. */
  public static final double DEFAULT_FEATURE_REG = 0;

  private final Config config;
  private final SideFeatures userFeatures;
  private final SideFeatures itemFeatures;
  /** The rows of each side's tables under the hash trick, or 0 for collision-free dynamic tables. */
  private final long hashRows;
  /** Whether each user's bag also holds the items it interacted with in training. */
  private final boolean ratedItems;
  /** The L2 strength on each side's pooled features without the id, per rating. */
  private final double featureReg;

  /** A trainer with {@code config} over the given features ({@link SideFeatures#none()} for none). */
  public FeatureFactorizationTrainer(Config config, SideFeatures userFeatures, SideFeatures itemFeatures) {
    this(config, userFeatures, itemFeatures, 0, false, DEFAULT_FEATURE_REG);
  }

  private FeatureFactorizationTrainer(
      Config config, SideFeatures userFeatures, SideFeatures itemFeatures, long hashRows, boolean ratedItems,
      double featureReg) {
    this.config = java.util.Objects.requireNonNull(config, "config");
    this.userFeatures = java.util.Objects.requireNonNull(userFeatures, "userFeatures");
    this.itemFeatures = java.util.Objects.requireNonNull(itemFeatures, "itemFeatures");
    this.hashRows = hashRows;
    this.ratedItems = ratedItems;
    this.featureReg = featureReg;
  }

  /**
   * The same trainer with the hash trick instead of collision-free tables, for comparison: every key of a side is
   * replaced by {@code mix(key) mod rows} (SplitMix64's finaliser, then the remainder), so that the side's tables
   * hold at most {@code rows} rows and keys that land on the same row share it.
   *
   * @throws IllegalArgumentException unless {@code rows >= 1}
   */
  public FeatureFactorizationTrainer hashed(long rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("the hash trick needs at least 1 row per side, got " + rows);
    }
    return new FeatureFactorizationTrainer(config, userFeatures, itemFeatures, rows, ratedItems, featureReg);
  }

  /**
   * The same trainer with each user's training items among its features, as SVD++ adds them (Koren, 2008): a user's
   * bag also holds a key for each distinct item it rated (or interacted with) in the training data, each weighted
   * {@code 1 / sqrt(n)} for its n items, so that what a user chose to rate shapes its vector beside how it rated.
   * These keys live in the user side's tables, apart from the items' own.
   */
  public FeatureFactorizationTrainer withRatedItems() {
    return new FeatureFactorizationTrainer(config, userFeatures, itemFeatures, hashRows, true, featureReg);
  }

  /**
   * The same trainer with an L2 of its own on the features: each rating adds {@code reg * (|f_u|^2 + |g_i|^2)} to
   * the objective, where {@code f_u} is the user's pooled vector without its id's embedding (the weighted sum of its
   * features' and, with {@link #withRatedItems()}, its rated items' factors) and {@code g_i} the item's likewise.
   * This is on top of the frequency-scaled L2 of {@link Config#reg()} on the whole pooled vector, which cannot tell
   * an id's share from the features'. Applies to {@link #train}; {@link #trainImplicit} leaves it out.
   *
   * @param reg the strength, 0 for none ({@link #DEFAULT_FEATURE_REG} unless this is called)
   * @throws IllegalArgumentException unless {@code reg} is finite and {@code >= 0}
   */
  public FeatureFactorizationTrainer withFeatureReg(double reg) {
    if (!(reg >= 0) || Double.isInfinite(reg)) {
      throw new IllegalArgumentException("the feature L2 must be finite and >= 0, got " + reg);
    }
    return new FeatureFactorizationTrainer(config, userFeatures, itemFeatures, hashRows, ratedItems, reg);
  }

  /**
   * How many keys the tables hold and how many of them share a row with another key: 0 for collision-free tables,
   * and for the hash trick the keys whose row another key also maps to.
   *
   * @param keys the distinct keys of both sides (ids and feature values of the users and items of {@code train}
   *     and the feature files)
   * @param sharing the keys that share their row
   */
  public record Collisions(long keys, long sharing) {}

  /** The {@link Collisions} of training on {@code train} with this trainer's tables. */
  public Collisions collisions(Ratings train) {
    long keys = 0;
    long sharing = 0;
    int[] u = new int[train.size()];
    int[] i = new int[train.size()];
    IdIndex[] index = entities(train, u, i);
    for (SideFeatures.Bag[] side : List.of(userBags(index, u, i), rawBags(index[1], itemFeatures))) {
      Set<Long> distinct = new HashSet<>();
      for (SideFeatures.Bag b : side) {
        for (long key : b.keys()) {
          distinct.add(key);
        }
      }
      keys += distinct.size();
      if (hashRows > 0) {
        Map<Long, Integer> perRow = new HashMap<>();
        for (long key : distinct) {
          perRow.merge(bucket(key), 1, Integer::sum);
        }
        for (int c : perRow.values()) {
          sharing += c > 1 ? c : 0;
        }
      }
    }
    return new Collisions(keys, sharing);
  }

  private long bucket(long key) {
    return Long.remainderUnsigned(dev.emb4j.internal.store.IdRowMap.mix(key), hashRows);
  }

  /**
   * Trains on {@code train}, reporting RMSE and MAE on {@code validation} (if not null) after each epoch.
   *
   * @return the folded model, the users and items it knows, and how the run went
   * @throws IllegalArgumentException if there are no ratings
   * @throws TrainingDivergedException if the loss or a weight becomes NaN or infinite
   */
  public MatrixFactorizationTrainer.Result train(Ratings train, Ratings validation, TrainingListener listener) {
    if (train.size() == 0) {
      throw new IllegalArgumentException("the training set has no ratings");
    }
    long start = System.nanoTime();
    Prepared p = prepare(train, listener);
    int[] u = p.u();
    int[] i = p.i();
    IdIndex users = p.users();
    IdIndex items = p.items();
    SideFeatures.Bag[] userBags = p.userBags();
    SideFeatures.Bag[] itemBags = p.itemBags();
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : train.values()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    float lo = min;
    float hi = max;
    try (FeatureFactorization model =
        new FeatureFactorization(
            p.userKeys(), p.itemKeys(), config.dim(), (float) train.mean(), config.initStd(), config.seed(),
            config.dtype())) {
      MatrixFactorizationTrainer.Fit fit =
          MatrixFactorizationTrainer.fit(
              config, model, train, u, i,
              (bu, bi, br, ru, ri) ->
                  model.loss(batch(userBags, bu), batch(itemBags, bi), br, ru, ri, config.biasReg(), featureReg),
              () -> {
                Map<String, Double> figures = new LinkedHashMap<>();
                if (validation != null) {
                  try (MatrixFactorization folded = fold(model, userBags, itemBags, lo, hi)) {
                    RegressionMetrics m = MatrixFactorizationTrainer.evaluate(folded, users, items, validation);
                    figures.put("rmse", m.rmse());
                    figures.put("mae", m.mae());
                  }
                }
                return figures;
              },
              start, listener);
      MatrixFactorization folded = fold(model, userBags, itemBags, lo, hi);
      return new MatrixFactorizationTrainer.Result(
          folded, users, items, (System.nanoTime() - start) / 1e9, fit.finalLoss(), fit.history());
    }
  }

  /**
   * Trains on implicit feedback: every pair of {@code train} is an interaction (its rating is ignored), and each
   * step pairs each interaction with a negative item the user has no interaction with, drawn uniformly from the
   * known items by a generator seeded from {@link Config#seed()}, under the BPR objective (see {@link
   * FeatureFactorization}). A negative's factor L2 follows the same frequency rule as a positive's, an item never
   * interacted with counting once. After each epoch, HR@k and NDCG@k on {@code validation} (if not null) go into the
   * summary as {@code hr<k>} and {@code ndcg<k>}. The folded model scores {@code b_i + p_u . q_i}, unclipped.
   *
   * @return the folded model, the users and items it knows, and how the run went
   * @throws IllegalArgumentException if there are no interactions
   * @throws TrainingDivergedException if the loss or a weight becomes NaN or infinite
   */
  public MatrixFactorizationTrainer.Result trainImplicit(
      Ratings train, RankingEvaluation validation, TrainingListener listener) {
    if (train.size() == 0) {
      throw new IllegalArgumentException("the training set has no interactions");
    }
    long start = System.nanoTime();
    Prepared p = prepare(train, listener);
    int[][] seen = itemsOfEachUser(p.u(), p.i(), p.users().size());
    int itemCount = p.items().size();
    float[] negativeReg = config.rowRegularization(p.i(), itemCount);
    for (int k = 0; k < negativeReg.length; k++) {
      negativeReg[k] = Float.isInfinite(negativeReg[k]) ? (float) config.reg() : negativeReg[k];
    }
    SplittableRandom rng = new SplittableRandom(config.seed() ^ 0x9E3779B97F4A7C15L);
    try (FeatureFactorization model =
        new FeatureFactorization(
            p.userKeys(), p.itemKeys(), config.dim(), 0f, config.initStd(), config.seed(), config.dtype())) {
      MatrixFactorizationTrainer.Fit fit =
          MatrixFactorizationTrainer.fit(
              config, model, train, p.u(), p.i(),
              (bu, bi, br, ru, ri) -> {
                int b = bu.length;
                int[] both = Arrays.copyOf(bi, 2 * b);
                float[] rj = new float[b];
                for (int k = 0; k < b; k++) {
                  both[b + k] = negative(seen[bu[k]], bi[k], itemCount, rng);
                  rj[k] = negativeReg[both[b + k]];
                }
                return model.bprLoss(
                    batch(p.userBags(), bu), batch(p.itemBags(), both), ru, ri, rj, config.biasReg());
              },
              () -> {
                Map<String, Double> figures = new LinkedHashMap<>();
                if (validation != null) {
                  try (MatrixFactorization folded = foldUnclipped(model, p)) {
                    RankingMetrics m = validation.evaluate(folded, p.users(), p.items());
                    figures.put("hr" + m.cutoff(), m.hitRate());
                    figures.put("ndcg" + m.cutoff(), m.ndcg());
                  }
                }
                return figures;
              },
              start, listener);
      return new MatrixFactorizationTrainer.Result(
          foldUnclipped(model, p), p.users(), p.items(), (System.nanoTime() - start) / 1e9, fit.finalLoss(),
          fit.history());
    }
  }

  /** {@link #fold} with the scores of an implicit model, which are never clipped. */
  private MatrixFactorization foldUnclipped(FeatureFactorization model, Prepared p) {
    return fold(model, p.userBags(), p.itemBags(), -Float.MAX_VALUE, Float.MAX_VALUE);
  }

  /** Each dense user's dense items, sorted and distinct. */
  private static int[][] itemsOfEachUser(int[] u, int[] i, int users) {
    List<Set<Integer>> sets = new ArrayList<>();
    for (int k = 0; k < users; k++) {
      sets.add(new HashSet<>());
    }
    for (int k = 0; k < u.length; k++) {
      sets.get(u[k]).add(i[k]);
    }
    int[][] out = new int[users][];
    for (int k = 0; k < users; k++) {
      out[k] = sets.get(k).stream().mapToInt(Integer::intValue).sorted().toArray();
    }
    return out;
  }

  /**
   * A dense item outside {@code seen} (sorted), drawn uniformly from {@code 0..items-1}; the positive itself when the
   * user has interacted with every item, a triple without gradient.
   */
  private static int negative(int[] seen, int positive, int items, SplittableRandom rng) {
    if (seen.length >= items) {
      return positive;
    }
    while (true) {
      int j = rng.nextInt(items);
      if (Arrays.binarySearch(seen, j) < 0) {
        return j;
      }
    }
  }

  /**
   * What both objectives train from: each training pair's dense user and item, the numberings, each entity's bag
   * (through the hash trick if it is on) and the distinct keys of each side.
   */
  private record Prepared(
      int[] u, int[] i, IdIndex users, IdIndex items, SideFeatures.Bag[] userBags, SideFeatures.Bag[] itemBags,
      long userKeys, long itemKeys) {}

  /** The {@link Prepared} data of {@code train}, after telling {@code listener} what the tables will take. */
  private Prepared prepare(Ratings train, TrainingListener listener) {
    int[] u = new int[train.size()];
    int[] i = new int[train.size()];
    IdIndex[] index = entities(train, u, i);
    SideFeatures.Bag[] userBags = hashed(userBags(index, u, i));
    SideFeatures.Bag[] itemBags = hashed(rawBags(index[1], itemFeatures));
    long userKeys = distinctKeys(userBags);
    long itemKeys = distinctKeys(itemBags);
    listener.beforeAllocating(MatrixFactorizationTrainer.estimatedBytes(userKeys, itemKeys, config));
    return new Prepared(u, i, index[0], index[1], userBags, itemBags, userKeys, itemKeys);
  }

  /**
   * The users and items: those of {@code train} first (their dense ids written to {@code u} and {@code i}), then
   * those that only have features.
   */
  private IdIndex[] entities(Ratings train, int[] u, int[] i) {
    IdIndex users = new IdIndex();
    IdIndex items = new IdIndex();
    for (int k = 0; k < train.size(); k++) {
      u[k] = users.add(train.users()[k]);
      i[k] = items.add(train.items()[k]);
    }
    userFeatures.ids().forEach(users::add);
    itemFeatures.ids().forEach(items::add);
    return new IdIndex[] {users, items};
  }

  /** Each dense entity's bag: its id key and its features. */
  private static SideFeatures.Bag[] rawBags(IdIndex index, SideFeatures features) {
    SideFeatures.Bag[] out = new SideFeatures.Bag[index.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = features.bagOf(index.rawId(k));
    }
    return out;
  }

  /** Each dense user's raw bag, its training items appended if {@link #withRatedItems()} is on. */
  private SideFeatures.Bag[] userBags(IdIndex[] index, int[] u, int[] i) {
    SideFeatures.Bag[] out = rawBags(index[0], userFeatures);
    if (!ratedItems) {
      return out;
    }
    int[][] rated = itemsOfEachUser(u, i, out.length);
    for (int k = 0; k < out.length; k++) {
      SideFeatures.Bag bag = out[k];
      int n = bag.keys().length;
      long[] keys = Arrays.copyOf(bag.keys(), n + rated[k].length);
      float[] weights = Arrays.copyOf(bag.weights(), keys.length);
      for (int j = 0; j < rated[k].length; j++) {
        keys[n + j] = SideFeatures.key(SideFeatures.RATED_ITEM, index[1].rawId(rated[k][j]));
        weights[n + j] = (float) (1 / Math.sqrt(rated[k].length));
      }
      out[k] = new SideFeatures.Bag(keys, weights);
    }
    return out;
  }

  /** The bags with each key through the hash trick if it is on. */
  private SideFeatures.Bag[] hashed(SideFeatures.Bag[] bags) {
    SideFeatures.Bag[] out = bags.clone();
    for (int k = 0; hashRows > 0 && k < out.length; k++) {
      long[] keys = out[k].keys().clone();
      for (int j = 0; j < keys.length; j++) {
        keys[j] = bucket(keys[j]);
      }
      out[k] = new SideFeatures.Bag(keys, out[k].weights());
    }
    return out;
  }

  private static long distinctKeys(SideFeatures.Bag[] bags) {
    Set<Long> keys = new HashSet<>();
    for (SideFeatures.Bag b : bags) {
      for (long key : b.keys()) {
        keys.add(key);
      }
    }
    return keys.size();
  }

  /** The bags of the given entities, end to end, and their weights without each bag's first (id) key. */
  static FeatureFactorization.Bags batch(SideFeatures.Bag[] bags, int[] rows) {
    int total = 0;
    for (int r : rows) {
      total += bags[r].keys().length;
    }
    long[] keys = new long[total];
    float[] weights = new float[total];
    float[] featureWeights = new float[total];
    long[] offsets = new long[rows.length];
    int at = 0;
    for (int k = 0; k < rows.length; k++) {
      SideFeatures.Bag bag = bags[rows[k]];
      offsets[k] = at;
      System.arraycopy(bag.keys(), 0, keys, at, bag.keys().length);
      System.arraycopy(bag.weights(), 0, weights, at, bag.weights().length);
      System.arraycopy(bag.weights(), 1, featureWeights, at + 1, bag.weights().length - 1); // the id's stays 0
      at += bag.keys().length;
    }
    return new FeatureFactorization.Bags(
        IndexTensor.of(keys), IndexTensor.of(offsets), FloatTensor.wrap(Shape.of(total), weights),
        FloatTensor.wrap(Shape.of(total), featureWeights));
  }

  /** Every user's and item's pooled vector and bias as a plain biased MF. */
  private MatrixFactorization fold(
      FeatureFactorization model, SideFeatures.Bag[] userBags, SideFeatures.Bag[] itemBags, float min, float max) {
    MatrixFactorization mf =
        new MatrixFactorization(
            userBags.length, itemBags.length, model.dim(), model.globalMean(), min, max, 0, config.seed(),
            dev.emb4j.store.Storage.HEAP, config.dtype());
    int[] all = new int[Math.max(userBags.length, itemBags.length)];
    for (int k = 0; k < all.length; k++) {
      all[k] = k;
    }
    Map<String, dev.emb4j.nn.Parameter> params = mf.namedParameters();
    write(model.userVectors(batch(userBags, Arrays.copyOf(all, userBags.length))), params, "user");
    write(model.itemVectors(batch(itemBags, Arrays.copyOf(all, itemBags.length))), params, "item");
    return mf;
  }

  private static void write(FloatTensor[] vectors, Map<String, dev.emb4j.nn.Parameter> params, String side) {
    float[] factors = vectors[0].data();
    float[] biases = vectors[1].data();
    var weight = params.get(side + ".weight").value();
    var bias = params.get(side + "_bias.weight").value();
    int d = weight.dim();
    for (int r = 0; r < weight.rows(); r++) {
      weight.writeRow(r, factors, r * d);
      bias.writeRow(r, biases, r);
    }
  }
}
