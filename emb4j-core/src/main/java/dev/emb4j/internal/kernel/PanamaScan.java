package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.S;
import static dev.emb4j.internal.kernel.PanamaVectors.sumLanes;

import jdk.incubator.vector.FloatVector;

/**
 * The scan on the Vector API: four rows at a time, so that each query vector loaded serves four rows, with two
 * accumulators per row (even and odd vectors) so that eight independent additions are in flight. Rows are padded to a
 * multiple of {@link SimilarityScan#ROW_ALIGN} floats, so there is no scalar tail. Same operations in the same order
 * as {@link ScalarScan} at {@link PanamaVectors#L} lanes.
 */
final class PanamaScan implements ScanSupport {
  @Override
  public void dotRows(float[] rows, int first, int count, int stride, float[] q, float[] out) {
    int i = 0;
    for (; i + 4 <= count; i += 4) {
      dotFourBody(rows, (first + i) * stride, stride, q, out, i);
    }
    for (; i < count; i++) {
      out[i] = dotOne(rows, (first + i) * stride, stride, q);
    }
  }

  private static void dotFourBody(float[] rows, int base, int stride, float[] q, float[] out, int at) {
    FloatVector e0 = FloatVector.zero(S);
    FloatVector e1 = e0;
    FloatVector e2 = e0;
    FloatVector e3 = e0;
    FloatVector o0 = e0;
    FloatVector o1 = e0;
    FloatVector o2 = e0;
    FloatVector o3 = e0;
    int j = 0;
    for (; j + 2 * L <= stride; j += 2 * L) {
      FloatVector qe = FloatVector.fromArray(S, q, j);
      FloatVector qo = FloatVector.fromArray(S, q, j + L);
      e0 = e0.add(FloatVector.fromArray(S, rows, base + j).mul(qe));
      o0 = o0.add(FloatVector.fromArray(S, rows, base + j + L).mul(qo));
      e1 = e1.add(FloatVector.fromArray(S, rows, base + stride + j).mul(qe));
      o1 = o1.add(FloatVector.fromArray(S, rows, base + stride + j + L).mul(qo));
      e2 = e2.add(FloatVector.fromArray(S, rows, base + 2 * stride + j).mul(qe));
      o2 = o2.add(FloatVector.fromArray(S, rows, base + 2 * stride + j + L).mul(qo));
      e3 = e3.add(FloatVector.fromArray(S, rows, base + 3 * stride + j).mul(qe));
      o3 = o3.add(FloatVector.fromArray(S, rows, base + 3 * stride + j + L).mul(qo));
    }
    if (j < stride) { // an odd number of vectors: the last one is even
      FloatVector qe = FloatVector.fromArray(S, q, j);
      e0 = e0.add(FloatVector.fromArray(S, rows, base + j).mul(qe));
      e1 = e1.add(FloatVector.fromArray(S, rows, base + stride + j).mul(qe));
      e2 = e2.add(FloatVector.fromArray(S, rows, base + 2 * stride + j).mul(qe));
      e3 = e3.add(FloatVector.fromArray(S, rows, base + 3 * stride + j).mul(qe));
    }
    // reduce
    out[at] = sumLanes(e0.add(o0));
    out[at + 1] = sumLanes(e1.add(o1));
    out[at + 2] = sumLanes(e2.add(o2));
    out[at + 3] = sumLanes(e3.add(o3));
  }

  private static float dotOne(float[] rows, int base, int stride, float[] q) {
    FloatVector e = FloatVector.zero(S);
    FloatVector o = e;
    int j = 0;
    for (; j + 2 * L <= stride; j += 2 * L) {
      e = e.add(FloatVector.fromArray(S, rows, base + j).mul(FloatVector.fromArray(S, q, j)));
      o = o.add(FloatVector.fromArray(S, rows, base + j + L).mul(FloatVector.fromArray(S, q, j + L)));
    }
    if (j < stride) {
      e = e.add(FloatVector.fromArray(S, rows, base + j).mul(FloatVector.fromArray(S, q, j)));
    }
    // reduce
    return sumLanes(e.add(o));
  }
}
