/**
 * emb4j: trainable embedding tables ({@code Embedding}, {@code EmbeddingBag}) for the JVM, with PyTorch's semantics,
 * optimizers, checkpoints, word-vector formats, vocabularies and nearest-neighbour search. No dependencies beyond
 * the JDK.
 *
 * <p>The Vector API ({@code jdk.incubator.vector}) is optional: with {@code --add-modules jdk.incubator.vector} the
 * kernels use it, without it they fall back to their scalar twins. Off-heap tables on huge pages need native access
 * ({@code --enable-native-access=dev.emb4j}); without it they use ordinary pages. The packages under {@code
 * dev.emb4j.internal} are not exported.
 */
module dev.emb4j {
  requires static jdk.incubator.vector;
  // The object header layout behind the heap tables' cache-line alignment (HeapAlignment).
  requires jdk.management;

  exports dev.emb4j;
  exports dev.emb4j.tensor;
  exports dev.emb4j.metrics;
  exports dev.emb4j.store;
  exports dev.emb4j.autograd;
  exports dev.emb4j.nn;
  exports dev.emb4j.optim;
  exports dev.emb4j.vocab;
  exports dev.emb4j.io;
  exports dev.emb4j.checkpoint;
  exports dev.emb4j.search;
  exports dev.emb4j.task;
  exports dev.emb4j.task.text;
}
