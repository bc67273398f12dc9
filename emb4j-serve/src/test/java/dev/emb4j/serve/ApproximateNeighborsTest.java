package dev.emb4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.search.NearestNeighbors;
import dev.emb4j.search.Neighbor;
import dev.emb4j.search.Similarity;
import dev.emb4j.store.HeapRowStore;
import dev.emb4j.store.RowStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HNSW index against the exact scan: recall, scores, exclusion, and reuse of a saved index. */
class ApproximateNeighborsTest {
  @TempDir Path dir;

  /** Rows around 40 random centres, so that neighbours are meaningful (uniform noise has none). */
  private static RowStore clustered(int rows, int dim, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] centres = new float[40][dim];
    for (float[] c : centres) {
      for (int j = 0; j < dim; j++) {
        c[j] = (float) random.nextGaussian();
      }
    }
    float[] data = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int j = 0; j < dim; j++) {
        data[r * dim + j] = c[j] + 0.5f * (float) random.nextGaussian();
      }
    }
    data[7 * dim] = 0; // one row of zeros must not break the index
    for (int j = 0; j < dim; j++) {
      data[7 * dim + j] = 0;
    }
    return HeapRowStore.wrap(data, dim);
  }

  @Test
  void findsMostOfTheExactNeighboursWithTheirCosines() throws Exception {
    RowStore table = clustered(3000, 24, 1);
    SplittableRandom random = new SplittableRandom(2);
    int found = 0;
    int queries = 50;
    try (ApproximateNeighbors ann = ApproximateNeighbors.openOrBuild(table, null, HnswSettings.DEFAULT);
        NearestNeighbors exact = NearestNeighbors.over(table, 1)) {
      for (int i = 0; i < queries; i++) {
        long row = random.nextInt(3000);
        float[] q = new float[24];
        table.readRow(row, q, 0);
        List<Neighbor> truth = exact.search(q, 10, Similarity.COSINE, r -> r == row);
        List<Neighbor> approximate = ann.search(q, 10, r -> r == row);
        assertEquals(10, approximate.size());
        Set<Long> truthIds = new HashSet<>();
        truth.forEach(n -> truthIds.add(n.id()));
        for (Neighbor n : approximate) {
          assertNotEquals(row, n.id());
          found += truthIds.contains(n.id()) ? 1 : 0;
          float[] v = new float[24];
          table.readRow(n.id(), v, 0);
          assertEquals(cosine(q, v), n.score(), 1e-5, "the score is the cosine");
        }
      }
    }
    double recall = found / (10.0 * queries);
    assertTrue(recall >= 0.95, "recall@10 " + recall);
  }

  @Test
  void aSavedIndexIsReusedAndRebuiltForOtherVectors() throws Exception {
    Path index = dir.resolve("vectors.hnsw");
    RowStore table = clustered(500, 8, 1);
    try (ApproximateNeighbors ann = ApproximateNeighbors.openOrBuild(table, index, HnswSettings.DEFAULT.withEf(50))) {
      assertEquals(5, ann.search(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 5, null).size());
    }
    FileTime built = newest(index);
    try (ApproximateNeighbors ann = ApproximateNeighbors.openOrBuild(table, index, HnswSettings.DEFAULT.withEf(50))) {
      assertEquals(built, newest(index), "the saved index was opened, not rebuilt");
      assertEquals(3, ann.search(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 3, null).size());
    }
    Thread.sleep(20);
    try (ApproximateNeighbors ann = ApproximateNeighbors.openOrBuild(clustered(500, 8, 9), index, HnswSettings.DEFAULT.withEf(50))) {
      assertTrue(newest(index).compareTo(built) > 0, "an index of other vectors was rebuilt");
      assertEquals(3, ann.search(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 3, null).size());
    }
    FileTime other = newest(index);
    Thread.sleep(20);
    HnswSettings denser = new HnswSettings(24, 80, 50);
    try (ApproximateNeighbors ann = ApproximateNeighbors.openOrBuild(clustered(500, 8, 9), index, denser)) {
      assertTrue(newest(index).compareTo(other) > 0, "an index built with other graph settings was rebuilt");
      assertEquals(3, ann.search(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 3, null).size());
    }
    assertTrue(Files.notExists(dir.resolve("vectors.hnsw.building")));
  }

  @Test
  void aLargerEfPerQueryFindsAtLeastAsManyTrueNeighbours() throws Exception {
    RowStore table = clustered(3000, 24, 3);
    SplittableRandom random = new SplittableRandom(4);
    int narrow = 0;
    int wide = 0;
    try (ApproximateNeighbors ann = ApproximateNeighbors.openOrBuild(table, null, new HnswSettings(4, 8, 1));
        NearestNeighbors exact = NearestNeighbors.over(table, 1)) {
      for (int i = 0; i < 50; i++) {
        float[] q = new float[24];
        for (int j = 0; j < q.length; j++) {
          q[j] = (float) random.nextGaussian();
        }
        Set<Long> truth = new HashSet<>();
        exact.search(q, 10, Similarity.COSINE, null).forEach(n -> truth.add(n.id()));
        narrow += (int) ann.search(q, 10, null).stream().filter(n -> truth.contains(n.id())).count();
        wide += (int) ann.search(q, 10, 3000, null).stream().filter(n -> truth.contains(n.id())).count();
      }
    }
    assertTrue(wide >= narrow, "ef 3000 found " + wide + ", ef 10 " + narrow);
    assertTrue(wide >= 490, "a candidate list as long as the table finds nearly all: " + wide + " of 500");
  }

  @Test
  void aBuildFailingPartWayLeavesNoDirectoryBehind() throws Exception {
    GatedRowStore table = new GatedRowStore(clustered(500, 8, 5));
    table.open.countDown();
    table.failFrom = 300; // the build fails when it reaches row 300
    Path index = dir.resolve("broken.hnsw");
    assertThrows(IllegalStateException.class, () -> ApproximateNeighbors.openOrBuild(table, index, HnswSettings.DEFAULT));
    try (var left = Files.list(dir)) {
      assertEquals(List.of(), left.toList(), "neither the index nor its building directory is left");
    }
    Set<Path> before = temporaryIndexes();
    assertThrows(IllegalStateException.class, () -> ApproximateNeighbors.openOrBuild(table, null, HnswSettings.DEFAULT));
    assertEquals(before, temporaryIndexes(), "the temporary directory is deleted");
    try (ApproximateNeighbors ann = ApproximateNeighbors.openOrBuild(clustered(500, 8, 5), null, HnswSettings.DEFAULT)) {
      assertEquals(before.size() + 1, temporaryIndexes().size(), "an index without a directory lives in a temporary one");
      assertEquals(3, ann.search(new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 3, null).size());
    }
    assertEquals(before, temporaryIndexes(), "which close deletes");
  }

  /** This JVM's temporary index directories (other processes on the machine may be making their own). */
  private static Set<Path> temporaryIndexes() throws Exception {
    String mine = ApproximateNeighbors.TEMPORARY_PREFIX + ProcessHandle.current().pid() + "-";
    try (var paths = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return new HashSet<>(paths.filter(p -> p.getFileName().toString().startsWith(mine)).toList());
    }
  }

  @Test
  void settingsOutsideTheirRangesAreRefusedNamingTheValue() {
    IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> new HnswSettings(0, 100, 100));
    assertTrue(m.getMessage().contains("got 0"), m.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new HnswSettings(16, 5000, 100));
    IllegalArgumentException ef = assertThrows(IllegalArgumentException.class, () -> HnswSettings.DEFAULT.withEf(0));
    assertTrue(ef.getMessage().contains("ef must be at least 1, got 0"), ef.getMessage());
  }

  private static FileTime newest(Path index) throws Exception {
    try (var files = Files.list(index)) {
      return files.map(p -> {
        try {
          return Files.getLastModifiedTime(p);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).max(FileTime::compareTo).orElseThrow();
    }
  }

  private static double cosine(float[] a, float[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int j = 0; j < a.length; j++) {
      ab += (double) a[j] * b[j];
      aa += (double) a[j] * a[j];
      bb += (double) b[j] * b[j];
    }
    return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
  }
}
