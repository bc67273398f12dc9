package dev.emb4j.internal.kernel;

import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.RULES;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.assertSameState;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.bagStarts;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.ids;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.mem;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.mems;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.slots;
import static dev.emb4j.internal.kernel.PanamaKernelsAgreementTest.table;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.emb4j.store.RowStore;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The Vector API kernels against the scalar reference over row widths that reach past every vector loop: 1 to 39
 * floats (twice the widest vector, 16 floats, plus a tail of 7) and wider rows that fill the 8-vector blocks of the
 * bag sums and leave single vectors and a tail (129, 300). Run at the CPU's width and, by the build, at a forced
 * 128 bits ({@code -Demb4j.vectorBits=128}). Needs {@code --add-modules jdk.incubator.vector}.
 */
class KernelTwinsPropertiesTest {
  private final KernelSupport scalar = new ScalarKernels();
  private final KernelSupport panama = new PanamaKernels();

  @Provide
  Arbitrary<Integer> dims() {
    return Arbitraries.oneOf(Arbitraries.integers().between(1, 2 * 16 + 7), Arbitraries.of(64, 128, 129, 300));
  }

  @Provide
  Arbitrary<String> smallKinds() {
    return Arbitraries.of("heap", "offheap");
  }

  @Provide
  Arbitrary<String> kinds() {
    return Arbitraries.of("heap", "offheap", "heap, rows from a cache line");
  }

  @Property(tries = 60)
  void everyRuleTwinUpdatesSparseAndDenseRowsAsItsScalarForm(
      @ForAll("dims") int dim, @ForAll("smallKinds") String kind, @ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] src = new float[5 * dim];
    float[] scales = new float[5];
    for (int i = 0; i < src.length; i++) {
      src[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < scales.length; i++) {
      scales[i] = (float) rnd.nextGaussian();
    }
    for (RowRule rule : RULES) {
      try (RowStore wa = table(6, dim, kind, seed);
          RowStore wb = table(6, dim, kind, seed);
          RowStore g = table(wa.rows(), dim, "heap", seed + 1)) {
        RowStore[] sa = slots(rule, wa.rows(), dim, seed + 2);
        RowStore[] sb = slots(rule, wb.rows(), dim, seed + 2);
        StepScratch scratch = StepScratch.of(dim, mems(sa), new float[0], 0);
        for (int e = 0; e < 5; e++) {
          long row = rnd.nextLong(6);
          float[] sc = e % 2 == 0 ? scales : null;
          scalar.updateRow(rule, mem(wa), mems(sa), row, src, e * dim, sc, e, scratch);
          panama.updateRow(rule, mem(wb), mems(sb), row, src, e * dim, sc, e, scratch);
        }
        scalar.updateDenseRows(rule, wa, sa, g);
        panama.updateDenseRows(rule, wb, sb, g);
        assertSameState(rule + ", dim " + dim + ", " + kind, rule, wa, sa, wb, sb);
      }
    }
  }

  @Property(tries = 60)
  void gathersAndBagSumsEqualTheScalarOnes(
      @ForAll("dims") int dim, @ForAll("kinds") String kind, @ForAll long seed) {
    try (RowStore w = table(40, dim, kind, seed)) {
      long[] ids = ids(120, 40, seed);
      float[] a = new float[ids.length * dim];
      float[] b = new float[ids.length * dim];
      scalar.gatherRows(w, ids, 0, ids.length, a);
      panama.gatherRows(w, ids, 0, ids.length, b);
      assertArrayEquals(a, b, "gather");
      int[] starts = bagStarts(ids.length, seed);
      int bags = starts.length - 1;
      float[] psw = new float[ids.length];
      SplittableRandom rnd = new SplittableRandom(seed);
      for (int i = 0; i < psw.length; i++) {
        psw[i] = (float) rnd.nextGaussian();
      }
      for (float[] weights : new float[][] {null, psw}) {
        float[] x = new float[bags * dim];
        float[] y = new float[bags * dim];
        scalar.poolSum(w, ids, starts, 0, bags, weights, 5, x, new int[bags]);
        panama.poolSum(w, ids, starts, 0, bags, weights, 5, y, new int[bags]);
        assertArrayEquals(x, y, "bag sums, weights " + (weights != null));
      }
    }
  }

  @Property(tries = 60)
  void gradientRowSumsEqualTheScalarOnes(@ForAll("dims") int dim, @ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = 30;
    float[] src = new float[n * dim];
    for (int i = 0; i < src.length; i++) {
      src[i] = (float) rnd.nextGaussian();
    }
    int[] srcRows = new int[n];
    float[] scales = new float[n];
    int[] order = new int[n];
    int[] rank = new int[n];
    boolean[] seen = new boolean[5];
    for (int i = 0; i < n; i++) {
      srcRows[i] = rnd.nextInt(n);
      scales[i] = (float) rnd.nextGaussian();
      order[i] = rnd.nextInt(n);
      int u = rnd.nextInt(5);
      rank[i] = seen[u] ? u : ~u;
      seen[u] = true;
    }
    for (GradientEntries entries :
        new GradientEntries[] {new GradientEntries(src, null, null), new GradientEntries(src, srcRows, scales)}) {
      float[] a = new float[dim + 3];
      float[] b = new float[dim + 3];
      scalar.sumRows(entries, dim, order, 2, n, a, 3);
      panama.sumRows(entries, dim, order, 2, n, b, 3);
      assertArrayEquals(a, b, "sumRows");
      float[] sa = new float[5 * dim];
      float[] sb = new float[5 * dim];
      scalar.accumulateRows(entries, dim, rank, n, 0, 5, sa);
      panama.accumulateRows(entries, dim, rank, n, 0, 5, sb);
      assertArrayEquals(sa, sb, "accumulateRows");
    }
  }
}
