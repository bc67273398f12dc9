package dev.emb4j.tensor;

import java.util.function.IntFunction;

/**
 * Prints a tensor nested, as {@code torch} does: every value of a small tensor, rows aligned, and for more than
 * {@value #THRESHOLD} elements the first and last {@value #EDGE_ITEMS} entries of each long dimension around {@code
 * ...}.
 *
 * <pre>
 * FloatTensor([[1.0, -2.5],
 *              [3.0,  4.0]])
 * </pre>
 */
final class TensorFormat {
  /** Tensors with more elements than this are summarised (torch's {@code threshold}). */
  static final int THRESHOLD = 1000;

  /** Entries kept at each end of a summarised dimension (torch's {@code edgeitems}). */
  static final int EDGE_ITEMS = 3;

  private TensorFormat() {}

  /**
   * {@code name(values)} followed by {@code suffix} (e.g. a dtype), with each element printed by {@code element}
   * (flat index to text), right-aligned to the widest printed element.
   */
  static String format(String name, Shape shape, IntFunction<String> element, String suffix) {
    String open = name + "(";
    if (shape.numel() == 0) {
      return open + "[], shape=" + shape + suffix + ")";
    }
    boolean summarise = shape.numel() > THRESHOLD;
    // a first pass over the printed elements only measures them, so that columns line up
    StringBuilder sb = new StringBuilder(open);
    int width = append(null, shape, 0, 0, element, 0, summarise, open.length());
    append(sb, shape, 0, 0, element, width, summarise, open.length());
    if (summarise) {
      sb.append(", shape=").append(shape);
    }
    return sb.append(suffix).append(')').toString();
  }

  /** Appends the elements under {@code offset} (or only measures them when {@code sb} is null); the widest width. */
  private static int append(
      StringBuilder sb,
      Shape shape,
      int dim,
      int offset,
      IntFunction<String> element,
      int width,
      boolean summarise,
      int indent) {
    if (dim == shape.rank()) {
      String s = element.apply(offset);
      if (sb != null) {
        sb.repeat(' ', width - s.length()).append(s);
      }
      return s.length();
    }
    int size = shape.dim(dim);
    int stride = 1;
    for (int d = dim + 1; d < shape.rank(); d++) {
      stride *= shape.dim(d);
    }
    boolean skip = summarise && size > 2 * EDGE_ITEMS;
    // torch's layout: ", " between numbers; between sub-arrays a comma, one line break per remaining dimension, and
    // the indentation of the opening brackets
    String separator =
        dim == shape.rank() - 1 ? ", " : "," + "\n".repeat(shape.rank() - dim - 1) + " ".repeat(indent + dim + 1);
    int widest = 0;
    if (sb != null) {
      sb.append('[');
    }
    for (int i = 0; i < size; i++) {
      if (skip && i == EDGE_ITEMS) {
        if (sb != null) {
          sb.append("...").append(separator);
        }
        i = size - EDGE_ITEMS;
      }
      widest = Math.max(widest, append(sb, shape, dim + 1, offset + i * stride, element, width, summarise, indent));
      if (sb != null && i < size - 1) {
        sb.append(separator);
      }
    }
    if (sb != null) {
      sb.append(']');
    }
    return widest;
  }
}
