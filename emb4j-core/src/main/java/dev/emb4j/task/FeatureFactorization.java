package dev.emb4j.task;

import dev.emb4j.autograd.Ops;
import dev.emb4j.autograd.Variable;
import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.BceWithLogitsLoss;
import dev.emb4j.nn.BagResult;
import dev.emb4j.nn.DynamicEmbeddingBag;
import dev.emb4j.nn.Initializer;
import dev.emb4j.nn.Model;
import dev.emb4j.nn.MseLoss;
import dev.emb4j.store.DType;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;

/**
 * Biased matrix factorisation over features: a user's vector is the weighted sum of the embeddings of its id and of
 * its features (age bucket, gender, ...), an item's likewise (its id, genres, year), and so are their biases:
 *
 * <pre>
 * r(u, i) = mu + sum_{f in u} x_f b_f + sum_{g in i} x_g b_g + (sum_{f in u} x_f v_f) . (sum_{g in i} x_g v_g)
 * </pre>
 *
 * <p>This is a factorisation machine over the user's and the item's features restricted to the user-item
 * interactions (the pairs within one side are constant for a user or an item, which its id's bias absorbs), so a
 * trained model folds exactly into a {@link MatrixFactorization} of per-user and per-item vectors: {@link
 * FeatureFactorizationTrainer} hands that on, and every {@link Recommender} operation works on it. All keys are raw
 * 64-bit ids (see {@link SideFeatures}) in four {@link DynamicEmbeddingBag}s (factors and biases of each side),
 * pooled with per-sample weights in SUM mode. Trained on ratings by squared error ({@code loss}) or on implicit
 * feedback by BPR ({@code bprLoss}). Parameters: {@code user.ids}, {@code user.table.weight}, and the same
 * for {@code item}, {@code user_bias} and {@code item_bias}.
 */
public final class FeatureFactorization extends Model {
  private final DynamicEmbeddingBag users;
  private final DynamicEmbeddingBag items;
  private final DynamicEmbeddingBag userBias;
  private final DynamicEmbeddingBag itemBias;
  private final float globalMean;

  /**
   * A model with room for {@code userKeys} user-side and {@code itemKeys} item-side keys, factors of size {@code dim}
   * drawn from N(0, initStd) in {@code dtype}, zero biases, and {@code globalMean} as mu.
   */
  public FeatureFactorization(
      long userKeys, long itemKeys, int dim, float globalMean, double initStd, long seed, DType dtype) {
    this.users = register("user", table(userKeys, dim, Initializer.normal(0, initStd, seed), dtype));
    this.items = register("item", table(itemKeys, dim, Initializer.normal(0, initStd, seed + 1), dtype));
    this.userBias = register("user_bias", table(userKeys, 1, Initializer.constant(0), DType.F32));
    this.itemBias = register("item_bias", table(itemKeys, 1, Initializer.constant(0), DType.F32));
    this.globalMean = globalMean;
  }

  private static DynamicEmbeddingBag table(long keys, int dim, Initializer init, DType dtype) {
    return DynamicEmbeddingBag.builder(Math.max(1, keys), dim)
        .mode(BagMode.SUM)
        .sparse(true)
        .dtype(dtype)
        .initializer(init)
        .build();
  }

  /**
   * The bags of a batch: for each of B samples, a run of keys in {@code keys} starting at {@code offsets[b]}, each
   * with its weight; the first key of each run is the entity's own id.
   *
   * @param keys the keys end to end
   * @param offsets where each sample's keys start
   * @param weights one weight per key
   * @param featureWeights {@code weights} with each run's first (id) key at weight 0: what pools the features alone
   */
  record Bags(IndexTensor keys, IndexTensor offsets, FloatTensor weights, FloatTensor featureWeights) {}

