package dev.emb4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.nn.Model;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code docs/pytorch-to-emb4j.md} true: every {@code java} block of the page is compiled with only its own
 * imports (a block that declares a type becomes a source file of its own, any other block the body of a method), all
 * blocks together so that they can use the types the page declares, against emb4j-core; then each method block runs,
 * but those marked {@code <!-- compile-only ... -->} (they read files PyTorch wrote).
 */
class PyTorchPageTest {
  private static final Path PAGE =
      Path.of(System.getProperty("user.dir")).resolve("../docs/pytorch-to-emb4j.md").normalize();
  private static final Pattern BLOCK =
      Pattern.compile("(<!-- compile-only[^\\n]*-->\\n)?```(\\w+)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern TYPE_DECLARATION =
      Pattern.compile("^(public |abstract |final |sealed )*(class|record|interface|enum) (\\w+)", Pattern.MULTILINE);

  /** One fenced block of the page. */
  private record Block(String language, String code, boolean compileOnly, int line) {}

  /** A Java block turned into a source file. */
  private record Snippet(Block block, String className, boolean runnable, String source) {}

  private static List<Block> blocks() throws IOException {
    String page = Files.readString(PAGE);
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(page);
    while (m.find()) {
      int line = (int) page.substring(0, m.start(2)).lines().count();
      blocks.add(new Block(m.group(2), m.group(3), m.group(1) != null, line));
    }
    return blocks;
  }

  private static List<Snippet> snippets() throws IOException {
    List<Snippet> snippets = new ArrayList<>();
    for (Block b : blocks()) {
      if (!b.language().equals("java")) {
        continue;
      }
      StringBuilder imports = new StringBuilder();
      StringBuilder body = new StringBuilder();
      for (String line : b.code().lines().toList()) {
        (line.startsWith("import ") ? imports : body).append(line).append('\n');
      }
      String name = "Snippet" + snippets.size();
      String header = "package snippets;\n\n" + imports;
      Matcher type = TYPE_DECLARATION.matcher(body);
      if (type.find()) { // a file named after its type, so that the other blocks may use it
        snippets.add(new Snippet(b, type.group(3), false, header + body));
      } else {
        String method = "final class " + name + " {\n  static void run() throws Exception {\n" + body + "  }\n}\n";
        snippets.add(new Snippet(b, name, !b.compileOnly(), header + method));
      }
    }
    return snippets;
  }

  @Test
  void everyJavaBlockFollowsItsPyTorchBlockAndShowsItsImports() throws IOException {
    List<Block> blocks = blocks();
    int java = 0;
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      if (b.language().equals("java")) {
        java++;
        assertTrue(i > 0 && blocks.get(i - 1).language().equals("python"), "no PyTorch block before line " + b.line());
        assertTrue(b.code().startsWith("import "), "the Java block at line " + b.line() + " shows no imports");
      }
    }
    assertTrue(java >= 15, "only " + java + " Java blocks in " + PAGE);
  }

  @Test
  void everyJavaBlockCompilesAndRuns(@TempDir Path dir) throws Exception {
    List<Snippet> snippets = snippets();
    Path sources = Files.createDirectories(dir.resolve("src/snippets"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-Xlint:all", "-Werror", "-proc:none"));
    args.addAll(List.of("-classpath", Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toString()));
    for (Snippet s : snippets) {
      Path file = sources.resolve(s.className() + ".java");
      Files.writeString(file, s.source());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = javac.run(null, null, diagnostics, args.toArray(String[]::new));
    assertEquals(0, status, "the page's Java blocks do not compile (SnippetN is the N-th Java block):\n" + diagnostics);

    PrintStream original = System.out;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      for (Snippet s : snippets) {
        if (!s.runnable()) {
          continue;
        }
        Method run = loader.loadClass("snippets." + s.className()).getDeclaredMethod("run");
        run.setAccessible(true);
        try {
          run.invoke(null);
        } catch (InvocationTargetException e) {
          throw new AssertionError("the Java block at line " + s.block().line() + " of the page fails", e.getCause());
        }
      }
    } finally {
      System.setOut(original);
    }
    assertFalse(snippets.stream().noneMatch(Snippet::runnable), "no block ran");
  }
}
