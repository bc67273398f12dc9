package dev.emb4j.serve;

import dev.emb4j.internal.format.Json;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An HTTP server answering lookups, nearest neighbours, analogies, classifications and recommendations from emb4j
 * models, on Javalin (Jetty) with one virtual thread per request.
 *
 * <pre>{@code
 * try (EmbeddingServer server = EmbeddingServer.start("127.0.0.1", 0, loader, ServerLimits.DEFAULT)) {
 *   // GET http://127.0.0.1:{server.port()}/v1/similar?token=frog&k=10
 * }
 * }</pre>
 *
 * <p>Endpoints: {@code /v1/lookup}, {@code /v1/similar}, {@code /v1/similar/batch} (several tokens scored in one pass
 * over the rows), {@code /v1/analogy}, {@code /v1/classify}, {@code
 * /v1/recommend} (GET with a query string or POST with a JSON object), {@code POST /v1/admin/reload}, {@code
 * /health}, {@code /metrics} (Prometheus) and {@code /openapi.json}, which describes them all. Errors are JSON
 * objects {@code {"error": message, "field" | "token" | ...: value}}: 400 for a malformed or over-limit argument, 404
 * for an unknown token, user or item.
 *
 * <p>{@link #reload} reads the model files again and swaps the new generation in atomically; requests in flight finish
 * on the generation they started with, which closes once the last of them is done. {@link #close} stops taking
 * connections and waits for the requests in flight.
 */
public final class EmbeddingServer implements AutoCloseable {
  /** How long {@link #close} waits for requests in flight. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final ModelLoader loader;
  private final Answers answers;
  private final ServerLimits limits;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final AtomicReference<ServedModels> current = new AtomicReference<>();
  private final Object reloadLock = new Object();
  private final Path runLog;
  private final Javalin app;
  private volatile long generation = 1;

  private EmbeddingServer(ModelLoader loader, ServerLimits limits, Path runLog, ServedModels first) {
    this.loader = loader;
    this.runLog = runLog;
    this.limits = limits;
    this.answers = new Answers(limits);
    this.current.set(first);
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    gcMetrics.bindTo(metrics);
    this.app = Javalin.create(this::configure);
  }

  /**
   * Loads the models and starts serving them.
   *
   * @param host the address to bind, e.g. {@code 127.0.0.1}
   * @param port the port, or 0 for a free one (see {@link #port})
   * @param loader reads the models, now and on every reload
   * @param limits bounds on each request
   * @return the running server
   * @throws IOException if the models cannot be loaded
   * @throws IllegalStateException if the server cannot bind
   */
  public static EmbeddingServer start(String host, int port, ModelLoader loader, ServerLimits limits)
      throws IOException {
    return start(host, port, loader, limits, null);
  }

  /**
   * Loads the models and starts serving them, with the training page following a run log.
   *
   * @param host the address to bind, e.g. {@code 127.0.0.1}
   * @param port the port, or 0 for a free one (see {@link #port})
   * @param loader reads the models, now and on every reload
   * @param limits bounds on each request
   * @param runLog the run log ({@code --log} of the training commands) that {@code /v1/run} and the training page
   *     show, read afresh on every request (it may not exist yet), or null
   * @return the running server
   * @throws IOException if the models cannot be loaded
   * @throws IllegalStateException if the server cannot bind
   */
  public static EmbeddingServer start(String host, int port, ModelLoader loader, ServerLimits limits, Path runLog)
      throws IOException {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(loader, "loader");
    Objects.requireNonNull(limits, "limits");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    ServedModels first = Objects.requireNonNull(loader.load(), "the loader returned null");
    EmbeddingServer server;
    try {
      server = new EmbeddingServer(loader, limits, runLog, first);
    } catch (RuntimeException | Error e) {
      first.retire(); // closes the models: no server owns them
      throw e;
    }
    try {
      server.app.start(host, port);
    } catch (RuntimeException e) {
      server.close();
      throw new IllegalStateException("cannot serve on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    return server;
  }

  /** The port the server listens on (the one chosen when started with port 0). */
  public int port() {
    return app.port();
  }

  /**
   * Reads the models again and swaps them in; requests in flight finish on the old ones. If loading fails, the old
   * models stay.
   *
   * @return the new generation number (1 at start)
   * @throws IOException if the models cannot be loaded
   * @throws IllegalStateException if the server is closed
   */
  public long reload() throws IOException {
    synchronized (reloadLock) {
      if (current.get() == null) {
        throw new IllegalStateException("the server is closed");
      }
      ServedModels fresh = Objects.requireNonNull(loader.load(), "the loader returned null");
      current.getAndSet(fresh).retire();
      return ++generation;
    }
  }

  /**
   * Reloads on SIGHUP (where the platform has signals), reporting each outcome to {@code report}.
   *
   * @param report told "reloaded (generation N)" or the failure's message
   * @return whether the handler could be installed
   */
  public boolean reloadOnHangup(Consumer<String> report) {
    return HangupSignal.onHangup(
        () -> {
          try {
            report.accept("reloaded (generation " + reload() + ")");
          } catch (IOException | RuntimeException e) {
            report.accept("reload failed, still serving the previous models: " + e.getMessage());
          }
        });
  }

  /** Stops taking connections, lets the requests in flight finish, then frees the models. */
  @Override
  public void close() {
    synchronized (reloadLock) {
      closeLocked();
    }
  }

  private void closeLocked() {
    app.stop();
    gcMetrics.close();
    metrics.close();
    ServedModels last = current.getAndSet(null);
    if (last != null) {
      last.retire();
    }
  }

  private void configure(JavalinConfig config) {
    config.startup.showJavalinBanner = false;
    config.startup.showOldJavalinVersionWarning = false;
    config.concurrency.useVirtualThreads = true;
    config.http.maxRequestSize = limits.maxBodyBytes();
    config.jetty.modifyServer(server -> server.setStopTimeout(STOP_TIMEOUT.toMillis()));
    var routes = config.routes;
    Map<String, BiFunction<ServedModels, RequestArgs, Object>> endpoints = new LinkedHashMap<>();
    endpoints.put("lookup", answers::lookup);
    endpoints.put("similar", answers::similar);
    endpoints.put("similar/batch", answers::similarBatch);
    endpoints.put("analogy", answers::analogy);
    endpoints.put("classify", answers::classify);
    endpoints.put("recommend", answers::recommend);
    endpoints.forEach(
        (path, answer) -> {
          routes.get("/v1/" + path, api(path, answer));
          routes.post("/v1/" + path, api(path, answer));
        });
    routes.get("/v1/projection", projection("projection", "application/json", p -> p.json()));
    routes.get("/v1/projection/tokens", projection("projection/tokens", "application/json", p -> p.tokensJson()));
    routes.get("/v1/projection/points", projection("projection/points", "application/octet-stream", p -> p.points()));
    routes.get("/v1/run", api("run", (m, args) -> RunLogFile.entries(runLog)));
    routes.post("/v1/admin/reload", this::reloadRequest);
    config.staticFiles.enableWebjars();
    routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(resource("projector.html")));
    routes.get("/training", ctx -> ctx.contentType("text/html; charset=utf-8").result(resource("training.html")));
    routes.get("/health", api("health", (m, args) -> answers.health(m, generation)));
    routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(resource("openapi.json")));
  }

  /** A handler that leases the current models, answers as JSON, maps refusals to their status, and times itself. */
  private Handler api(String endpoint, BiFunction<ServedModels, RequestArgs, Object> answer) {
    return ctx -> {
      long start = System.nanoTime();
      ServedModels models = acquire();
      try {
        RequestArgs args = ctx.method().name().equals("POST") ? RequestArgs.ofBody(body(ctx)) : RequestArgs.ofQuery(ctx.queryParamMap());
        json(ctx, 200, answer.apply(models, args));
      } catch (ApiException e) {
        json(ctx, e.status(), e.body());
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        json(ctx, 400, Map.of("error", String.valueOf(e.getMessage())));
      } finally {
        models.release();
        timer(endpoint, ctx.statusCode()).record(Duration.ofNanos(System.nanoTime() - start));
      }
    };
  }

  /**
   * A handler answering an encoding of the projector's points, made once per generation (a string is JSON, a byte
   * array the binary coordinates), with the errors of {@link #api}.
   */
  private Handler projection(String endpoint, String contentType, Function<ProjectedPoints, Object> encoding) {
    return ctx -> {
      long start = System.nanoTime();
      ServedModels models = acquire();
      try {
        Object body = encoding.apply(answers.projection(models));
        ctx.status(200).contentType(contentType);
        if (body instanceof byte[] bytes) {
          ctx.result(bytes);
        } else {
          ctx.result((String) body);
        }
      } catch (ApiException e) {
        json(ctx, e.status(), e.body());
      } catch (IllegalArgumentException e) {
        json(ctx, 400, Map.of("error", String.valueOf(e.getMessage())));
      } finally {
        models.release();
        timer(endpoint, ctx.statusCode()).record(Duration.ofNanos(System.nanoTime() - start));
      }
    };
  }

  private void reloadRequest(Context ctx) {
    long start = System.nanoTime();
    try {
      json(ctx, 200, Map.of("reloaded", true, "generation", reload()));
    } catch (IOException | RuntimeException e) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", "reload failed, still serving the previous models: " + e.getMessage());
      body.put("generation", generation);
      json(ctx, 500, body);
    } finally {
      timer("reload", ctx.statusCode()).record(Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** A lease on the current generation; retried when a reload retires it between the read and the lease. */
  private ServedModels acquire() {
    while (true) {
      ServedModels m = current.get();
      if (m == null) {
        throw new HttpResponseException(HttpStatus.SERVICE_UNAVAILABLE.getCode(), "the server is shutting down");
      }
      if (m.tryAcquire()) {
        return m;
      }
    }
  }

  /** The request body, or a 400 naming the body when it is over the limit. */
  private String body(Context ctx) {
    if (ctx.contentLength() > limits.maxBodyBytes()) {
      throw ApiException.badField("body", "the body has " + ctx.contentLength() + " bytes, more than the limit of " + limits.maxBodyBytes());
    }
    try {
      return ctx.body();
    } catch (HttpResponseException e) { // a body without a length that turned out too long
      throw ApiException.badField("body", "the body is longer than the limit of " + limits.maxBodyBytes() + " bytes");
    }
  }

  private Timer timer(String endpoint, int status) {
    return Timer.builder("emb4j.requests")
        .description("API requests by endpoint and status")
        .tag("endpoint", endpoint)
        .tag("status", Integer.toString(status))
        .publishPercentileHistogram()
        .register(metrics);
  }

  private static void json(Context ctx, int status, Object value) {
    ctx.status(status).contentType("application/json").result(Json.write(value));
  }

  private static String resource(String name) {
    try (InputStream in = EmbeddingServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the resource " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
