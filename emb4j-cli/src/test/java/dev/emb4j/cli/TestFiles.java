package dev.emb4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Small learnable data files for the command-line tests. */
public final class TestFiles {
  private TestFiles() {}

  /**
   * {@code n} ratings of 30 users on 20 items (ids 100..119) with a learnable structure: users like items of their own
   * parity (4-5 stars, else 1-2). Tabs and commas alternate, every third line has a timestamp.
   */
  public static Path ratings(Path dir, String name, long seed, int n) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < n; k++) {
      int u = 1 + rng.nextInt(30);
      int i = 100 + rng.nextInt(20);
      int r = (u % 2 == i % 2) ? 4 + rng.nextInt(2) : 1 + rng.nextInt(2);
      sb.append(u).append(k % 2 == 0 ? '\t' : ',').append(i).append(k % 2 == 0 ? '\t' : ',').append(r);
      sb.append(k % 3 == 0 ? "\t881250949\n" : "\n");
    }
    Path p = dir.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  /**
   * {@code n} texts as {@code label<TAB>text} lines, labelled {@code first} (with sport words among filler words) or
   * {@code second} (with tech words).
   */
  public static Path texts(Path dir, String name, long seed, int n, String first, String second) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    String[] a = {"goal", "match", "team", "score"};
    String[] b = {"code", "cpu", "java", "cloud"};
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < n; k++) {
      boolean isFirst = rng.nextBoolean();
      StringBuilder text = new StringBuilder();
      for (int j = 0; j < 6; j++) {
        text.append(rng.nextInt(3) == 0 ? (isFirst ? a : b)[rng.nextInt(4)] : "w" + rng.nextInt(50)).append(' ');
      }
      sb.append(isFirst ? first : second).append('\t').append(text).append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }
}
