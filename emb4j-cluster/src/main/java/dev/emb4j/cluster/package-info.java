/**
 * Embedding tables sharded over a Hazelcast cluster: the parameter-server pattern (row-wise sharding, as in TorchRec,
 * Monolith, PERSIA) with Hazelcast doing membership, partitioning, replication and migration.
 *
 * <p><b>Layout.</b> A table ({@link dev.emb4j.cluster.TableSpec}) is a Hazelcast map {@code emb4j.table.<name>} of
 * blocks: entry {@code b} holds rows {@code [b * blockRows, (b + 1) * blockRows)} and, after the first push, the
 * optimizer's state rows for them. The engine hashes block keys to 271 partitions spread over the members, each
 * partition with {@code backups} synchronous backups on other members (default 1). The map {@code emb4j.meta} holds
 * the emb4j version and each table's spec.
 *
 * <p><b>Raw ids</b> ({@link dev.emb4j.cluster.ShardedIdTable}, {@link dev.emb4j.cluster.TableSpec.Keys#RAW_IDS}): a
 * table keyed by 64-bit ids keeps id {@code x} in block {@code mix(x) mod blocks} (a SplitMix64 finaliser, so ids
 * that agree in their low bits still spread), each block holding its ids, ascending, beside their rows: one row per
 * id, no collisions. A row is created at the owner by its id's first push, from a start row drawn from (seed, id)
 * alone, then updated by the same rule; a pull of an id never pushed answers that start row and creates nothing, so
 * every worker sees the same start and the rows present are the ids pushed. The semantics below hold for both kinds.
 *
 * <p><b>A training step</b> ({@link dev.emb4j.cluster.ShardedTable}): pull the rows the batch touches (one {@code
 * submitToKeys} call over their blocks: the member that receives it runs it at each owner and gathers the answers;
 * the answer is the wanted rows' values, never their state), compute the loss and gradient locally, push the gradient:
 * rows summed, grouped by block, the blocks grouped by the member that owns them, one call per owner (a task on the
 * {@code emb4j.push} executor), all in flight at once. There each block gets its part as a member-local entry
 * processor, which applies the core optimizer's own rule ({@link dev.emb4j.optim.Optimizer#rowRule}) to each row and
 * its state rows under the partition's lock; the engine runs the same processor on the backups before it answers. (One call per partition, Hazelcast's {@code executeOnKeys}, would
 * save the per-block operations, but it backs up asynchronously: an acknowledged push could die with its owner.)
 *
 * <p><b>Semantics.</b>
 *
 * <ul>
 *   <li><i>Atomic per block.</i> A push to a block is applied whole or not at all; a worker that dies mid-step leaves
 *       some blocks with its push and others without, never a block with part of it.
 *   <li><i>Asynchronous across workers</i> (Hogwild-like): workers do not wait for each other; a worker's gradient is
 *       computed on the rows it pulled, which other workers' pushes may have changed since. Pushes to one block are
 *       applied one at a time, in arrival order.
 *   <li><i>Readers</i> see each block as it was after some whole number of pushes; two blocks read in one pull may
 *       be at different points of another worker's step.
 *   <li><i>Exactly once, through faults.</i> When a block's owner dies, the engine promotes a backup (which holds
 *       every push the owner acknowledged) and retries the block operations in flight there; during a migration it
 *       retries them until the partition has moved. A worker whose call to an owner fails (the member died or left)
 *       splits that call's blocks by their owners now and sends them again. A push carries its writer's id and a
 *       sequence number and a block remembers the last one applied per writer, so a block that applied a push
 *       already skips it when it comes again.
 *   <li><i>The end of a run.</i> Workers of one run ({@link dev.emb4j.cluster.ShardedMatrixFactorizationTrainer}
 *       or {@link dev.emb4j.cluster.ShardedTextClassifierTrainer} with several workers) wait for each other after their epochs, at a barrier in {@code emb4j.meta} built on the
 *       map's per-key lock (the CP subsystem may be off), so each returns, and may save, the same final tables.
 *   <li><i>Losing data.</i> With {@code backups = k}, up to k members may die at once (before the engine has
 *       re-created backups) without losing a block. Rows are kept in memory only.
 *   <li><i>Dense parameters</i> (biases, MLP weights) are kept in the cluster too, as a table of one or a few blocks
 *       whose whole gradient is pushed every step ({@code push} of a dense gradient); the matrix factorisation
 *       trainer has none (mu is fixed), its biases are sparse tables. The text classifier's output layer (and hidden
 *       layer) are such tables, pulled whole and pushed whole every batch
 *       ({@link dev.emb4j.cluster.ShardedTextClassifierTrainer}).
 * </ul>
 */
package dev.emb4j.cluster;
