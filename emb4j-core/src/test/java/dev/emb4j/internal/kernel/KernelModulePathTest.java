package dev.emb4j.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * On the module path, emb4j picks the same kernels as on the class path: the Vector API ones when the boot layer
 * holds {@code jdk.incubator.vector} (the default test run), the scalar ones when it does not (the scalar-kernels
 * run), without failing to load for lack of the module emb4j {@code requires static}.
 */
class KernelModulePathTest {

  @Test
  void theModuleChoosesTheKernelsTheClassPathChooses() throws Exception {
    Path classes = Path.of(Kernels.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleLayer boot = ModuleLayer.boot();
    Configuration cf = boot.configuration().resolve(ModuleFinder.of(classes), ModuleFinder.of(), Set.of("dev.emb4j"));
    ModuleLayer.Controller controller =
        ModuleLayer.defineModulesWithOneLoader(cf, List.of(boot), ClassLoader.getPlatformClassLoader());
    Module emb4j = controller.layer().findModule("dev.emb4j").orElseThrow();
    controller.addOpens(emb4j, "dev.emb4j.internal.kernel", KernelModulePathTest.class.getModule());
    Class<?> kernels = Class.forName("dev.emb4j.internal.kernel.Kernels", true, emb4j.getClassLoader());
    assertEquals(emb4j, kernels.getModule());
    Method name = kernels.getMethod("implementationName");
    assertEquals(Kernels.implementationName(), name.invoke(null));
  }
}
