import dev.emb4j.store.MappedRowStore;
import dev.emb4j.store.RowInit;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long opening a mapped table takes: creates FILE as a lazy table of ROWS x 64 (normal(0, 0.01), seed 42) when it
 * does not exist, then opens it five times in this JVM, each open timed alone. The first open of a JVM also loads
 * and initialises the classes behind it; run it twice on files of very different sizes to tell the two apart.
 *
 * <pre>
 * ./mvnw -q -pl emb4j-core compile
 * java --enable-native-access=ALL-UNNAMED -cp emb4j-core/target/classes tools/bench/MappedOpenTime.java FILE ROWS
 * </pre>
 */
public class MappedOpenTime {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long rows = Long.parseLong(args[1]);
    if (!Files.exists(file)) {
      long t = System.nanoTime();
      RowInit init = new RowInit(RowInit.Distribution.NORMAL, 0, 0.01, 42);
      try (MappedRowStore s = MappedRowStore.create(file, rows, 64, init)) {
        System.out.printf("create %d x 64: %.1f ms%n", s.rows(), (System.nanoTime() - t) / 1e6);
      }
    }
    for (int i = 1; i <= 5; i++) {
      long t = System.nanoTime();
      try (MappedRowStore s = MappedRowStore.open(file)) {
        System.out.printf("open %d of %d rows: %.1f ms%n", i, s.rows(), (System.nanoTime() - t) / 1e6);
      }
    }
  }
}
