package dev.emb4j.internal.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.constant.ConstantDescs;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Copies of one class, each a hidden class of its own with a constant of its own: a hot loop written once and
 * compiled by the JIT once per caller kind.
 *
 * <p>C2 compiles a method for what its profile has seen, and a method has one profile for all its callers: a loop
 * that serves heap rows and off-heap rows, chosen by a parameter, is compiled for both and runs several times slower
 * for either than a loop that only ever saw one (see docs/performance.md, "Mechanisms"). A hidden class defined from
 * the same bytes is a new class with new methods, so each copy gathers its own profile and gets its own compiled code;
 * and a {@code static final} field read from the copy's class data ({@link #kind}) is a constant to C2, so a test of
 * the kind folds away and only the copy's own branch is compiled. The template must be a top-level class with no
 * nested classes and no lambdas (their bytes name the template, not the copy) and a public no-argument constructor.
 */
final class ClassCopies {
  private ClassCopies() {}

  /**
   * A new instance of a fresh copy of {@code template}, whose {@link #kind} is {@code kind}, seen as {@code api}.
   *
   * @throws IllegalStateException if the template's bytes cannot be read or defined (a packaging fault)
   */
  static <T> T copy(Class<? extends T> template, Class<T> api, int kind) {
    byte[] bytes;
    try (InputStream in = template.getResourceAsStream(template.getSimpleName() + ".class")) {
      if (in == null) {
        throw new IllegalStateException("the class file of " + template.getName() + " is not on the class path");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the class file of " + template.getName(), e);
    }
    try {
      MethodHandles.Lookup copy = MethodHandles.lookup().defineHiddenClassWithClassData(bytes, kind, true);
      Object instance = copy.findConstructor(copy.lookupClass(), MethodType.methodType(void.class)).invoke();
      return api.cast(instance);
    } catch (Throwable e) {
      throw new IllegalStateException("cannot copy " + template.getName() + " for kind " + kind, e);
    }
  }

  /**
   * The kind a copy was made for, read by the copy from its own full-privilege {@code lookup} in a static initializer;
   * -1 in the template itself, which is never instantiated.
   */
  static int kind(MethodHandles.Lookup lookup) {
    try {
      Integer kind = MethodHandles.classData(lookup, ConstantDescs.DEFAULT_NAME, Integer.class);
      return kind == null ? -1 : kind;
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("a class copy cannot read its class data", e);
    }
  }
}
