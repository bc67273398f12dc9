package dev.emb4j.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started by a fault test on this test's class path, whose output lines the test waits for; {@link #kill()}
 * sends SIGKILL, {@link #close()} ends it however it is.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final StringBuilder seen = new StringBuilder();

  private ChildJvm(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  static ChildJvm start(Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx256m", "--sun-misc-unsafe-memory-access=allow"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
  }

  /** A member on 127.0.0.1:{@code port} joining {@code members}, once it says it is ready. */
  static ChildJvm member(int port, String members) throws IOException {
    ChildJvm m = start(MemberMain.class, "127.0.0.1", Integer.toString(port), members);
    m.awaitLine("ready");
    return m;
  }

  /**
   * Reads output until a line starting with {@code prefix}, and returns it.
   *
   * @throws IllegalStateException if the child ends first
   */
  String awaitLine(String prefix) throws IOException {
    String line;
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IllegalStateException("the child ended before printing '" + prefix + "'; its output:\n" + seen);
  }

  /** SIGKILL: no shutdown hook runs, the member leaves nothing behind gracefully. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
