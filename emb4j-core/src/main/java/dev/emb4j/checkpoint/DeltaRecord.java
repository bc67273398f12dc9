package dev.emb4j.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One complete, verified record of a {@link DeltaLog}: a checkpoint that holds only what changed since the one before
 * it. Its rows are read with {@link DeltaLog#readRows}.
 *
 * @param sequence the checkpoint's number (the record before it has {@code sequence - 1})
 * @param offset where the record starts in the log file
 * @param length the record's size in bytes (the next record starts at {@code offset + length})
 * @param metadata the string pairs given to {@link DeltaCheckpointer#checkpoint(Map)} (unmodifiable)
 * @param optimizer the optimizer's kind, e.g. {@code "RowWiseAdagrad"}
 * @param scalars every optimizer scalar at this checkpoint (learning rate, step counts), not only changed ones
 * @param stateSlots the names of every optimizer state slot that exists at this checkpoint ({@code
 *     "<parameter>/<slot>"}); a slot absent here no longer exists
 * @param tensors the tensors whose rows the record holds, in file order
 */
public record DeltaRecord(
    long sequence,
    long offset,
    long length,
    Map<String, String> metadata,
    String optimizer,
    Map<String, Double> scalars,
    List<String> stateSlots,
    List<Tensor> tensors) {

  /** Copies the collections, keeping their order. */
  public DeltaRecord {
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    scalars = Collections.unmodifiableMap(new LinkedHashMap<>(scalars));
    stateSlots = List.copyOf(stateSlots);
    tensors = List.copyOf(tensors);
  }

  /**
   * The rows one record holds of one tensor.
   *
   * @param name the parameter's name, or the slot's {@code "<parameter>/<slot>"}
   * @param parameter true for a parameter, false for an optimizer state slot
   * @param rows the tensor's number of rows
   * @param dim floats per row
   * @param changed how many of its rows the record holds ({@code rows} when it holds them all)
   */
  public record Tensor(String name, boolean parameter, long rows, int dim, long changed) {}
}
