package dev.emb4j.task;

import dev.emb4j.store.DType;
import dev.emb4j.store.RowStore;
import dev.emb4j.store.Storage;
import java.util.List;
import java.util.Objects;

/**
 * The weighted sum of two biased matrix factorisations as one: {@code a * r1(u, i) + (1 - a) * r2(u, i)} is again
 * biased MF, with user vector {@code [a p1_u, (1 - a) p2_u]}, item vector {@code [q1_i, q2_i]}, and the global means
 * and biases mixed in the same proportion. The blend is clipped once, to the shared rating range, where the parts
 * were clipped each on its own; a pair with an unknown user or item gets the weighted sum of what each part gives it.
 */
public final class FactorizationBlend {
  private FactorizationBlend() {}

  /**
   * {@code weight * first + (1 - weight) * second}, over the users and items of {@code first} in its numbering.
   *
   * @param first a trained model
   * @param weight the share of {@code first}, in [0, 1]
   * @param second a trained model that clips to the same rating range and knows some or all of {@code first}'s users
   *     and items, in any numbering; for a user or item it does not know, it contributes what it predicts for an
   *     unknown one (its mean plus the other side's bias), as in {@code first}'s own fallback
   * @return the blend in float32 tables on the heap, with {@code first}'s ids, the parts' summed training time, no
   *     history and a NaN final loss (a blend is not trained)
   * @throws IllegalArgumentException for a weight outside [0, 1], a user or item known to {@code second} but not to
   *     {@code first}, or parts that clip to different rating ranges; nothing is allocated then
   */
  public static MatrixFactorizationTrainer.Result of(
      MatrixFactorizationTrainer.Result first, double weight, MatrixFactorizationTrainer.Result second) {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    if (!(weight >= 0 && weight <= 1)) {
      throw new IllegalArgumentException("the blend weight must be in [0, 1], got " + weight);
    }
    int[] userRow = rows("user", first.users(), second.users());
    int[] itemRow = rows("item", first.items(), second.items());
    MatrixFactorization a = first.model();
    MatrixFactorization b = second.model();
    if (a.minRating() != b.minRating() || a.maxRating() != b.maxRating()) {
      throw new IllegalArgumentException(
          "the parts clip to different rating ranges: " + a.minRating() + ".." + a.maxRating() + " and "
              + b.minRating() + ".." + b.maxRating());
    }
    int da = a.userFactors().embeddingDim();
    int db = b.userFactors().embeddingDim();
    float wa = (float) weight;
    float wb = (float) (1 - weight);
    MatrixFactorization blend =
        new MatrixFactorization(
            userRow.length, itemRow.length, da + db, wa * a.globalMean() + wb * b.globalMean(), a.minRating(),
            a.maxRating(), 0, 0, Storage.HEAP, DType.F32);
    var params = blend.namedParameters();
    write(a.userFactors().weight(), b.userFactors().weight(), userRow, wa, wb, params.get("user.weight").value());
    write(a.itemFactors().weight(), b.itemFactors().weight(), itemRow, 1, 1, params.get("item.weight").value());
    var pa = a.namedParameters();
    var pb = b.namedParameters();
    mixBiases(pa.get("user_bias.weight").value(), pb.get("user_bias.weight").value(), userRow, wa, wb,
        params.get("user_bias.weight").value());
    mixBiases(pa.get("item_bias.weight").value(), pb.get("item_bias.weight").value(), itemRow, wa, wb,
        params.get("item_bias.weight").value());
    return new MatrixFactorizationTrainer.Result(
        blend, first.users(), first.items(), first.seconds() + second.seconds(), Double.NaN, List.of());
  }

  /**
   * For each dense row of {@code a}, the row of the same raw id in {@code b}, or -1 where {@code b} does not know it;
   * refused when {@code b} knows an id that {@code a} does not.
   */
  private static int[] rows(String side, IdIndex a, IdIndex b) {
    int[] out = new int[a.size()];
    int matched = 0;
    for (int r = 0; r < out.length; r++) {
      out[r] = b.indexOf(a.rawId(r));
      matched += out[r] >= 0 ? 1 : 0;
    }
    if (matched < b.size()) {
      for (int r = 0; r < b.size(); r++) {
        if (a.indexOf(b.rawId(r)) < 0) {
          throw new IllegalArgumentException(
              side + " " + b.rawId(r) + " is known to the second part but not to the first (" + (b.size() - matched)
                  + " such " + side + "s); the second part's " + side + "s must be among the first's");
        }
      }
    }
    return out;
  }

  private static void write(RowStore a, RowStore b, int[] bRow, float wa, float wb, RowStore out) {
    int da = a.dim();
    int db = b.dim();
    float[] row = new float[da + db];
    float[] tail = new float[db];
    for (int r = 0; r < bRow.length; r++) {
      a.readRow(r, row, 0);
      if (bRow[r] >= 0) {
        b.readRow(bRow[r], tail, 0);
      } else {
        java.util.Arrays.fill(tail, 0f);
      }
      for (int j = 0; j < da; j++) {
        row[j] *= wa;
      }
      for (int j = 0; j < db; j++) {
        row[da + j] = wb * tail[j];
      }
      out.writeRow(r, row, 0);
    }
  }

  private static void mixBiases(RowStore a, RowStore b, int[] bRow, float wa, float wb, RowStore out) {
    for (int r = 0; r < bRow.length; r++) {
      out.set(r, 0, wa * a.get(r, 0) + (bRow[r] >= 0 ? wb * b.get(bRow[r], 0) : 0));
    }
  }
}
