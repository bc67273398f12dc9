package dev.emb4j.cli.demo;

/**
 * One fact about embedding tables that the demo shows: it computes the fact live with the emb4j API, prints what it
 * computed, and checks it through the {@link DemoReport}.
 */
interface DemoExample {

  /** The fact, in one line. */
  String title();

  /** Computes, prints and checks the fact; {@code seed} fills the random tables. */
  void run(DemoReport report, long seed);
}
