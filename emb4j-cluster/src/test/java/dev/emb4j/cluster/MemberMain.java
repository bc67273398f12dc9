package dev.emb4j.cluster;

import java.io.IOException;

/**
 * A member JVM for the fault tests: {@code MemberMain host port member,member,...}. Prints {@code ready} once it has
 * joined, then runs until its standard input closes (the test ended or died) or it is killed.
 */
public final class MemberMain {
  private MemberMain() {}

  /** Starts the member. */
  public static void main(String[] args) throws IOException {
    ClusterMember member =
        ClusterMember.start(
            ClusterMember.Options.of(args[0], Integer.parseInt(args[1]), Addresses.parseList(args[2])));
    System.out.println("ready " + member.address() + " " + member.clusterSize());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the end of input
    }
    member.leave();
    System.exit(0);
  }
}
