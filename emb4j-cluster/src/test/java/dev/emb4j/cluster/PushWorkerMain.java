package dev.emb4j.cluster;

import dev.emb4j.autograd.SparseGradient;
import dev.emb4j.tensor.FloatTensor;
import dev.emb4j.tensor.Shape;
import java.util.Arrays;

/**
 * A worker JVM for the fault tests: {@code PushWorkerMain members table}. Pushes, forever, a gradient of -1 on every
 * row of the table with plain SGD at learning rate 1, so each push adds 1 to every value of every block: printing
 * {@code pushed N} after each. Killed mid-push, it leaves some blocks one push ahead of others, but every block
 * uniform.
 */
public final class PushWorkerMain {
  private PushWorkerMain() {}

  /** Connects and pushes until killed. */
  public static void main(String[] args) {
    try (Cluster cluster = Cluster.connect(Addresses.parseList(args[0]))) {
      ShardedTable table = cluster.open(args[1]);
      int rows = (int) table.rows();
      int d = table.dim();
      long[] ids = new long[rows];
      for (int r = 0; r < rows; r++) {
        ids[r] = r;
      }
      float[] minusOne = new float[rows * d];
      Arrays.fill(minusOne, -1f);
      SparseGradient grad = new SparseGradient(rows, d, ids, FloatTensor.wrap(Shape.of(rows, d), minusOne));
      for (long step = 1; ; step++) {
        table.push(grad, new OptimizerSpec(OptimizerSpec.Kind.SGD, 1.0), step);
        System.out.println("pushed " + step);
        System.out.flush();
      }
    }
  }
}
