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
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Approximate cosine nearest neighbours over the rows of a table: a Lucene HNSW graph (16 links per node, beam width
 * 100 while building) of the unit rows, searched with a candidate list of {@code max(k, ef)} entries.
 *
 * <p>The index is built in memory, or in a directory (e.g. {@code glove.txt.hnsw} beside the vectors) where a later
 * {@link #openOrBuild} finds it again: the directory records the table's shape and a checksum of its first rows, and an
 * index that does not match is rebuilt. Scores are the cosine of the query and the row, as the exact search gives
 * them up to float rounding.
 *
 * <p>Thread-safe: queries may run concurrently.
 */
public final class ApproximateNeighbors implements AutoCloseable {
  /** The candidate list size a query asks for when k is smaller; higher is slower and finds more true neighbours. */
  public static final int DEFAULT_EF = 100;

  private static final String VECTOR = "v";
  private static final String ROW = "row";
  private static final int CHECKED_ROWS = 64;

  private final Directory directory;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final int dim;
  private final int ef;

  private ApproximateNeighbors(Directory directory, int dim, int ef) throws IOException {
    this.directory = directory;
    this.reader = DirectoryReader.open(directory);
    this.searcher = new IndexSearcher(reader);
    this.dim = dim;
    this.ef = ef;
  }

  /**
   * Opens the index in {@code dir} if it was built from a table of this shape and content, else builds it there.
   *
   * @param table the rows (any dtype; read in float32)
   * @param dir the index directory, or null to build in memory
   * @param ef the candidate list size of a query, at least 1
   * @return the index
   * @throws IOException if the directory cannot be read or written
   */
  public static ApproximateNeighbors openOrBuild(RowStore table, Path dir, int ef) throws IOException {
    Objects.requireNonNull(table, "table");
    if (ef < 1) {
      throw new IllegalArgumentException("ef must be at least 1, got " + ef);
    }
    if (table.rows() > Integer.MAX_VALUE - 128) {
      throw new IllegalArgumentException("a table of " + table.rows() + " rows is too large for one HNSW index");
    }
    Map<String, String> expected = Map.of("rows", Long.toString(table.rows()), "dim", Integer.toString(table.dim()), "checksum", checksum(table));
    if (dir == null) {
      Directory memory = new ByteBuffersDirectory();
      build(table, memory, expected);
      return new ApproximateNeighbors(memory, table.dim(), ef);
    }
    if (Files.isDirectory(dir)) {
      FSDirectory existing = FSDirectory.open(dir);
      boolean matches;
      try (DirectoryReader r = DirectoryReader.open(existing)) {
        matches = r.getIndexCommit().getUserData().equals(expected);
      } catch (IOException notAnIndex) {
        matches = false;
      }
      if (matches) {
        return new ApproximateNeighbors(existing, table.dim(), ef);
      }
      existing.close();
    }
    // built beside the final place and moved there, so that a crash never leaves a half-built index to be opened
    Path building = dir.resolveSibling(dir.getFileName() + ".building");
    deleteTree(building);
    try (FSDirectory fresh = FSDirectory.open(building)) {
      build(table, fresh, expected);
    }
    deleteTree(dir);
    Files.move(building, dir, StandardCopyOption.ATOMIC_MOVE);
    return new ApproximateNeighbors(FSDirectory.open(dir), table.dim(), ef);
  }

  /**
   * The {@code k} rows most similar (cosine) to {@code query} that the graph search finds.
   *
   * @param query a vector of the table's dimension
   * @param k how many, at least 1
   * @param exclude rows to leave out, or null
   * @return up to {@code k} neighbours, best first
   */
  public List<Neighbor> search(float[] query, int k, LongPredicate exclude) {
    if (query.length != dim) {
      throw new IllegalArgumentException("query has " + query.length + " values, the table's rows have " + dim);
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    float[] unit = unit(query);
    // a few more candidates than excluded rows can take away (a token's own row, an analogy's three)
    int asked = Math.max(k + 3, ef);
    try {
      TopDocs top = searcher.search(new KnnFloatVectorQuery(VECTOR, unit, asked), asked);
      List<Neighbor> out = new ArrayList<>();
      for (ScoreDoc hit : top.scoreDocs) {
        long row = rowOf(hit.doc);
        if (exclude == null || !exclude.test(row)) {
          // DOT_PRODUCT scores are (1 + cosine) / 2
          out.add(new Neighbor(row, 2 * hit.score - 1));
        }
      }
      out.sort(Comparator.comparingDouble((Neighbor n) -> -n.score()).thenComparingLong(Neighbor::id));
      return out.size() > k ? List.copyOf(out.subList(0, k)) : out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      reader.close();
      directory.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long rowOf(int doc) throws IOException {
    List<LeafReaderContext> leaves = reader.leaves();
    LeafReaderContext leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(doc, leaves));
    NumericDocValues rows = leaf.reader().getNumericDocValues(ROW);
    if (rows == null || !rows.advanceExact(doc - leaf.docBase)) {
      throw new IllegalStateException("document " + doc + " of the HNSW index has no row number");
    }
    return rows.longValue();
  }

  private static void build(RowStore table, Directory directory, Map<String, String> userData) throws IOException {
    IndexWriterConfig config = new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE).setRAMBufferSizeMB(256);
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
