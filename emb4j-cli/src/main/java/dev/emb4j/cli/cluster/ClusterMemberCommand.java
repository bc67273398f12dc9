package dev.emb4j.cli.cluster;

import dev.emb4j.cluster.Addresses;
import dev.emb4j.cluster.ClusterMember;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code emb4j cluster member}: runs a storage member in the foreground until the process is stopped; Ctrl-C (or
 * SIGTERM) leaves gracefully, after the member's partitions have moved to the other members.
 */
@Command(
    name = "member",
    description = {
      "Run a storage member of an emb4j cluster in the foreground. Members join each other over TCP-IP only (no"
          + " multicast) and keep synchronous backups of every block of rows; Ctrl-C leaves gracefully, handing the"
          + " member's rows to the others first."
    },
    mixinStandardHelpOptions = true)
public final class ClusterMemberCommand implements Callable<Integer> {
  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to bind and announce (default: ${DEFAULT-VALUE}).")
  private String host = "127.0.0.1";

  @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  private int port = ClusterMember.Options.DEFAULT_PORT;

  @Option(
      names = "--members",
      paramLabel = "HOST:PORT,...",
      description = "The cluster's members to join (may include this one; default: none, start a new cluster).")
  private String members;

  @Option(
      names = "--backups",
      paramLabel = "N",
      description = "Synchronous backups of every block, 0..6 (default: ${DEFAULT-VALUE}).")
  private int backups = 1;

  @Override
  public Integer call() throws InterruptedException {
    List<String> others = members == null ? List.of() : Addresses.parseList(members);
    ClusterMember member = ClusterMember.start(new ClusterMember.Options(host, port, others, backups));
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "emb4j cluster member on %s: %d member%s in the cluster, %d backup%s per block; Ctrl-C leaves%n",
        member.address(), member.clusterSize(), member.clusterSize() == 1 ? "" : "s", backups,
        backups == 1 ? "" : "s");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (member.isRunning()) {
                    member.leave();
                  }
                  stopped.countDown();
                },
                "emb4j-member-leave"));
    while (member.isRunning()) {
      Thread.sleep(500);
    }
    stopped.await();
    return 0;
  }
}
