package dev.emb4j.cli.cluster;

import dev.emb4j.cluster.Addresses;
import dev.emb4j.cluster.Cluster;
import dev.emb4j.cluster.ClusterStatus;
import dev.emb4j.internal.format.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code emb4j cluster status}: the members, the partitions each owns, the tables with rows present and bytes. */
@Command(
    name = "status",
    description = {
      "Print the cluster's members with the partitions each owns, and its tables with the rows present and their bytes.",
      "--json prints one object: {\"members\": [{\"address\", \"partitions\"}, ...], \"tables\": [{\"name\", \"rows\","
          + " \"bytes\", \"expected_rows\", \"dim\", \"keys\"}, ...]}: rows counts the rows present (for a table"
          + " keyed by raw ids, the ids pushed at least once), keys is \"rows\" or \"raw_ids\"."
    },
    mixinStandardHelpOptions = true)
public final class ClusterStatusCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--members", required = true, paramLabel = "HOST:PORT,...", description = "Members to ask.")
  private String members;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  private boolean json;

  @Override
  public Integer call() {
    ClusterStatus status;
    try (Cluster cluster = Cluster.connect(Addresses.parseList(members))) {
      status = cluster.status();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      List<Object> ms = new ArrayList<>();
      for (ClusterStatus.MemberInfo m : status.members()) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("address", m.address());
        o.put("partitions", m.partitions());
        ms.add(o);
      }
      List<Object> ts = new ArrayList<>();
      for (ClusterStatus.TableInfo t : status.tables()) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", t.name());
        o.put("rows", t.rows());
        o.put("bytes", t.bytes());
        o.put("expected_rows", t.spec().rows());
        o.put("dim", t.spec().dim());
        o.put("keys", t.spec().rawIds() ? "raw_ids" : "rows");
        ts.add(o);
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("members", ms);
      doc.put("tables", ts);
      out.println(Json.write(doc));
    } else {
      out.printf(Locale.ROOT, "%d member%s%n", status.members().size(), status.members().size() == 1 ? "" : "s");
      for (ClusterStatus.MemberInfo m : status.members()) {
        out.printf(Locale.ROOT, "  %-21s %4d partitions%n", m.address(), m.partitions());
      }
      out.printf(Locale.ROOT, "%d table%s%n", status.tables().size(), status.tables().size() == 1 ? "" : "s");
      for (ClusterStatus.TableInfo t : status.tables()) {
        if (t.spec().rawIds()) {
          out.printf(
              Locale.ROOT, "  %-24s %d raw ids (about %d expected) x %d, %d bytes%n", t.name(), t.rows(),
              t.spec().rows(), t.spec().dim(), t.bytes());
        } else {
          out.printf(
              Locale.ROOT, "  %-24s %d of %d rows x %d, %d bytes%n", t.name(), t.rows(), t.spec().rows(),
              t.spec().dim(), t.bytes());
        }
      }
    }
    out.flush();
    return 0;
  }
}
