package dev.emb4j.cli.cluster;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code emb4j cluster}: storage members of a cluster of sharded tables, and what the cluster holds. */
@Command(
    name = "cluster",
    description = "Run a storage member of an emb4j cluster (Hazelcast), or show what the cluster holds.",
    mixinStandardHelpOptions = true,
    subcommands = {ClusterMemberCommand.class, ClusterStatusCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {
      "  emb4j cluster member --port 5701 --members 127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703",
      "  emb4j cluster status --members 127.0.0.1:5701 --json",
      "  emb4j recommend train --train u1.base --test u1.test --output ml.model --cluster 127.0.0.1:5701"
    })
public final class ClusterCommand implements Runnable {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand: member or status");
  }
}
