package dev.emb4j.cli.demo;

import dev.emb4j.cli.Emb4jCommand;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code emb4j demo basics}: walks through the basic facts about embedding tables, each computed live with the emb4j API
 * and checked. Exits with {@value Emb4jCommand#EXIT_USER_ERROR} if any check fails.
 */
@Command(
    name = "basics",
    mixinStandardHelpOptions = true,
    description = "Shows what embedding tables do, computed live with emb4j and checked.",
    footerHeading = "%nExamples:%n",
    footer = {"  emb4j demo basics", "  emb4j demo basics --seed 7"})
public final class BasicsDemoCommand implements Callable<Integer> {

  private static final List<DemoExample> EXAMPLES =
      List.of(
          new LookupExample(),
          new PretrainedExample(),
          new LinearEquivalenceExample(),
          new DictionaryExample(),
          new PaddingGradientExample(),
          new BagPoolingExample());

  @Spec private CommandSpec spec;

  @Option(
      names = "--seed",
      defaultValue = "42",
      paramLabel = "SEED",
      description = "Seed of the random tables (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    DemoReport report = new DemoReport(out);
    out.println("emb4j demo basics: " + EXAMPLES.size() + " facts about embedding tables, computed live and checked.");
    for (int i = 0; i < EXAMPLES.size(); i++) {
      DemoExample example = EXAMPLES.get(i);
      report.section(i + 1, example.title());
      example.run(report, seed);
    }
    out.println();
    List<String> failures = report.failures();
    if (failures.isEmpty()) {
      out.println("All " + report.checks() + " checks hold.");
      out.flush();
      return Emb4jCommand.EXIT_OK;
    }
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "emb4j: demo basics: " + failures.size() + " of " + report.checks() + " checks failed: " + String.join("; ", failures));
    err.flush();
    return Emb4jCommand.EXIT_USER_ERROR;
  }
}
