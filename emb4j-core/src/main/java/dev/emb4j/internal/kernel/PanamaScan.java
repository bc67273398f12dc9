package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaVectors.L;
import static dev.emb4j.internal.kernel.PanamaVectors.S;

import jdk.incubator.vector.FloatVector;

/**
 * The scan on the Vector API. A tile stores {@link SimilarityScan#TILE_ROWS} rows column by column, so one vector
 * load gives one column of {@link PanamaVectors#L} rows (a "unit"), multiplied by the query's value in that column,
 * broadcast: each lane sums its own row in column order, with no reduction across lanes, exactly as {@link
 * ScalarScan} does at any vector width.
 *
 * <p>One query scores four units at a time (four independent sums in flight); several queries score four units by
 * two queries at a time, eight sums that share each loaded row vector and each broadcast query value, so that the
 * loop is bound by the multiplies and adds rather than by the loads. (Four units by four queries ran five times
 * slower: C2's inlining budget ran out inside the loop and left some adds on the library's Java fallback.)
 */
final class PanamaScan implements ScanSupport {
  private static final int T = SimilarityScan.TILE_ROWS;

  /** Units (vectors of L rows) per tile. */
  private static final int UNITS_PER_TILE = T / L;

  @Override
  public void dotTiles(float[] rows, int firstTile, int tiles, int dim, float[] q, float[] out) {
    oneQuery(rows, firstTile, tiles * UNITS_PER_TILE, dim, q, 0, out, 0);
  }

  @Override
  public void dotTilesMulti(float[] rows, int firstTile, int tiles, int dim, float[] qs, int queries, float[] out, int outStride) {
    int units = tiles * UNITS_PER_TILE;
    int i = 0;
    for (; i + 2 <= queries; i += 2) {
      int u = 0;
      for (; u + 4 <= units; u += 4) {
        fourByTwoBody(rows, base(firstTile, u, dim), base(firstTile, u + 1, dim), base(firstTile, u + 2, dim),
            base(firstTile, u + 3, dim), dim, qs, i * dim, out, i * outStride + u * L, outStride);
      }
      for (int qi = i; qi < i + 2; qi++) {
        for (int v = u; v < units; v++) {
          oneUnit(rows, base(firstTile, v, dim), dim, qs, qi * dim, out, qi * outStride + v * L);
        }
      }
    }
    for (; i < queries; i++) {
      oneQuery(rows, firstTile, units, dim, qs, i * dim, out, i * outStride);
    }
  }

  /** Where unit {@code u} (counted from tile {@code firstTile}) starts: its first column. */
  private static int base(int firstTile, int u, int dim) {
    return (firstTile + u / UNITS_PER_TILE) * T * dim + (u % UNITS_PER_TILE) * L;
  }

  private static void oneQuery(float[] rows, int firstTile, int units, int dim, float[] qs, int q, float[] out, int at) {
    int u = 0;
    for (; u + 4 <= units; u += 4) {
      fourUnitsBody(rows, base(firstTile, u, dim), base(firstTile, u + 1, dim), base(firstTile, u + 2, dim),
          base(firstTile, u + 3, dim), dim, qs, q, out, at + u * L);
    }
    for (; u < units; u++) {
      oneUnit(rows, base(firstTile, u, dim), dim, qs, q, out, at + u * L);
    }
  }

  private static void fourUnitsBody(float[] rows, int b0, int b1, int b2, int b3, int dim, float[] qs, int q, float[] out, int at) {
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    for (int j = 0; j < dim; j++) {
      FloatVector x = FloatVector.broadcast(S, qs[q + j]);
      int c = j * T;
      a0 = a0.add(FloatVector.fromArray(S, rows, b0 + c).mul(x));
      a1 = a1.add(FloatVector.fromArray(S, rows, b1 + c).mul(x));
      a2 = a2.add(FloatVector.fromArray(S, rows, b2 + c).mul(x));
      a3 = a3.add(FloatVector.fromArray(S, rows, b3 + c).mul(x));
    }
    a0.intoArray(out, at);
    a1.intoArray(out, at + L);
    a2.intoArray(out, at + 2 * L);
    a3.intoArray(out, at + 3 * L);
  }

  private static void fourByTwoBody(
      float[] rows, int b0, int b1, int b2, int b3, int dim, float[] qs, int q, float[] out, int at, int outStride) {
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a01 = a00;
    FloatVector a02 = a00;
    FloatVector a03 = a00;
    FloatVector a10 = a00;
    FloatVector a11 = a00;
    FloatVector a12 = a00;
    FloatVector a13 = a00;
    int q1 = q + dim;
    for (int j = 0; j < dim; j++) {
      int c = j * T;
      FloatVector r0 = FloatVector.fromArray(S, rows, b0 + c);
      FloatVector r1 = FloatVector.fromArray(S, rows, b1 + c);
      FloatVector r2 = FloatVector.fromArray(S, rows, b2 + c);
      FloatVector r3 = FloatVector.fromArray(S, rows, b3 + c);
      FloatVector x = FloatVector.broadcast(S, qs[q + j]);
      a00 = a00.add(r0.mul(x));
      a01 = a01.add(r1.mul(x));
      a02 = a02.add(r2.mul(x));
      a03 = a03.add(r3.mul(x));
      FloatVector y = FloatVector.broadcast(S, qs[q1 + j]);
      a10 = a10.add(r0.mul(y));
      a11 = a11.add(r1.mul(y));
      a12 = a12.add(r2.mul(y));
      a13 = a13.add(r3.mul(y));
    }
    a00.intoArray(out, at);
    a01.intoArray(out, at + L);
    a02.intoArray(out, at + 2 * L);
    a03.intoArray(out, at + 3 * L);
    a10.intoArray(out, at + outStride);
    a11.intoArray(out, at + outStride + L);
    a12.intoArray(out, at + outStride + 2 * L);
    a13.intoArray(out, at + outStride + 3 * L);
  }

  private static void oneUnit(float[] rows, int b, int dim, float[] qs, int q, float[] out, int at) {
    FloatVector a = FloatVector.zero(S);
    for (int j = 0; j < dim; j++) {
      a = a.add(FloatVector.fromArray(S, rows, b + j * T).mul(FloatVector.broadcast(S, qs[q + j])));
    }
    a.intoArray(out, at);
  }
}
