package dev.emb4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BasicsDemoCommandTest {

  private static long count(List<String> lines, String line) {
    return lines.stream().filter(l -> l.strip().equals(line)).count();
  }

  @Test
  void demoRunsEveryExampleAndEveryCheckHolds() {
    CliRun run = CliRun.run("demo", "basics");
    assertEquals(Emb4jCommand.EXIT_OK, run.exitCode(), run.err());
    assertEquals("", run.err());
    List<String> lines = run.outLines();
    for (int section = 1; section <= 6; section++) {
      String prefix = section + ". ";
      assertTrue(lines.stream().anyMatch(l -> l.startsWith(prefix)), "section " + section + " missing:\n" + run.out());
    }
    // lookup, pretrained, linear, 2 x dictionary, 4 x bag pooling
    assertEquals(9, count(lines, "equal: true"), run.out());
    assertFalse(run.out().contains(": false"), run.out());
    assertTrue(run.out().contains("All 11 checks hold."), run.out());
  }

  @Test
  void lookupShowsTheRowsItReturns() {
    List<String> lines = CliRun.run("demo", "basics").outLines();
    for (int k = 0; k < 3; k++) {
      int id = k + 1;
      String prefix = "out[" + k + "] = ";
      String line = lines.stream().filter(l -> l.strip().startsWith(prefix)).findFirst().orElseThrow();
      String[] parts = line.strip().split("\\s{3}");
      assertEquals(2, parts.length, line);
      String looked = parts[0].substring(parts[0].indexOf('='));
      String row = parts[1].substring(parts[1].indexOf('='));
      assertTrue(parts[1].startsWith("W[" + id + "]"), line);
      assertEquals(row, looked, line);
    }
  }

  @Test
  void linearEquivalenceIsExact() {
    CliRun run = CliRun.run("demo", "basics");
    assertTrue(run.out().contains("max abs difference: 0.0"), run.out());
  }

  @Test
  void paddingRowGetsNoGradientWhileItsNeighboursDo() {
    List<String> lines = CliRun.run("demo", "basics").outLines();
    assertEquals(1, count(lines, "padding row has no gradient: true"));
    assertEquals(1, count(lines, "other rows have one gradient per occurrence: true"));
    assertTrue(lines.stream().anyMatch(l -> l.strip().startsWith("grad[0] = [0, 0, 0]")), String.join("\n", lines));
    assertTrue(lines.stream().anyMatch(l -> l.strip().startsWith("grad[2] = [2, 2, 2]")), String.join("\n", lines));
  }

  @Test
  void dictionaryTotalsTheBasket() {
    CliRun run = CliRun.run("demo", "basics");
    assertTrue(run.out().contains("total 13.34 (summed by hand: 13.34)"), run.out());
  }

  @Test
  void bagPoolingShowsEachMode() {
    String out = CliRun.run("demo", "basics").out();
    assertTrue(out.contains("SUM  bag 0 = [15, 18]  bag 1 = [10, 12]"), out);
    assertTrue(out.contains("MEAN bag 0 = [5, 6]  bag 1 = [5, 6]"), out);
    assertTrue(out.contains("MAX  bag 0 = [9, 10]  bag 1 = [7, 8]"), out);
  }

  @Test
  void sameSeedSameOutputOtherSeedOtherTables() {
    CliRun first = CliRun.run("demo", "basics", "--seed", "7");
    CliRun second = CliRun.run("demo", "basics", "--seed", "7");
    CliRun other = CliRun.run("demo", "basics", "--seed", "8");
    assertEquals(Emb4jCommand.EXIT_OK, first.exitCode(), first.err());
    assertEquals(Emb4jCommand.EXIT_OK, other.exitCode(), other.err());
    assertEquals(first.out(), second.out());
    assertFalse(first.out().equals(other.out()));
    assertTrue(other.out().contains("All 11 checks hold."), other.out());
  }
}
