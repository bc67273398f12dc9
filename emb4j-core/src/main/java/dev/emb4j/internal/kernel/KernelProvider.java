package dev.emb4j.internal.kernel;

import java.lang.System.Logger.Level;

/**
 * Chooses the {@link KernelSupport} once per JVM (a static holder: the choice is made when {@link Kernels} is first
 * used). The Vector API implementation when the {@code jdk.incubator.vector} module is in the boot layer (and, on the
 * module path, read by emb4j's module) and its preferred float vector is at least 128 bits wide; otherwise the scalar
 * one, with one log line saying why and how to enable the fast path.
 *
 * <p>The system property {@value #PROPERTY} forces a choice: {@code scalar}, {@code panama} (fails if the module is
 * missing) or {@code auto} (the default).
 */
final class KernelProvider {
  private KernelProvider() {}

  /** The system property that forces an implementation: {@code auto}, {@code scalar} or {@code panama}. */
  static final String PROPERTY = "emb4j.kernels";

  static final String VECTOR_MODULE = "jdk.incubator.vector";

  /** The implementation in use. */
  static final KernelSupport IMPL = choose();

  private static KernelSupport choose() {
    String forced = System.getProperty(PROPERTY, "auto").trim();
    boolean hasModule = vectorModuleReadable();
    switch (forced) {
      case "scalar" -> {
        return new ScalarKernels();
      }
      case "panama" -> {
        if (!hasModule) {
          throw new IllegalStateException(
              PROPERTY + "=panama needs the Vector API: start java with --add-modules " + VECTOR_MODULE);
        }
        return new PanamaKernels();
      }
      case "auto" -> {
        if (!hasModule) {
          log("the " + VECTOR_MODULE + " module is not enabled; start java with --add-modules " + VECTOR_MODULE);
          return new ScalarKernels();
        }
        int bits = PanamaKernels.preferredBits();
        if (bits < 128) {
          log("the CPU's preferred float vector is only " + bits + " bits wide (128 or more needed)");
          return new ScalarKernels();
        }
        return new PanamaKernels();
      }
      default ->
          throw new IllegalArgumentException(
              "system property " + PROPERTY + " must be auto, scalar or panama, got '" + forced + "'");
    }
  }

  /**
   * Whether the Vector API module is in the boot layer and this class can read it: on the class path it always can;
   * on the module path ({@code requires static}) only when the module was resolved, e.g. by {@code --add-modules}.
   */
  static boolean vectorModuleReadable() {
    return ModuleLayer.boot()
        .findModule(VECTOR_MODULE)
        .map(KernelProvider.class.getModule()::canRead)
        .orElse(false);
  }

  private static void log(String why) {
    System.getLogger(KernelProvider.class.getPackageName())
        .log(Level.INFO, "emb4j uses its scalar kernels (slower): " + why);
  }
}
