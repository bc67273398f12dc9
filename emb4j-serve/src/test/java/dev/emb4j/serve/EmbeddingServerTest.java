package dev.emb4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.format.Json;
import dev.emb4j.io.Vectors;
import dev.emb4j.search.NearestNeighbors;
import dev.emb4j.search.Similarity;
import dev.emb4j.store.HeapRowStore;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API by real HTTP calls on 127.0.0.1, on a free port. */
class EmbeddingServerTest {
  private static final int ROWS = 200;
  private static final int DIM = 8;

  private final HttpClient client = HttpClient.newHttpClient();
  private EmbeddingServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Vectors w0..w199 with seeded random values; {@code shift} changes every value, to tell generations apart. */
  static Vectors vectors(long seed) {
    Random random = new Random(seed);
    float[] data = new float[ROWS * DIM];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextGaussian();
    }
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      tokens.add("w" + i);
    }
    return Vectors.of(tokens, HeapRowStore.wrap(data, DIM));
  }

  private void start(ModelLoader loader, ServerLimits limits) throws IOException {
    server = EmbeddingServer.start("127.0.0.1", 0, loader, limits);
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    return client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
    HttpRequest request =
        HttpRequest.newBuilder(uri).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static Map<?, ?> object(HttpResponse<String> r) {
    return (Map<?, ?>) Json.parse(r.body());
  }

  @Test
  void similarAnswersWhatTheIndexFinds() throws Exception {
    start(() -> ServedModels.of(vectors(1), null, null, null), ServerLimits.DEFAULT);
    HttpResponse<String> r = get("/v1/similar?token=w3&k=5");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
    try (Vectors v = vectors(1);
        NearestNeighbors nn = NearestNeighbors.over(v.table(), 1)) {
      String expected = Json.write(Answers.neighbors(v, nn.similar(3, 5, Similarity.COSINE)));
      assertEquals(expected, r.body());
      float[] query = v.vector("w3");
      StringBuilder json = new StringBuilder("{\"k\": 5, \"vector\": [");
      for (int j = 0; j < DIM; j++) {
        json.append(j == 0 ? "" : ",").append(query[j]);
      }
      HttpResponse<String> byVector = post("/v1/similar", json.append("]}").toString());
      assertEquals(Json.write(Answers.neighbors(v, nn.search(query, 5, Similarity.COSINE, null))), byVector.body());
      List<?> top = (List<?>) Json.parse(byVector.body());
      assertEquals("w3", ((Map<?, ?>) top.getFirst()).get("token"));
    }
  }

  @Test
  void aBatchAnswersWhatOneRequestPerTokenAnswers() throws Exception {
    start(() -> ServedModels.of(vectors(1), null, null, null), new ServerLimits(1 << 20, 3, 20));
    HttpResponse<String> r = get("/v1/similar/batch?tokens=w3,w1,w3&k=4");
    assertEquals(200, r.statusCode(), r.body());
    String expected = "[" + get("/v1/similar?token=w3&k=4").body() + "," + get("/v1/similar?token=w1&k=4").body() + ","
        + get("/v1/similar?token=w3&k=4").body() + "]";
    assertEquals(expected, r.body());
    assertEquals(r.body(), post("/v1/similar/batch", "{\"tokens\": [\"w3\", \"w1\", \"w3\"], \"k\": 4}").body());
    HttpResponse<String> unknown = get("/v1/similar/batch?tokens=w1,frog");
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertEquals("frog", object(unknown).get("token"));
    HttpResponse<String> tooMany = get("/v1/similar/batch?tokens=w1,w2,w3,w4");
    assertEquals(400, tooMany.statusCode(), tooMany.body());
    assertEquals("tokens", object(tooMany).get("field"));
    assertEquals("tokens", object(get("/v1/similar/batch")).get("field"));
  }

  @Test
  void approximateModeAsksTheHnswIndex() throws Exception {
    start(
        () -> {
          Vectors v = vectors(1);
          return ServedModels.of(v, ApproximateNeighbors.openOrBuild(v.table(), null, HnswSettings.DEFAULT.withEf(400)), null, null);
        },
        ServerLimits.DEFAULT);
    // with a candidate list larger than the table, the graph search is exhaustive: the same rows as the exact scan
    List<?> exact = (List<?>) Json.parse(get("/v1/similar?token=w3&k=5&mode=exact").body());
    List<?> approximate = (List<?>) Json.parse(get("/v1/similar?token=w3&k=5&mode=approximate").body());
    assertEquals(5, approximate.size());
    for (int i = 0; i < 5; i++) {
      Map<?, ?> e = (Map<?, ?>) exact.get(i);
      Map<?, ?> a = (Map<?, ?>) approximate.get(i);
      assertEquals(e.get("token"), a.get("token"));
      assertEquals(((Number) e.get("score")).doubleValue(), ((Number) a.get("score")).doubleValue(), 1e-5);
    }
    assertEquals("mode", object(get("/v1/similar?token=w3&mode=fast")).get("field"));
  }

  @Test
  void approximateModeNeedsAnIndex() throws Exception {
    start(() -> ServedModels.of(vectors(1), null, null, null), ServerLimits.DEFAULT);
    HttpResponse<String> r = get("/v1/similar?token=w3&mode=approximate");
    assertEquals(400, r.statusCode());
    assertEquals("mode", object(r).get("field"));
  }

  @Test
  void pagesTheProjectionAndTheRunLog(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("run.jsonl");
    server = EmbeddingServer.start("127.0.0.1", 0, () -> ServedModels.of(vectors(1), null, null, null), ServerLimits.DEFAULT, log);
    Map<?, ?> projection = object(get("/v1/projection"));
    assertEquals((double) ROWS, projection.get("rows"));
    assertEquals(ROWS, ((List<?>) projection.get("x")).size());
    assertEquals("w5", ((List<?>) projection.get("tokens")).get(5));
    Map<?, ?> names = object(get("/v1/projection/tokens"));
    assertEquals(projection.get("tokens"), names.get("tokens"));
    assertEquals(projection.get("ids"), names.get("ids"));
    assertFalse(names.containsKey("x"), "the names come without coordinates");
    HttpResponse<byte[]> points =
        client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/projection/points")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, points.statusCode());
    assertEquals("application/octet-stream", points.headers().firstValue("content-type").orElseThrow());
    FloatBuffer xy = ByteBuffer.wrap(points.body()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    assertEquals(2 * ROWS, xy.remaining(), "an x and a y for each row");
    for (int i = 0; i < ROWS; i++) {
      assertEquals(((Number) ((List<?>) projection.get("x")).get(i)).floatValue(), xy.get(2 * i), "x of point " + i);
      assertEquals(((Number) ((List<?>) projection.get("y")).get(i)).floatValue(), xy.get(2 * i + 1), "y of point " + i);
    }
    HttpResponse<String> page = get("/");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("/webjars/echarts/5.3.1/dist/echarts.common.min.js"));
    assertEquals(200, get("/webjars/echarts/5.3.1/dist/echarts.common.min.js").statusCode(), "the chart library is served");
    assertTrue(get("/training").body().contains("/v1/run"));
    assertEquals(List.of(), Json.parse(get("/v1/run").body()), "no log yet: no entries");
    Files.writeString(log, "{\"type\":\"epoch\",\"epoch\":1,\"loss\":0.5}\n{\"type\":\"ep");
    List<?> entries = (List<?>) Json.parse(get("/v1/run").body());
    assertEquals(1, entries.size(), "a line still being written is left for the next read");
  }

  @Test
  void lookupAndAnalogy() throws Exception {
    start(() -> ServedModels.of(vectors(1), null, null, null), ServerLimits.DEFAULT);
    List<?> rows = (List<?>) Json.parse(get("/v1/lookup?tokens=w1,w2&ids=7").body());
    assertEquals(3, rows.size());
    Map<?, ?> seventh = (Map<?, ?>) rows.get(2);
    assertEquals("w7", seventh.get("token"));
    assertEquals(7.0, seventh.get("id"));
    try (Vectors v = vectors(1)) {
      assertEquals((double) v.vector("w7")[0], ((Number) ((List<?>) seventh.get("vector")).getFirst()).floatValue(), 0);
    }
    List<?> viaPost = (List<?>) Json.parse(post("/v1/lookup", "{\"tokens\": [\"w1\", \"w2\"], \"ids\": [7]}").body());
    assertEquals(rows, viaPost);
    List<?> analogy = (List<?>) Json.parse(get("/v1/analogy?a=w1&b=w2&c=w3&k=4").body());
    assertEquals(4, analogy.size());
    for (Object o : analogy) {
      assertTrue(!List.of("w1", "w2", "w3").contains(((Map<?, ?>) o).get("token")), analogy::toString);
    }
  }

  @Test
  void refusalsNameTheFieldOrToken() throws Exception {
    start(() -> ServedModels.of(vectors(1), null, null, null), new ServerLimits(256, 3, 20));
    HttpResponse<String> unknown = get("/v1/similar?token=frog");
    assertEquals(404, unknown.statusCode());
    assertEquals("frog", object(unknown).get("token"));
    HttpResponse<String> bigK = get("/v1/similar?token=w1&k=21");
    assertEquals(400, bigK.statusCode());
    assertEquals("k", object(bigK).get("field"));
    assertEquals("k", object(get("/v1/similar?token=w1&k=ten")).get("field"));
    HttpResponse<String> manyIds = get("/v1/lookup?ids=1,2,3,4");
    assertEquals(400, manyIds.statusCode());
    assertEquals("ids", object(manyIds).get("field"));
    HttpResponse<String> bigBody = post("/v1/lookup", "{\"tokens\": [\"" + "x".repeat(300) + "\"]}");
    assertEquals(400, bigBody.statusCode());
    assertEquals("body", object(bigBody).get("field"));
    HttpResponse<String> badJson = post("/v1/similar", "{\"token\": ");
    assertEquals(400, badJson.statusCode());
    assertEquals("body", object(badJson).get("field"));
    HttpResponse<String> shortVector = post("/v1/similar", "{\"vector\": [1, 2]}");
    assertEquals("vector", object(shortVector).get("field"));
    HttpResponse<String> noClassifier = get("/v1/classify?text=hello");
    assertEquals(404, noClassifier.statusCode());
    assertTrue(object(noClassifier).get("error").toString().contains("no classifier"));
  }

  @Test
  void reloadSwapsGenerationsWithoutFailingRequests() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    start(() -> ServedModels.of(vectors(loads.incrementAndGet()), null, null, null), ServerLimits.DEFAULT);
    String before = get("/v1/similar?token=w3&k=3").body();
    int clients = 8;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> failures = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      failures.add(
          pool.submit(
              () -> {
                go.await();
                int failed = 0;
                for (int i = 0; i < 40; i++) {
                  failed += get("/v1/similar?token=w" + i + "&k=3").statusCode() == 200 ? 0 : 1;
                }
                return failed;
              }));
    }
    go.countDown();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> reload = post("/v1/admin/reload", "");
      assertEquals(200, reload.statusCode(), reload.body());
    }
    for (Future<Integer> f : failures) {
      assertEquals(0, f.get());
    }
    pool.shutdown();
    assertEquals(6.0, object(get("/health")).get("generation"));
    String after = get("/v1/similar?token=w3&k=3").body();
    assertTrue(!before.equals(after), "the reloaded vectors differ, so must the neighbours");
  }

  @Test
  void aRequestInFlightOutlivesAReloadAndTheShutdown() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    Vectors plain = vectors(1);
    GatedRowStore first = new GatedRowStore(plain.table());
    start(
        () -> ServedModels.of(loads.incrementAndGet() == 1 ? Vectors.of(plain.tokens(), first) : vectors(2), null, null, null),
        ServerLimits.DEFAULT);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<HttpResponse<String>> inFlight = pool.submit(() -> get("/v1/lookup?ids=0"));
    first.entered.await();
    assertEquals(200, post("/v1/admin/reload", "").statusCode());
    Thread closer = Thread.ofVirtual().start(server::close);
    Thread.sleep(200); // let close() reach the wait for requests in flight
    first.open.countDown();
    HttpResponse<String> r = inFlight.get();
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("w0", ((Map<?, ?>) ((List<?>) Json.parse(r.body())).getFirst()).get("token"));
    closer.join();
    server = null;
    pool.shutdown();
  }

  @Test
  void failedReloadKeepsTheOldModels() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    start(
        () -> {
          if (loads.incrementAndGet() > 1) {
            throw new IOException("vectors.txt is truncated");
          }
          return ServedModels.of(vectors(1), null, null, null);
        },
        ServerLimits.DEFAULT);
    HttpResponse<String> reload = post("/v1/admin/reload", "");
    assertEquals(500, reload.statusCode());
    assertTrue(object(reload).get("error").toString().contains("vectors.txt is truncated"));
    assertEquals(200, get("/v1/similar?token=w3").statusCode());
  }

  @Test
  void describesItselfAndCountsRequests() throws Exception {
    start(() -> ServedModels.of(vectors(1), null, null, null), ServerLimits.DEFAULT);
    get("/v1/similar?token=w3");
    Map<?, ?> api = object(get("/openapi.json"));
    assertTrue(((Map<?, ?>) api.get("paths")).containsKey("/v1/similar"));
    assertEquals("ok", object(get("/health")).get("status"));
    String metrics = get("/metrics").body();
    assertTrue(metrics.contains("emb4j_requests_seconds_count{endpoint=\"similar\",status=\"200\"} 1"), metrics);
    assertTrue(metrics.contains("jvm_memory_used_bytes"));
  }

  @Test
  void closeStopsListening() throws Exception {
    start(() -> ServedModels.of(vectors(1), null, null, null), ServerLimits.DEFAULT);
    int port = server.port();
    server.close();
    server = null;
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
    assertThrows(ConnectException.class, () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
  }
}
