package dev.emb4j.cli.serve;

import dev.emb4j.checkpoint.CheckpointFormatException;
import dev.emb4j.cli.FileChecks;
import dev.emb4j.cli.Ranges;
import dev.emb4j.cli.vectors.InputOptions;
import dev.emb4j.io.Vectors;
import dev.emb4j.serve.ApproximateNeighbors;
import dev.emb4j.serve.EmbeddingServer;
import dev.emb4j.serve.ServedModels;
import dev.emb4j.serve.ServerLimits;
import dev.emb4j.task.Recommender;
import dev.emb4j.task.text.TextClassifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code emb4j serve}: an HTTP server answering lookups, neighbours, classifications and recommendations. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve vectors and models over HTTP until stopped (Ctrl-C or SIGTERM: requests in flight finish first).",
      "Prints 'listening on http://HOST:PORT' once ready. JSON API under /v1 (lookup, similar, analogy, classify,",
      "recommend; GET with a query string or POST with a JSON object), described at /openapi.json; /health;",
      "Prometheus metrics at /metrics. POST /v1/admin/reload or SIGHUP reads the files again and swaps them in",
      "without failing a request in flight."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j serve --vectors glove.6B.50d.txt --port 8080",
      "  curl 'http://127.0.0.1:8080/v1/similar?token=frog&k=5'",
      "  emb4j serve --model spam.model --port 0",
      "  curl -d '{\"text\": \"win a free prize\", \"k\": 2}' http://127.0.0.1:PORT/v1/classify"
    })
public final class ServeCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Mixin private InputOptions input;

  @Option(names = "--vectors", paramLabel = "FILE", description = "A vector file (any format 'vectors' reads).")
  private Path vectors;

  @Option(
      names = "--model",
      paramLabel = "FILE",
      description = "A model saved by 'classify train' (also serves its word vectors unless --vectors is given) or 'recommend train'.")
  private Path model;

  @Option(
      names = "--approximate",
      description = {
        "Also answer similar?mode=approximate from an HNSW graph (Lucene), built at start and saved beside --vectors",
        "as FILE.hnsw (reused while the vectors and the --hnsw-* settings are unchanged), or in a temporary directory",
        "for a classifier's words."
      })
  private boolean approximate;

  @Option(
      names = "--ef",
      defaultValue = "100",
      converter = Ranges.Positive.class,
      description = "Candidates per approximate query: more finds more true neighbours, slower (default: ${DEFAULT-VALUE}).")
  private int ef;

  @Mixin private GraphOptions graph;

  @Option(
      names = "--log",
      paramLabel = "RUN",
      description = "A run log ('classify train --log' or 'recommend train --log') for the training page at /training, read as it grows.")
  private Path log;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "The address to bind (default: ${DEFAULT-VALUE}).")
  private String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      converter = Ranges.NonNegative.class,
      description = "The port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(
      names = "--max-body",
      paramLabel = "BYTES",
      defaultValue = "1048576",
      converter = Ranges.Positive.class,
      description = "The largest request body (default: ${DEFAULT-VALUE}).")
  private int maxBody;

  @Option(
      names = "--max-ids",
      paramLabel = "N",
      defaultValue = "1000",
      converter = Ranges.Positive.class,
      description = "The most tokens or ids per lookup or similar/batch (default: ${DEFAULT-VALUE}).")
  private int maxIds;

  @Option(
      names = "--max-k",
      paramLabel = "K",
      defaultValue = "1000",
      converter = Ranges.Positive.class,
      description = "The largest k a request may ask for (default: ${DEFAULT-VALUE}).")
  private int maxK;

  @Override
  public Integer call() throws Exception {
    if (vectors == null && model == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Give --vectors FILE, --model FILE or both");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddingServer server = EmbeddingServer.start(host, port, this::load, new ServerLimits(maxBody, maxIds, maxK), log);
    // Ctrl-C and SIGTERM run the hook: the server stops taking connections and finishes the requests in flight.
    Thread hook = new Thread(() -> {
      server.close();
      stopped.countDown();
    });
    Runtime.getRuntime().addShutdownHook(hook);
    server.reloadOnHangup(message -> {
      err.println(message);
      err.flush();
    });
    out.println("listening on http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port());
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) { // how an embedding program (or a test) stops the server
      Runtime.getRuntime().removeShutdownHook(hook);
      server.close();
    }
    return 0;
  }

  /**
   * Reads the files: at start and on every reload. When a file fails part way, what was already opened (a model, the
   * vectors, the HNSW index's mapped files) is closed before the failure propagates, so a failed reload leaves nothing
   * open behind the generation still served.
   */
  private ServedModels load() throws IOException {
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      TextClassifier classifier = null;
      Recommender recommender = null;
      if (model != null) {
        FileChecks.seekable(model);
        try {
          classifier = opening(opened, TextClassifier.load(model));
        } catch (CheckpointFormatException notAClassifier) {
          try {
            recommender = opening(opened, Recommender.load(model));
          } catch (CheckpointFormatException notARecommender) {
            notARecommender.addSuppressed(notAClassifier);
            throw notARecommender;
          }
        }
      }
      Vectors served =
          vectors != null ? input.readForSearch(vectors) : classifier != null ? classifier.wordVectors() : null;
      opening(opened, served);
      ApproximateNeighbors index = null;
      if (approximate && served != null) {
        LuceneLog.quiet();
        Path beside = vectors == null ? null : vectors.resolveSibling(vectors.getFileName() + ".hnsw");
        index = opening(opened, ApproximateNeighbors.openOrBuild(served.table(), beside, graph.settings(ef)));
      }
      return ServedModels.of(served, index, classifier, recommender);
    } catch (IOException | RuntimeException | Error e) {
      while (!opened.isEmpty()) {
        try {
          opened.pop().close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** Pushes {@code resource} (if not null) on {@code opened}, the latest first, and returns it. */
  private static <T extends AutoCloseable> T opening(Deque<AutoCloseable> opened, T resource) {
    if (resource != null) {
      opened.push(resource);
    }
    return resource;
  }
}
