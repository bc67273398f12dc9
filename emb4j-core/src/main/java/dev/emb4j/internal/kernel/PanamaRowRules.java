package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.S;
import static dev.emb4j.internal.kernel.PanamaVectors.SD;
import static dev.emb4j.internal.kernel.PanamaVectors.scale;

import dev.emb4j.internal.store.RowMemory;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Vector API twins of the library's {@link RowRule}s: each body updates one row in place, in heap arrays, with
 * the same float32 operations in the same order as the rule's {@link RowRule#apply} (row-wise Adagrad's double sum of
 * squares aside, which sums in another order).
 *
 * <p>A body reads the row's gradient where it lies: {@code zero + src[so + j]}, times {@code scales[e]} when {@code
 * scales != null}. {@code zero} is {@code +0f} for a sparse row, whose gradient is a sum started from zero (as {@code
 * coalesce} gives it: never -0), and {@code -0f} for a dense gradient used as it is ({@code -0f + x == x} for every
 * float). The bodies loop to {@code S.loopBound(d)} (see {@link PanamaVectors}).
 */
final class PanamaRowRules {
  private PanamaRowRules() {}

  /** Whether {@code rule} has a twin here (the library's rules); any other rule runs through its scalar form. */
  static boolean hasTwin(RowRule rule) {
    return rule instanceof RowRule.Sgd
        || rule instanceof RowRule.SgdMomentum
        || rule instanceof RowRule.Adagrad
        || rule instanceof RowRule.RowWiseAdagrad
        || rule instanceof RowRule.SparseAdam
        || rule instanceof RowRule.Adam;
  }

  /**
   * Applies {@code rule}'s twin to the parameter row at {@code w[wo ..]} and to row {@code row} of each state slot (in
   * heap memory), with the gradient {@code zero + src[so ..]} (times {@code scales[e]} when not null).
   */
  static void update(
      RowRule rule, float[] w, int wo, RowMemory[] slots, long row, float[] src, int so, float[] scales, int e,
      float zero, int d) {
    switch (rule) {
      case RowRule.Sgd r -> sgd(w, wo, src, so, scales, e, zero, d, r);
      case RowRule.SgdMomentum r ->
          sgdMomentum(w, wo, slots[0].array(row), slots[0].index(row), src, so, scales, e, zero, d, r);
      case RowRule.Adagrad r ->
          adagrad(w, wo, slots[0].array(row), slots[0].index(row), src, so, scales, e, zero, d, r);
      case RowRule.RowWiseAdagrad r ->
          rowWiseAdagrad(w, wo, slots[0].array(row), slots[0].index(row), src, so, scales, e, zero, d, r);
      case RowRule.SparseAdam r ->
          sparseAdam(w, wo, slots[0].array(row), slots[0].index(row), slots[1].array(row), slots[1].index(row), src,
              so, scales, e, zero, d, r);
      case RowRule.Adam r ->
          adam(w, wo, slots[0].array(row), slots[0].index(row), slots[1].array(row), slots[1].index(row),
              r.amsgrad() ? slots[2].array(row) : null, r.amsgrad() ? slots[2].index(row) : 0, src, so, scales, e,
              zero, d, r);
      default -> throw new IllegalArgumentException(rule + " has no Vector API twin");
    }
  }

  /** The gradient's lanes {@code [p, p + L)}: {@code zero + value(e)}. */
  private static FloatVector gradient(float[] src, int p, float[] scales, int e, float zero) {
    return FloatVector.broadcast(S, zero).add(scale(FloatVector.fromArray(S, src, p), scales, e));
  }

  /** The gradient's value at {@code p}, as {@link #gradient}. */
  private static float gradientAt(float[] src, int p, float[] scales, int e, float zero) {
    return zero + (scales == null ? src[p] : src[p] * scales[e]);
  }

  /** {@code x + wd * w[p ..]}, or {@code x} without weight decay. */
  private static FloatVector decayed(FloatVector x, float[] w, int p, float wd) {
    return wd != 0 ? x.add(FloatVector.fromArray(S, w, p).mul(wd)) : x;
  }

  /** {@code x + wd * w}, or {@code x} without weight decay. */
  private static float decayed(float x, float w, float wd) {
    return wd != 0 ? x + wd * w : x;
  }

