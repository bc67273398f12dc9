package dev.emb4j.internal.kernel;

import java.lang.System.Logger.Level;

/**
 * Chooses the {@link KernelSupport} once per JVM (a static holder: the choice is made when {@link Kernels} is first
 * used). The Vector API implementation when the {@code jdk.incubator.vector} module is in the boot layer (and, on the
 * module path, read by emb4j's module) and its preferred float vector is at least 128 bits wide; otherwise the scalar
 * one, with one log line saying why and how to enable the fast path.
 *
 * <p>Two system properties force a choice, so that tests on one machine can exercise every path:
 *
 * <ul>
 *   <li>{@value #PROPERTY}: {@code scalar}, {@code panama} (fails if the module is missing) or {@code auto} (the
 *       default), e.g. {@code -Demb4j.kernels=scalar};
 *   <li>{@value #VECTOR_BITS}: the width of the vectors the Vector API kernels use, {@code 128}, {@code 256} or {@code
 *       512} bits, at most the CPU's preferred width (default: that width), e.g. {@code -Demb4j.vectorBits=128} to
 *       run the narrow vector loops and their tails on an AVX-512 machine.
 * </ul>
 *
 * <p>emb4j-core's build runs the kernel and optimizer tests three times: at the preferred width, with the scalar
 * kernels, and at 128 bits.
 */
final class KernelProvider {
  private KernelProvider() {}

  /** The system property that forces an implementation: {@code auto}, {@code scalar} or {@code panama}. */
  static final String PROPERTY = "emb4j.kernels";

  /** The system property that forces a vector width in bits: {@code 128}, {@code 256} or {@code 512}. */
  static final String VECTOR_BITS = "emb4j.vectorBits";

  static final String VECTOR_MODULE = "jdk.incubator.vector";

  /**
   * The vector width {@value #VECTOR_BITS} forces, or 0 when it is not set.
   *
   * @throws IllegalArgumentException unless the property is 128, 256 or 512
   */
  static int forcedVectorBits() {
    String value = System.getProperty(VECTOR_BITS);
    if (value == null || value.isBlank()) {
      return 0;
    }
    return switch (value.trim()) {
      case "128" -> 128;
      case "256" -> 256;
      case "512" -> 512;
      default ->
          throw new IllegalArgumentException(
              "system property " + VECTOR_BITS + " must be 128, 256 or 512, got '" + value + "'");
    };
  }

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
        return panama();
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
        return panama();
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

  /** The Vector API kernels, after checking that a forced width is one the CPU has. */
  private static KernelSupport panama() {
    int forced = forcedVectorBits();
    int preferred = PanamaKernels.preferredBits();
    if (forced > preferred) {
      throw new IllegalStateException(
          VECTOR_BITS + "=" + forced + " is wider than this CPU's preferred float vector (" + preferred + " bits)");
    }
    return new PanamaKernels();
  }

  private static void log(String why) {
    System.getLogger(KernelProvider.class.getPackageName())
        .log(Level.INFO, "emb4j uses its scalar kernels (slower): " + why);
  }
}