  /**
   * The training objective of a batch of B ratings: mean squared error, plus {@code userReg[b] * |p_b|^2 +
   * itemReg[b] * |q_b|^2}, {@code biasReg * (b_u^2 + b_i^2)} and {@code featureReg * (|f_b|^2 + |g_b|^2)} per
   * rating, divided by B, where p and q are the pooled user and item vectors and f and g their parts without the
   * ids (the weighted sums of the feature keys' factors alone).
   */
  Variable loss(
      Bags user, Bags item, float[] ratings, float[] userReg, float[] itemReg, double biasReg, double featureReg) {
    int b = ratings.length;
    Variable p = users.forward(user.keys(), user.offsets(), Variable.constant(user.weights()));
    Variable q = items.forward(item.keys(), item.offsets(), Variable.constant(item.weights()));
    Variable bu = Ops.reshape(userBias.forward(user.keys(), user.offsets(), Variable.constant(user.weights())), Shape.of(b));
    Variable bi = Ops.reshape(itemBias.forward(item.keys(), item.offsets(), Variable.constant(item.weights())), Shape.of(b));
    Variable dot = Ops.sumDim(Ops.mul(p, q), -1);
    Variable prediction = Ops.addScalar(Ops.add(Ops.add(dot, bu), bi), globalMean);
    Variable loss = new MseLoss().apply(prediction, FloatTensor.wrap(Shape.of(b), ratings));
    Variable l2 = Ops.add(weightedSquaredNorms(p, userReg), weightedSquaredNorms(q, itemReg));
    loss = Ops.add(loss, Ops.scale(l2, 1.0 / b));
    if (featureReg != 0) {
      Variable pf = users.forward(user.keys(), user.offsets(), Variable.constant(user.featureWeights()));
      Variable qf = items.forward(item.keys(), item.offsets(), Variable.constant(item.featureWeights()));
      loss = Ops.add(loss, Ops.scale(Ops.add(Ops.sum(Ops.mul(pf, pf)), Ops.sum(Ops.mul(qf, qf))), featureReg / b));
    }
    if (biasReg != 0) {
      loss = Ops.add(loss, Ops.scale(Ops.add(Ops.sum(Ops.mul(bu, bu)), Ops.sum(Ops.mul(bi, bi))), biasReg / b));
    }
    return loss;
  }

  /**
   * The BPR objective of a batch of B (user, positive item, negative item) triples (Rendle et al., 2009): the mean of
   * {@code -log sigmoid(x_ui - x_uj)} with {@code x_ui = b_i + p_u . q_i}, plus {@code userReg[b] * |p_b|^2 +
   * positiveReg[b] * |q_i|^2 + negativeReg[b] * |q_j|^2} and {@code biasReg * (b_i^2 + b_j^2)} per triple, divided by
   * B. The user's bias and mu cancel in the difference and get no gradient.
   *
   * @param user the B users' bags
   * @param items the B positive items' bags followed by the B negative items' bags
   */
  Variable bprLoss(Bags user, Bags items, float[] userReg, float[] positiveReg, float[] negativeReg, double biasReg) {
    int b = userReg.length;
    int[] positive = new int[b];
    int[] negative = new int[b];
    for (int k = 0; k < b; k++) {
      positive[k] = k;
      negative[k] = b + k;
    }
    Variable p = users.forward(user.keys(), user.offsets(), Variable.constant(user.weights()));
    Variable q = this.items.forward(items.keys(), items.offsets(), Variable.constant(items.weights()));
    Variable bias =
        Ops.reshape(itemBias.forward(items.keys(), items.offsets(), Variable.constant(items.weights())), Shape.of(2 * b));
    Variable qi = Ops.indexSelect(q, positive);
    Variable qj = Ops.indexSelect(q, negative);
    Variable bi = Ops.indexSelect(bias, positive);
    Variable bj = Ops.indexSelect(bias, negative);
    Variable margin = Ops.add(Ops.sumDim(Ops.mul(p, Ops.sub(qi, qj)), -1), Ops.sub(bi, bj));
    float[] ones = new float[b];
    java.util.Arrays.fill(ones, 1f);
    Variable loss = new BceWithLogitsLoss().apply(margin, FloatTensor.wrap(Shape.of(b), ones));
    Variable l2 =
        Ops.add(
            weightedSquaredNorms(p, userReg),
            Ops.add(weightedSquaredNorms(qi, positiveReg), weightedSquaredNorms(qj, negativeReg)));
    loss = Ops.add(loss, Ops.scale(l2, 1.0 / b));
    if (biasReg != 0) {
      loss = Ops.add(loss, Ops.scale(Ops.sum(Ops.mul(bias, bias)), biasReg / b));
    }
    return loss;
  }

  private static Variable weightedSquaredNorms(Variable x, float[] w) {
    Variable perRow = Ops.sumDim(Ops.mul(x, x), -1);
    return Ops.sum(Ops.mul(perRow, Variable.constant(FloatTensor.wrap(Shape.of(w.length), w))));
  }

  /** The pooled factors {@code (B, D)} and biases {@code (B, 1)} of the user side's bags, without admitting keys. */
  FloatTensor[] userVectors(Bags bags) {
    return vectors(users, userBias, bags);
  }

  /** The pooled factors and biases of the item side's bags. */
  FloatTensor[] itemVectors(Bags bags) {
    return vectors(items, itemBias, bags);
  }

  private static FloatTensor[] vectors(DynamicEmbeddingBag factors, DynamicEmbeddingBag bias, Bags bags) {
    BagResult f = factors.lookup(bags.keys(), bags.offsets(), bags.weights());
    BagResult b = bias.lookup(bags.keys(), bags.offsets(), bags.weights());
    return new FloatTensor[] {f.output(), b.output()};
  }

  /** The factor size D. */
  public int dim() {
    return users.embeddingDim();
  }

  /** mu. */
  public float globalMean() {
    return globalMean;
  }
}