  static void sgd(float[] w, int wo, float[] src, int so, float[] scales, int e, float zero, int d, RowRule.Sgd r) {
    float minusLr = r.minusLr();
    float wd = r.weightDecay();
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector x = decayed(gradient(src, so + j, scales, e, zero), w, wo + j, wd).mul(minusLr);
      FloatVector.fromArray(S, w, wo + j).add(x).intoArray(w, wo + j);
    }
    // scalar tail
    for (; j < d; j++) {
      w[wo + j] += minusLr * decayed(gradientAt(src, so + j, scales, e, zero), w[wo + j], wd);
    }
  }

  static void sgdMomentum(
      float[] w, int wo, float[] buf, int bo, float[] src, int so, float[] scales, int e, float zero, int d,
      RowRule.SgdMomentum r) {
    float minusLr = r.minusLr();
    float wd = r.weightDecay();
    float momentum = r.momentum();
    float oneMinusDampening = r.oneMinusDampening();
    boolean first = r.first();
    boolean nesterov = r.nesterov();
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector dj = decayed(gradient(src, so + j, scales, e, zero), w, wo + j, wd);
      FloatVector b = first ? dj : FloatVector.fromArray(S, buf, bo + j).mul(momentum).add(dj.mul(oneMinusDampening));
      b.intoArray(buf, bo + j);
      FloatVector step = (nesterov ? dj.add(b.mul(momentum)) : b).mul(minusLr);
      FloatVector.fromArray(S, w, wo + j).add(step).intoArray(w, wo + j);
    }
    // scalar tail
    for (; j < d; j++) {
      float dj = decayed(gradientAt(src, so + j, scales, e, zero), w[wo + j], wd);
      float b = first ? dj : buf[bo + j] * momentum + oneMinusDampening * dj;
      buf[bo + j] = b;
      w[wo + j] += minusLr * (nesterov ? dj + momentum * b : b);
    }
  }

  static void adagrad(
      float[] w, int wo, float[] sum, int sumo, float[] src, int so, float[] scales, int e, float zero, int d,
      RowRule.Adagrad r) {
    float minusClr = r.minusClr();
    float wd = r.weightDecay();
    float eps = r.eps();
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector gj = decayed(gradient(src, so + j, scales, e, zero), w, wo + j, wd);
      FloatVector acc = FloatVector.fromArray(S, sum, sumo + j).add(gj.mul(gj));
      acc.intoArray(sum, sumo + j);
      FloatVector step = gj.div(acc.lanewise(VectorOperators.SQRT).add(eps)).mul(minusClr);
      FloatVector.fromArray(S, w, wo + j).add(step).intoArray(w, wo + j);
    }
    // scalar tail
    for (; j < d; j++) {
      float gj = decayed(gradientAt(src, so + j, scales, e, zero), w[wo + j], wd);
      float acc = sum[sumo + j] + gj * gj;
      sum[sumo + j] = acc;
      w[wo + j] += minusClr * (gj / ((float) Math.sqrt(acc) + eps));
    }
  }

  /**
   * Row-wise Adagrad from the gradient where it lies: one pass for the sum of squares, one for the update, each
   * adding the weight decay to the gradient again (the same floats), so that nothing is stored and read back.
   */
  static void rowWiseAdagrad(
      float[] w, int wo, float[] sum, int sumo, float[] src, int so, float[] scales, int e, float zero, int d,
      RowRule.RowWiseAdagrad r) {
    float wd = r.weightDecay();
    DoubleVector sq0 = DoubleVector.zero(SD);
    DoubleVector sq1 = sq0;
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector x = decayed(gradient(src, so + j, scales, e, zero), w, wo + j, wd);
      DoubleVector lo = (DoubleVector) x.convertShape(VectorOperators.F2D, SD, 0);
      DoubleVector hi = (DoubleVector) x.convertShape(VectorOperators.F2D, SD, 1);
      sq0 = sq0.add(lo.mul(lo));
      sq1 = sq1.add(hi.mul(hi));
    }
    // reduce, lane by lane in a fixed order (see PanamaVectors.sumLanes)
    DoubleVector sq = sq0.add(sq1);
    double squares = 0;
    for (int lane = 0; lane < SD.length(); lane++) {
      squares += sq.lane(lane);
    }
    // scalar tail
    for (; j < d; j++) {
      float x = decayed(gradientAt(src, so + j, scales, e, zero), w[wo + j], wd);
      squares += (double) x * x;
    }
    float acc = (float) (sum[sumo] + squares / d);
    sum[sumo] = acc;
    float minusMultiplier = (float) (-r.lr() / (Math.sqrt(acc) + r.eps()));
    j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector x = decayed(gradient(src, so + j, scales, e, zero), w, wo + j, wd);
      FloatVector.fromArray(S, w, wo + j).add(x.mul(minusMultiplier)).intoArray(w, wo + j);
    }
    // scalar tail
    for (; j < d; j++) {
      float x = decayed(gradientAt(src, so + j, scales, e, zero), w[wo + j], wd);
      w[wo + j] += minusMultiplier * x;
    }
  }

  static void sparseAdam(
      float[] w, int wo, float[] m, int mo, float[] v, int vo, float[] src, int so, float[] scales, int e, float zero,
      int d, RowRule.SparseAdam r) {
    float b1 = r.oneMinusB1();
    float b2 = r.oneMinusB2();
    float eps = r.eps();
    float minusStep = r.minusStepSize();
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector gj = gradient(src, so + j, scales, e, zero);
      FloatVector mOld = FloatVector.fromArray(S, m, mo + j);
      FloatVector vOld = FloatVector.fromArray(S, v, vo + j);
      FloatVector mj = mOld.add(gj.sub(mOld).mul(b1));
      FloatVector vj = vOld.add(gj.mul(gj).sub(vOld).mul(b2));
      mj.intoArray(m, mo + j);
      vj.intoArray(v, vo + j);
      FloatVector step = mj.div(vj.lanewise(VectorOperators.SQRT).add(eps)).mul(minusStep);
      FloatVector.fromArray(S, w, wo + j).add(step).intoArray(w, wo + j);
    }
    // scalar tail
    for (; j < d; j++) {
      float gj = gradientAt(src, so + j, scales, e, zero);
      float mOld = m[mo + j];
      float vOld = v[vo + j];
      float mj = mOld + (gj - mOld) * b1;
      float vj = vOld + (gj * gj - vOld) * b2;
      m[mo + j] = mj;
      v[vo + j] = vj;
      w[wo + j] += minusStep * (mj / ((float) Math.sqrt(vj) + eps));
    }
  }

  /** Adam and AdamW; {@code vMax} is null without AMSGrad. */
  static void adam(
      float[] w, int wo, float[] m, int mo, float[] v, int vo, float[] vMax, int xo, float[] src, int so,
      float[] scales, int e, float zero, int d, RowRule.Adam r) {
    float b1 = r.b1();
    float b2 = r.b2();
    float oneMinusB1 = r.oneMinusB1();
    float oneMinusB2 = r.oneMinusB2();
    float minusStep = r.minusStepSize();
    float bc2Sqrt = r.bc2Sqrt();
    float eps = r.eps();
    float l2 = r.l2();
    float decay = r.decay();
    int j = 0;
    for (int bound = S.loopBound(d); j < bound; j += L) {
      FloatVector wj = FloatVector.fromArray(S, w, wo + j);
      FloatVector dj = decayed(gradient(src, so + j, scales, e, zero), w, wo + j, l2);
      FloatVector x = decay != 1f ? wj.mul(decay) : wj;
      FloatVector mj = FloatVector.fromArray(S, m, mo + j).mul(b1).add(dj.mul(oneMinusB1));
      FloatVector vj = FloatVector.fromArray(S, v, vo + j).mul(b2).add(dj.mul(dj).mul(oneMinusB2));
      mj.intoArray(m, mo + j);
      vj.intoArray(v, vo + j);
      FloatVector second = vj;
      if (vMax != null) {
        second = FloatVector.fromArray(S, vMax, xo + j).max(vj);
        second.intoArray(vMax, xo + j);
      }
      FloatVector denom = second.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
      x.add(mj.div(denom).mul(minusStep)).intoArray(w, wo + j);
    }
    // scalar tail
    for (; j < d; j++) {
      float dj = decayed(gradientAt(src, so + j, scales, e, zero), w[wo + j], l2);
      float x = decay != 1f ? w[wo + j] * decay : w[wo + j];
      float mj = m[mo + j] * b1 + oneMinusB1 * dj;
      float vj = v[vo + j] * b2 + oneMinusB2 * (dj * dj);
      m[mo + j] = mj;
      v[vo + j] = vj;
      float second = vj;
      if (vMax != null) {
        second = Math.max(vMax[xo + j], vj);
        vMax[xo + j] = second;
      }
      w[wo + j] = x + minusStep * (mj / ((float) Math.sqrt(second) / bc2Sqrt + eps));
    }
  }
}
