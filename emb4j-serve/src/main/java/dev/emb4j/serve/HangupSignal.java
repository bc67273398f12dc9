package dev.emb4j.serve;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Runs an action on SIGHUP, the signal by which daemons are told to re-read their files. The JDK's only hook for it
 * is {@code sun.misc.Signal} (module jdk.unsupported), reached by reflection because javac flags every direct use as
 * proprietary API, which this build's {@code -Werror} refuses.
 */
final class HangupSignal {
  private HangupSignal() {}

  /**
   * Installs {@code action} as the SIGHUP handler; it runs on a JVM signal thread.
   *
   * @return false where the platform has no SIGHUP (Windows) or the JDK no {@code sun.misc.Signal}
   */
  static boolean onHangup(Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance("HUP");
      InvocationHandler onSignal =
          (Object proxy, Method method, Object[] args) -> {
            if (method.getName().equals("handle")) {
              action.run();
              return null;
            }
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> "HangupSignal";
            };
          };
      Object handler = Proxy.newProxyInstance(HangupSignal.class.getClassLoader(), new Class<?>[] {handlerClass}, onSignal);
      signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      return true;
    } catch (ReflectiveOperationException | IllegalArgumentException e) {
      // IllegalArgumentException: "Unknown signal: HUP" where the platform has none
      return false;
    }
  }
}
