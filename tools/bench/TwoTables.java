import dev.emb4j.Emb4j;
import dev.emb4j.nn.Embedding;
import dev.emb4j.nn.Initializer;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.IndexTensor;
import dev.emb4j.tensor.Shape;
import java.util.SplittableRandom;

/**
 * Whether a table's lookup speed is the table's or the moment's: builds two identical tables of ROWS x 128 (N(0, 1)
 * rows, on the heap) in one JVM, warms both up for 3 s, then times a lookup of 65536 uniform ids into a reused output
 * ({@code lookupInto}, the size of {@code emb4j bench --workload lookup}) on each in turn, in windows of 0.5 s, and
 * prints both rates, M rows/s, per window. Two tables that keep different rates side by side differ by where their
 * memory lies; rates that move together follow the machine.
 *
 * <pre>
 * ./mvnw -q -DskipTests -pl emb4j-cli -am package
 * java --add-modules jdk.incubator.vector -XX:+UseTransparentHugePages -Xmn64m -Xmx14g -Xms14g \
 *     -cp emb4j-cli/target/emb4j.jar tools/bench/TwoTables.java ROWS THREADS WINDOWS
 * </pre>
 */
public class TwoTables {
  private static final int DIM = 128;
  private static final int IDS = 1 << 16;

  public static void main(String[] args) {
    long rows = (long) Double.parseDouble(args[0]);
    Emb4j.setNumThreads(Integer.parseInt(args[1]));
    int windows = Integer.parseInt(args[2]);
    Embedding[] tables = new Embedding[2];
    IndexTensor[] ids = new IndexTensor[2];
    for (int t = 0; t < 2; t++) {
      tables[t] = Embedding.builder(rows, DIM).initializer(Initializer.normal(1)).build();
      SplittableRandom random = new SplittableRandom(42 + t);
      long[] draw = new long[IDS];
      for (int i = 0; i < IDS; i++) {
        draw[i] = random.nextLong(rows);
      }
      ids[t] = IndexTensor.of(draw);
    }
    FloatTensor out = FloatTensor.zeros(Shape.of(IDS, DIM));
    long warm = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < warm) {
      tables[0].lookupInto(ids[0], out);
      tables[1].lookupInto(ids[1], out);
    }
    long start = System.nanoTime();
    for (int w = 0; w < windows; w++) {
      StringBuilder line = new StringBuilder(String.format("%6.1f s", (System.nanoTime() - start) / 1e9));
      for (int t = 0; t < 2; t++) {
        long calls = 0;
        long from = System.nanoTime();
        while (System.nanoTime() - from < 500_000_000L) {
          tables[t].lookupInto(ids[t], out);
          calls++;
        }
        double seconds = (System.nanoTime() - from) / 1e9;
        line.append(String.format("   table %c %7.2f", 'A' + t, calls * IDS / seconds / 1e6));
      }
      System.out.println(line);
    }
  }
}
