package dev.emb4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.emb4j.tensor.Shape;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The compiled module descriptor exports exactly the API packages, and the Vector API stays optional. */
class ModuleDescriptorTest {

  /** The descriptor compiled beside the main classes (target/classes or the jar). */
  private static ModuleDescriptor descriptor() throws URISyntaxException {
    Path classes = Path.of(Shape.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return ModuleFinder.of(classes).find("dev.emb4j").orElseThrow().descriptor();
  }

  @Test
  void exportsExactlyTheApiPackages() throws URISyntaxException {
    ModuleDescriptor d = descriptor();
    assertEquals("dev.emb4j", d.name());
    Set<String> exported =
        d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(
        new TreeSet<>(
            Set.of(
                "dev.emb4j",
                "dev.emb4j.tensor",
                "dev.emb4j.metrics",
                "dev.emb4j.store",
                "dev.emb4j.autograd",
                "dev.emb4j.nn",
                "dev.emb4j.optim",
                "dev.emb4j.vocab",
                "dev.emb4j.io",
                "dev.emb4j.checkpoint",
                "dev.emb4j.search",
                "dev.emb4j.task",
                "dev.emb4j.task.text")),
        exported);
    for (ModuleDescriptor.Exports e : d.exports()) {
      assertTrue(!e.isQualified(), e + " is a qualified export");
    }
    for (String p : d.packages()) {
      assertTrue(exported.contains(p) || p.startsWith("dev.emb4j.internal."), p + " is neither exported nor internal");
    }
  }

  @Test
  void theVectorApiIsAnOptionalDependency() throws URISyntaxException {
    ModuleDescriptor.Requires vector =
        descriptor().requires().stream().filter(r -> r.name().equals("jdk.incubator.vector")).findFirst().orElseThrow();
    assertEquals(Set.of(ModuleDescriptor.Requires.Modifier.STATIC), vector.modifiers());
  }
}
