/**
 * Optimizers with PyTorch 1.13's semantics ({@link dev.emb4j.optim.Sgd}, {@link dev.emb4j.optim.Adagrad}, {@link
 * dev.emb4j.optim.Adam}, {@link dev.emb4j.optim.AdamW}, {@link dev.emb4j.optim.SparseAdam}) plus FBGEMM's {@link
 * dev.emb4j.optim.RowWiseAdagrad}; sparse gradients are applied fused, each touched row once. {@link
 * dev.emb4j.optim.Scheduler} and {@link dev.emb4j.optim.LearningRateSchedule} change the learning rate over training,
 * and {@link dev.emb4j.optim.OptimizerState} saves and restores an optimizer.
 */
package dev.emb4j.optim;
