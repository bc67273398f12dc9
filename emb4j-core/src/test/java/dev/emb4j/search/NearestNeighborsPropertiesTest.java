package dev.emb4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.store.HeapRowStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Every answer agrees with a brute-force scan in double precision. */
class NearestNeighborsPropertiesTest {
  private static final double TOLERANCE = 1e-4;

  private static float[] randomValues(Random rng, int n, boolean withDuplicates) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    if (withDuplicates && n > 0) {
      v[0] = 0; // sometimes a zero component; rows below may repeat to create exact ties
    }
    return v;
  }

  /** Reference scores of every row, in double, best first with ties by id. */
  private static List<double[]> reference(float[] data, int dim, float[] q, boolean cosine) {
    int rows = data.length / dim;
    double qn = 0;
    for (float x : q) {
      qn += (double) x * x;
    }
    qn = Math.sqrt(qn);
    List<double[]> out = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      double dot = 0;
      double rn = 0;
      for (int j = 0; j < dim; j++) {
        dot += (double) data[r * dim + j] * q[j];
        rn += (double) data[r * dim + j] * data[r * dim + j];
      }
      rn = Math.sqrt(rn);
      double s = cosine ? (rn == 0 || qn == 0 ? 0 : dot / (rn * qn)) : dot;
      out.add(new double[] {s, r});
    }
    out.sort(Comparator.<double[]>comparingDouble(a -> -a[0]).thenComparingDouble(a -> a[1]));
    return out;
  }

  @Property(tries = 300)
  void topKMatchesBruteForce(
      @ForAll @IntRange(min = 1, max = 300) int rows,
      @ForAll @IntRange(min = 1, max = 40) int dim,
      @ForAll @IntRange(min = 0, max = 25) int k,
      @ForAll @IntRange(min = 1, max = 3) int threads,
      @ForAll boolean cosine,
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    Random rng = new Random(seed);
    float[] data = randomValues(rng, rows * dim, false);
    if (rows > 3) {
      System.arraycopy(data, 0, data, dim, dim); // rows 0 and 1 equal: an exact tie
    }
    float[] q = randomValues(rng, dim, false);
    Similarity sim = cosine ? Similarity.COSINE : Similarity.DOT;
    try (NearestNeighbors nn = NearestNeighbors.over(HeapRowStore.wrap(data, dim), threads)) {
      List<Neighbor> got = nn.search(q, k, sim, null);
      List<double[]> ref = reference(data, dim, q, cosine);
      assertEquals(Math.min(k, rows), got.size());
      for (int i = 0; i < got.size(); i++) {
        Neighbor n = got.get(i);
        double scale = cosine ? 1 : Math.max(1, Math.abs(ref.get(0)[0]));
        assertEquals(ref.get(i)[0], n.score(), TOLERANCE * scale, "rank " + i + " score");
        assertEquals(ref.stream().filter(a -> a[1] == n.id()).findFirst().orElseThrow()[0], n.score(), TOLERANCE * scale, "row " + n.id());
        if (i > 0) {
          Neighbor p = got.get(i - 1);
          assertTrue(p.score() > n.score() || (p.score() == n.score() && p.id() < n.id()), "best first, ties by id");
        }
      }
    }
  }

  @Property(tries = 100)
  void similarExcludesTheQueryRowAndAnalogyItsInputs(
      @ForAll @IntRange(min = 4, max = 200) int rows,
      @ForAll @IntRange(min = 1, max = 16) int dim,
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    Random rng = new Random(seed);
    float[] data = randomValues(rng, rows * dim, false);
    try (NearestNeighbors nn = NearestNeighbors.over(HeapRowStore.wrap(data, dim), 2)) {
      long id = rng.nextInt(rows);
      List<Neighbor> near = nn.similar(id, rows, Similarity.COSINE);
      assertEquals(rows - 1, near.size());
      assertTrue(near.stream().noneMatch(n -> n.id() == id));
      long a = 0;
      long b = 1;
      long c = 2;
      List<Neighbor> an = nn.analogy(a, b, c, rows);
      assertEquals(rows - 3, an.size());
      assertTrue(an.stream().noneMatch(n -> n.id() == a || n.id() == b || n.id() == c));
      // The same as a search with the combined unit vectors, computed here in double.
      float[] q = new float[dim];
      for (long[] term : new long[][] {{a, 1}, {b, -1}, {c, 1}}) {
        double norm = 0;
        for (int j = 0; j < dim; j++) {
          norm += (double) data[(int) term[0] * dim + j] * data[(int) term[0] * dim + j];
        }
        norm = Math.sqrt(norm);
        for (int j = 0; j < dim; j++) {
          q[j] += (float) (term[1] * data[(int) term[0] * dim + j] / norm);
        }
      }
      List<double[]> ref = reference(data, dim, q, true);
      ref.removeIf(x -> x[1] == a || x[1] == b || x[1] == c);
      for (int i = 0; i < an.size(); i++) {
        assertEquals(ref.get(i)[0], an.get(i).score(), TOLERANCE);
      }
    }
  }
}
