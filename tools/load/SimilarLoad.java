import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded load test of `emb4j serve`: CLIENTS virtual threads, each sending GET /v1/similar?token=wN&k=10 one after
 * another for SECONDS, to a server on loopback. Prints one JSON line: requests, errors, throughput, p50/p99 latency.
 *
 * <p>java tools/load/SimilarLoad.java URL ROWS CLIENTS SECONDS
 */
public class SimilarLoad {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int rows = Integer.parseInt(args[1]);
    int clients = Integer.parseInt(args[2]);
    long seconds = Long.parseLong(args[3]);
    HttpClient http = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();
    LongAdder errors = new LongAdder();
    List<long[]> perClient = new ArrayList<>();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      long[][] box = {new long[1 << 16]};
      int[] count = {0};
      SplittableRandom random = new SplittableRandom(c);
      threads.add(Thread.ofVirtual().start(() -> {
        while (System.nanoTime() < end) {
          HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/similar?k=10&token=w" + random.nextInt(rows))).build();
          long start = System.nanoTime();
          try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
              errors.increment();
            }
          } catch (Exception e) {
            errors.increment();
          }
          if (count[0] == box[0].length) {
            box[0] = Arrays.copyOf(box[0], box[0].length * 2);
          }
          box[0][count[0]++] = System.nanoTime() - start;
        }
        synchronized (perClient) {
          perClient.add(Arrays.copyOf(box[0], count[0]));
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    long[] all = perClient.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    System.out.printf(
        "{\"clients\":%d,\"seconds\":%d,\"requests\":%d,\"errors\":%d,\"requests_per_second\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f}%n",
        clients, seconds, all.length, errors.sum(), all.length / (double) seconds,
        all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6);
  }
}
