package dev.emb4j.bench;

import dev.emb4j.nn.BagMode;
import dev.emb4j.nn.BagResult;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.EmbeddingBag;
import dev.emb4j.nn.Initializer;
import dev.emb4j.store.Storage;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward throughput of the two basic workloads, defined as in {@code ../shared/bench/torch_embedding_bench.py} so
 * that the numbers compare with PyTorch's on the same machine: a table of V = 10 000 rows of D = 128 floats;
 * <em>lookup</em> gathers N = 65 536 random ids, <em>bag-sum</em> pools B = 2 048 bags of L = 32 random ids each
 * (EmbeddingBag, mode SUM, offsets {@code 0, 32, 64, ...}). The same ids are reused by every invocation, as there.
 *
 * <p>Scores are in rows per second (each invocation counts as N = B x L = 65 536 operations), the unit of the
 * performance notes. Run: {@code java -jar emb4j-bench/target/benchmarks.jar LookupBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:+UseParallelGC"})
public class LookupBenchmark {

  /** Rows per lookup call, and rows per bag-sum call (BAGS x BAG_SIZE). */
  static final int N = 1 << 16;

  static final int BAGS = 2048;
  static final int BAG_SIZE = 32;

  /** Number of rows in the table. */
  @Param({"10000"})
  public long numEmbeddings;

  /** Floats per row. */
  @Param({"128"})
  public int embeddingDim;

  /** Where the table keeps its rows: {@code HEAP} or {@code OFF_HEAP}, as {@link Storage}'s constants. */
  @Param({"HEAP", "OFF_HEAP"})
  public String storage;

  private Embedding table;
  private EmbeddingBag bagTable;
  private IndexTensor lookupIds;
  private IndexTensor bagIds;
  private IndexTensor offsets;

  private Storage storage() {
    return storage.equals("HEAP") ? Storage.HEAP : Storage.OFF_HEAP;
  }

  /** Builds both tables and draws the ids once (seeded, so every run measures the same access pattern). */
  @Setup(Level.Trial)
  public void setUp() {
    table =
        Embedding.builder(numEmbeddings, embeddingDim)
            .initializer(Initializer.normal(1))
            .storage(storage())
            .freeze(true)
            .build();
    bagTable =
        EmbeddingBag.builder(numEmbeddings, embeddingDim)
            .mode(BagMode.SUM)
            .initializer(Initializer.normal(1))
            .storage(storage())
            .freeze(true)
            .build();
    lookupIds = IndexTensor.of(randomIds(N, 2));
    bagIds = IndexTensor.of(randomIds(BAGS * BAG_SIZE, 3));
    long[] starts = new long[BAGS];
    for (int b = 0; b < BAGS; b++) {
      starts[b] = (long) b * BAG_SIZE;
    }
    offsets = IndexTensor.of(starts);
  }

  private long[] randomIds(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) {
      ids[i] = random.nextLong(numEmbeddings);
    }
    return ids;
  }

  /** Frees the tables (the off-heap ones hold native memory). */
  @TearDown(Level.Trial)
  public void tearDown() {
    table.close();
    bagTable.close();
  }

  /** {@code Embedding.forward} of N ids: an (N, D) gather. */
  @Benchmark
  @OperationsPerInvocation(N)
  public FloatTensor lookup() {
    return table.lookup(lookupIds);
  }

  /** {@code EmbeddingBag(SUM).forward} of B bags of L ids given by offsets: a (B, D) pooled output. */
  @Benchmark
  @OperationsPerInvocation(BAGS * BAG_SIZE)
  public BagResult bagSum() {
    return bagTable.lookup(bagIds, offsets);
  }
}
