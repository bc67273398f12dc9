package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.internal.format.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code emb4j serve} answers as the corresponding commands' {@code --json} output, by real HTTP calls. */
class ServeCommandTest {
  private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");

  @TempDir Path dir;

  private final HttpClient client = HttpClient.newHttpClient();

  /** A running {@code emb4j serve}: its URL, the thread running it, and its exit code once interrupted. */
  private record Running(String url, Thread thread, CompletableFuture<Integer> exit, StringWriter err) {
    int stop() throws Exception {
      thread.interrupt();
      return exit.get(30, TimeUnit.SECONDS);
    }
  }

  private Running serve(String... args) throws Exception {
    CompletableFuture<String> url = new CompletableFuture<>();
    StringBuilder printed = new StringBuilder();
    Writer out =
        new Writer() {
          @Override
          public void write(char[] buf, int off, int len) {
            synchronized (printed) {
              printed.append(buf, off, len);
              Matcher m = LISTENING.matcher(printed);
              if (m.find()) {
                url.complete(m.group(1));
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    StringWriter err = new StringWriter();
    CommandLine commandLine = Emb4jCommand.newCommandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    String[] all = new String[args.length + 3];
    all[0] = "serve";
    all[1] = "--port";
    all[2] = "0";
    System.arraycopy(args, 0, all, 3, args.length);
    Thread thread =
        Thread.ofPlatform()
            .start(
                () -> {
                  int code = commandLine.execute(all);
                  url.completeExceptionally(new AssertionError("serve ended with " + code + ": " + err));
                  exit.complete(code);
                });
    return new Running(url.get(60, TimeUnit.SECONDS), thread, exit, err);
  }

  private String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private Path glove() throws IOException {
    Path glove = dir.resolve("tiny.txt");
    Files.writeString(
        glove,
        String.join(
            "\n",
            "king 0.9 0.9 0.0 0.0",
            "queen 0.9 0.0 0.9 0.0",
            "man 0.0 0.9 0.0 0.1",
            "woman 0.0 0.0 0.9 0.1",
            "apple 0.0 0.0 0.0 1.0",
            ""));
    return glove;
  }

  @Test
  void similarAndAnalogyAnswerAsTheVectorsCommands() throws Exception {
    Path glove = glove();
    Running server = serve("--vectors", glove.toString(), "--approximate");
    try {
      String similar = get(server.url() + "/v1/similar?token=king&k=3");
      assertEquals(CliRun.run("vectors", "similar", glove.toString(), "king", "-k", "3", "--json").out().strip(), similar);
      List<?> approximate = (List<?>) Json.parse(get(server.url() + "/v1/similar?token=king&k=3&mode=approximate"));
      assertEquals(((Map<?, ?>) ((List<?>) Json.parse(similar)).getFirst()).get("token"), ((Map<?, ?>) approximate.getFirst()).get("token"));
      assertTrue(Files.isDirectory(dir.resolve("tiny.txt.hnsw")), "the index is saved beside the vectors");
      List<?> queen = (List<?>) Json.parse(get(server.url() + "/v1/analogy?a=king&b=man&c=woman&k=1"));
      assertEquals("queen", ((Map<?, ?>) queen.getFirst()).get("token"));
    } finally {
      assertEquals(0, server.stop(), server.err().toString());
    }
  }

  @Test
  void classifyAnswersAsClassifyPredict() throws Exception {
    Path train = TestFiles.texts(dir, "train.txt", 1, 200, "sport", "tech");
    Path model = dir.resolve("topic.model");
    CliRun t = CliRun.run("classify", "train", "--input", train.toString(), "--output", model.toString(), "--dim", "8", "--epochs", "3", "--threads", "1", "-q");
    assertEquals(0, t.exitCode(), t.err());
    Path text = dir.resolve("one.txt");
    Files.writeString(text, "goal match team\n");
    String predicted = CliRun.run("classify", "predict", "--model", model.toString(), "-k", "2", "--json", text.toString()).out().strip();
    Running server = serve("--model", model.toString());
    try {
      assertEquals(predicted, get(server.url() + "/v1/classify?text=goal+match+team&k=2"));
      assertTrue(get(server.url() + "/v1/similar?token=goal&k=2").startsWith("[{\"token\":"), "a classifier's word vectors are served");
    } finally {
      assertEquals(0, server.stop(), server.err().toString());
    }
  }

  @Test
  void recommendAnswersAsRecommendTopKAndSimilar() throws Exception {
    Path ratings = TestFiles.ratings(dir, "ratings.tsv", 1, 600);
    Path model = dir.resolve("ml.model");
    CliRun t = CliRun.run("recommend", "train", "--train", ratings.toString(), "--output", model.toString(), "-q", "--epochs", "5", "--dim", "8");
    assertEquals(0, t.exitCode(), t.err());
    String topk = CliRun.run("recommend", "topk", "--model", model.toString(), "--user", "3", "-k", "4", "--json").out().strip();
    String similar = CliRun.run("recommend", "similar", "--model", model.toString(), "--item", "104", "-k", "4", "--json").out().strip();
    Running server = serve("--model", model.toString());
    try {
      assertEquals(topk, get(server.url() + "/v1/recommend?user=3&k=4"));
      assertEquals(similar, get(server.url() + "/v1/recommend?item=104&k=4"));
      HttpResponse<String> unknown =
          client.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/recommend?user=999")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(404, unknown.statusCode());
      assertEquals("999", ((Map<?, ?>) Json.parse(unknown.body())).get("user"));
    } finally {
      assertEquals(0, server.stop(), server.err().toString());
    }
  }

  @Test
  void aLoadFailingPartWayClosesWhatItOpenedAndLeavesNoHalfBuiltIndex() throws Exception {
    Path ratings = TestFiles.ratings(dir, "ratings.tsv", 1, 300);
    Path model = dir.resolve("ml.model");
    assertEquals(0, CliRun.run("recommend", "train", "--train", ratings.toString(), "--output", model.toString(), "-q", "--epochs", "1", "--dim", "4").exitCode());
    Path glove = glove();
    // the recommender and the vectors load; the graph index refuses the non-finite row part way through its build
    Files.writeString(glove, Files.readString(glove) + "broken NaN 0.1 0.2 0.3\n");
    CliRun failed = CliRun.run("serve", "--port", "0", "--model", model.toString(), "--vectors", glove.toString(), "--approximate");
    assertEquals(1, failed.exitCode(), failed.err());
    assertTrue(failed.err().startsWith("emb4j: "), failed.err());
    try (var left = Files.list(dir)) {
      List<String> names = left.map(p -> p.getFileName().toString()).toList();
      assertTrue(names.stream().noneMatch(n -> n.contains(".hnsw")), "no index, whole or half-built, is left: " + names);
    }
    glove();
    Running server = serve("--model", model.toString(), "--vectors", glove.toString(), "--approximate");
    try {
      assertTrue(get(server.url() + "/v1/similar?token=king&k=2&mode=approximate").contains("\"token\""));
    } finally {
      assertEquals(0, server.stop(), server.err().toString());
    }
  }

  @Test
  void refusesToStartWithNothingToServe() {
    CliRun r = CliRun.run("serve");
    assertEquals(Emb4jCommand.EXIT_USAGE, r.exitCode());
    assertTrue(r.err().contains("--vectors"), r.err());
  }
}
