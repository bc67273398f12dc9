package dev.emb4j.serve;

import dev.emb4j.search.Neighbor;
import dev.emb4j.store.RowStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongPredicate;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOSupplier;

/**
 * Approximate cosine nearest neighbours over the rows of a table: a Lucene HNSW graph of the unit rows, built and
 * searched as {@link HnswSettings} say.
 *
 * <p>The index is built in a directory (e.g. {@code glove.txt.hnsw} beside the vectors) where a later {@link
 * #openOrBuild} finds it again, or in a temporary directory that {@link #close} deletes: the directory records the
 * table's shape, a checksum of its first rows and the graph's settings, and an index that does not match is rebuilt.
 * Scores are the cosine of the query and the row, as the exact search gives them up to float rounding.
 *
 * <p>The index is one segment, memory-mapped (Lucene scores mapped vectors with the Vector API straight from the
 * mapping; its on-heap directory copies every vector it scores through a buffer, several times slower), searched
 * directly through its graph (no query object, no searcher), and the table row of each document is read into an array
 * when the index opens, so a query costs the graph walk and little else.
 *
 * <p>Thread-safe: queries may run concurrently.
 */
public final class ApproximateNeighbors implements AutoCloseable {
  private static final String VECTOR = "v";
  private static final String ROW = "row";
  private static final int CHECKED_ROWS = 64;
  /** The name of a temporary index directory begins with this and the process id. */
  static final String TEMPORARY_PREFIX = "emb4j-hnsw-";

  /** Under Lucene's limit on the indexing buffer of one thread (1,945 MB). */
  private static final double MAX_BUFFER_MB = 1900;

  private final Directory directory;
  /** The temporary directory to delete on close, or null for an index saved where the caller asked. */
  private final Path temporary;
  private final DirectoryReader reader;
  private final LeafReader leaf;
  private final AcceptDocs all;
  private final int[] rowOfDoc;
  private final int dim;
  private final int ef;

