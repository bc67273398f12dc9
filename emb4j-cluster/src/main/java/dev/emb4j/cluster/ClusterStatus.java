package dev.emb4j.cluster;

import java.util.List;

/**
 * What a cluster holds, as {@code emb4j cluster status} prints it.
 *
 * @param members the members, in the cluster's order (the oldest first)
 * @param tables the tables, by name
 */
public record ClusterStatus(List<MemberInfo> members, List<TableInfo> tables) {

  /** Copies the lists. */
  public ClusterStatus {
    members = List.copyOf(members);
    tables = List.copyOf(tables);
  }

  /**
   * One member.
   *
   * @param address its {@code host:port}
   * @param partitions the partitions it owns (their primary copies)
   */
  public record MemberInfo(String address, int partitions) {}

  /**
   * One table.
   *
   * @param name its name
   * @param spec its shape
   * @param rows the rows present in the cluster (all of {@code spec.rows()} unless a block was lost; for a table of
   *     raw ids, the ids pushed at least once)
   * @param bytes the bytes of their values and optimizer state (one copy, backups not counted)
   */
  public record TableInfo(String name, TableSpec spec, long rows, long bytes) {}
}