  private ApproximateNeighbors(Directory directory, Path temporary, int dim, int ef) throws IOException {
    this.directory = directory;
    this.temporary = temporary;
    this.reader = DirectoryReader.open(directory);
    try {
      if (reader.leaves().size() != 1) {
        throw new IOException("the HNSW index in " + directory + " has " + reader.leaves().size() + " segments, not 1");
      }
      this.leaf = reader.leaves().getFirst().reader();
      this.all = AcceptDocs.fromLiveDocs(leaf.getLiveDocs(), leaf.maxDoc());
      this.rowOfDoc = rowsOfDocs(leaf);
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
    this.dim = dim;
    this.ef = ef;
  }

  /**
   * Opens the index in {@code dir} if it was built from a table of this shape and content with these graph settings,
   * else builds it there.
   *
   * @param table the rows (any dtype; read in float32)
   * @param dir the index directory, or null to build in a temporary directory that {@link #close} deletes
   * @param settings the graph's links and beam width, and the candidate list of a query
   * @return the index
   * @throws IOException if the directory cannot be read or written
   */
  public static ApproximateNeighbors openOrBuild(RowStore table, Path dir, HnswSettings settings) throws IOException {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(settings, "settings");
    if (table.rows() > Integer.MAX_VALUE - 128) {
      throw new IllegalArgumentException("a table of " + table.rows() + " rows is too large for one HNSW index");
    }
    Map<String, String> expected =
        Map.of(
            "rows", Long.toString(table.rows()),
            "dim", Integer.toString(table.dim()),
            "checksum", checksum(table),
            "maxConnections", Integer.toString(settings.maxConnections()),
            "beamWidth", Integer.toString(settings.beamWidth()));
    if (dir == null) {
      // the process id in the name tells this process's directories from other processes' (and their leftovers)
      Path temporary = Files.createTempDirectory(TEMPORARY_PREFIX + ProcessHandle.current().pid() + "-");
      try {
        FSDirectory scratch = FSDirectory.open(temporary);
        return opened(scratch, () -> {
          build(table, scratch, settings, expected);
          return new ApproximateNeighbors(scratch, temporary, table.dim(), settings.ef());
        });
      } catch (IOException | RuntimeException | Error e) {
        deleteAfter(e, temporary);
        throw e;
      }
    }
    if (Files.isDirectory(dir)) {
      FSDirectory existing = FSDirectory.open(dir);
      boolean matches;
      try (DirectoryReader r = DirectoryReader.open(existing)) {
        matches = r.getIndexCommit().getUserData().equals(expected) && r.leaves().size() == 1;
      } catch (IOException notAnIndex) {
        matches = false;
      }
      if (matches) {
        return opened(existing, () -> new ApproximateNeighbors(existing, null, table.dim(), settings.ef()));
      }
      existing.close();
    }
    // built beside the final place and moved there, so that a crash never leaves a half-built index to be opened
    Path building = dir.resolveSibling(dir.getFileName() + ".building");
    deleteTree(building);
    try (FSDirectory fresh = FSDirectory.open(building)) {
      build(table, fresh, settings, expected);
    } catch (IOException | RuntimeException | Error e) {
      deleteAfter(e, building);
      throw e;
    }
    deleteTree(dir);
    Files.move(building, dir, StandardCopyOption.ATOMIC_MOVE);
    FSDirectory moved = FSDirectory.open(dir);
    return opened(moved, () -> new ApproximateNeighbors(moved, null, table.dim(), settings.ef()));
  }

  /** Runs {@code open}, closing {@code directory} if it fails, so that a failed open leaves no file mapped. */
  private static ApproximateNeighbors opened(Directory directory, IOSupplier<ApproximateNeighbors> open) throws IOException {
    try {
      return open.get();
    } catch (IOException | RuntimeException | Error e) {
      try {
        directory.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * The {@code k} rows most similar (cosine) to {@code query} that the graph search finds with the settings' ef.
   *
   * @param query a vector of the table's dimension
   * @param k how many, at least 1
   * @param exclude rows to leave out, or null
   * @return up to {@code k} neighbours, best first
   */
  public List<Neighbor> search(float[] query, int k, LongPredicate exclude) {
    return search(query, k, ef, exclude);
  }

  /**
   * The {@code k} rows most similar (cosine) to {@code query} that the graph search finds with a candidate list of
   * {@code max(k, ef)} entries.
   *
   * @param query a vector of the table's dimension
   * @param k how many, at least 1
   * @param ef candidates per query, at least 1: more finds more true neighbours, slower
   * @param exclude rows to leave out, or null
   * @return up to {@code k} neighbours, best first
   */
  public List<Neighbor> search(float[] query, int k, int ef, LongPredicate exclude) {
    if (query.length != dim) {
      throw new IllegalArgumentException("query has " + query.length + " values, the table's rows have " + dim);
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    if (ef < 1) {
      throw new IllegalArgumentException("ef must be at least 1, got " + ef);
    }
    float[] unit = unit(query);
    // a few more candidates than excluded rows can take away (a token's own row, an analogy's three)
    int asked = Math.max(k + 3, ef);
    TopKnnCollector collector = new TopKnnCollector(asked, Integer.MAX_VALUE);
    try {
      leaf.searchNearestVectors(VECTOR, unit, collector, all);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Neighbor> out = new ArrayList<>(asked);
    for (ScoreDoc hit : collector.topDocs().scoreDocs) {
      long row = rowOfDoc[hit.doc];
      if (exclude == null || !exclude.test(row)) {
        // DOT_PRODUCT scores are (1 + cosine) / 2
        out.add(new Neighbor(row, 2 * hit.score - 1));
      }
    }
    out.sort(Comparator.comparingDouble((Neighbor n) -> -n.score()).thenComparingLong(Neighbor::id));
    return out.size() > k ? List.copyOf(out.subList(0, k)) : out;
  }

  /** Closes the index (and deletes it if it was built in a temporary directory). */
  @Override
  public void close() {
    try {
      try (directory) {
        reader.close();
      }
      if (temporary != null) {
        deleteTree(temporary);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The table row of every document of the segment, read once from its doc values. */
  private static int[] rowsOfDocs(LeafReader leaf) throws IOException {
    int[] rows = new int[leaf.maxDoc()];
    NumericDocValues values = leaf.getNumericDocValues(ROW);
    for (int doc = 0; doc < rows.length; doc++) {
      if (values == null || !values.advanceExact(doc)) {
        throw new IOException("document " + doc + " of the HNSW index has no row number");
      }
      rows[doc] = Math.toIntExact(values.longValue());
    }
    return rows;
  }

  private static void build(RowStore table, Directory directory, HnswSettings settings, Map<String, String> userData)
      throws IOException {
    KnnVectorsFormat graph = new Lucene99HnswVectorsFormat(settings.maxConnections(), settings.beamWidth());
    // the rows are added from one thread into a buffer that holds them all where the heap allows: one segment whose
    // graph is built once, instead of several graphs that forceMerge then joins into one
    double vectorsMb = (double) table.rows() * table.dim() * Float.BYTES / (1 << 20);
    double heapMb = Runtime.getRuntime().maxMemory() / (double) (1 << 20);
    double bufferMb = Math.max(IndexWriterConfig.DEFAULT_RAM_BUFFER_SIZE_MB, Math.min(MAX_BUFFER_MB, Math.min(2 * vectorsMb + 64, heapMb / 3)));
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
            .setCodec(new Lucene103Codec() {
              @Override
              public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return graph;
              }
            })
            .setRAMBufferSizeMB(bufferMb);
    try (IndexWriter writer = new IndexWriter(directory, config)) {
      float[] row = new float[table.dim()];
      for (long r = 0; r < table.rows(); r++) {
        table.readRow(r, row, 0);
        Document doc = new Document();
        doc.add(new KnnFloatVectorField(VECTOR, unit(row), VectorSimilarityFunction.DOT_PRODUCT));
        doc.add(new NumericDocValuesField(ROW, r));
        writer.addDocument(doc);
      }
      writer.forceMerge(1);
      writer.setLiveCommitData(userData.entrySet());
      writer.commit();
    }
  }

  /** {@code v / |v|} (norm in double); a zero vector stays zero. */
  private static float[] unit(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    double n = Math.sqrt(s);
    float[] out = new float[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = n > 0 ? (float) (v[j] / n) : 0f;
    }
    return out;
  }

  /** A checksum of the first rows' bits, so that an index built from other vectors of the same shape is not reused. */
  private static String checksum(RowStore table) {
    long h = 1125899906842597L;
    float[] row = new float[table.dim()];
    for (long r = 0; r < Math.min(table.rows(), CHECKED_ROWS); r++) {
      table.readRow(r, row, 0);
      for (float x : row) {
        h = 31 * h + Float.floatToRawIntBits(x);
      }
    }
    return Long.toHexString(h);
  }

  /** Deletes what a failed build left in {@code dir}; a failure to delete is added to {@code failure}. */
  private static void deleteAfter(Throwable failure, Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException suppressed) {
      failure.addSuppressed(suppressed);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
